/**
 * Certificates in one vocabulary: what an org lists (`CertificateListing`), what the org
 * port reads of one (`CertificateDetails`), and a usable certificate as a rotation holds it
 * (`CertificateSummary`: public PEM and both fingerprints). Plain data, workflow-safe. No
 * private key ever appears here — Salesforce never lets one out.
 */

export type KeySize = 2048 | 4096;

/** What an inventory query tells about a certificate (no PEM: that costs one read each). */
export interface CertificateListing {
  /** The Unique Name (DeveloperName / Metadata fullName): what references must hold. */
  uniqueName: string;
  /** The display label (MasterLabel). Not a valid reference value. */
  label: string;
  keySize: KeySize;
  caSigned: boolean;
  /** false for a CA-signed certificate still waiting for its signed chain. */
  usable: boolean;
  privateKeyExportable: boolean;
  /** ISO-8601; null while a CA-signed certificate has no chain yet. */
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
