/**
 * Certificates in one vocabulary: what an org lists (`CertificateListing`), what the org
 * port reads of one (`CertificateDetails`), and a usable certificate as a rotation holds it
 * (`CertificateSummary`: public PEM and both fingerprints). Plain data, workflow-safe. No
 * private key ever appears here — Salesforce never lets one out.
 */

/** The key sizes Salesforce offers for a certificate it creates (self-signed or CA-signed). */
export const KEY_SIZES = [2048, 3072, 4096] as const;
export type KeySize = (typeof KEY_SIZES)[number];

export function isKeySize(value: unknown): value is KeySize {
  return typeof value === 'number' && (KEY_SIZES as readonly number[]).includes(value);
}

/** What an inventory query tells about a certificate (no PEM: that costs one read each). */
export interface CertificateListing {
  /** The Unique Name (DeveloperName / Metadata fullName): what references must hold. */
  uniqueName: string;
  /** The display label (MasterLabel). Not a valid reference value. */
  label: string;
  /**
   * The RSA key size as Salesforce reports it (or, when the content is read, as the key
   * itself is). Usually a KeySize; an org may hold another (an imported 1024-bit key, say),
   * reported as it is — never rounded to a size certrot could create.
   */
  keySize: number;
  caSigned: boolean;
  /** false for a CA-signed certificate still waiting for its signed chain. */
  usable: boolean;
  privateKeyExportable: boolean;
  /**
   * ISO-8601; null while a CA-signed certificate has no chain yet. Read from the
   * certificate itself (notAfter) when its content was read; from a listing (the Tooling
   * API gives only a date) it is the start of that day, UTC: a day's precision, erring
   * early (unconfirmed: in which time zone Salesforce takes the date; an org far east of
   * UTC could date it a day later than UTC would, so the read content is preferred).
   */
  expiresAt: string | null;
}

export interface CertificateDetails extends CertificateListing {
  /** The public certificate (PEM); null while the certificate is only a CSR. */
  certificatePem: string | null;
  /** The pending CSR (PEM) of a CA-signed certificate waiting for its chain, else null. */
  csrPem: string | null;
  /** SHA-256 over the certificate DER, uppercase colon hex; null without a certificate. */
  fingerprintSha256: string | null;
  /** SHA-256 over the public key (SPKI); known from the CSR too, so never null. */
  spkiFingerprintSha256: string;
  /** When Salesforce created it (ISO-8601), if the org says; ownership is decided on it. */
  createdAt: string | null;
}

/** A usable certificate as the rotation records it: the old one backed up, or the new one. */
export interface CertificateSummary {
  readonly uniqueName: string;
  readonly label: string;
  readonly keySize: number;
  readonly caSigned: boolean;
  readonly expiresAt: string | null;
  readonly certificatePem: string;
  readonly fingerprint: string;
  readonly spkiFingerprint: string;
}

/** Salesforce compares Unique Names case-insensitively. */
export function sameUniqueName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
