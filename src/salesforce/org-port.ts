/**
 * The Salesforce org as certrot needs it: certificates, the records and named credentials
 * that name a certificate by its Unique Name, and proof that the org really signs with a
 * certificate. Activities depend on this interface only; `jsforce-org.ts` implements it
 * against the real APIs (and the sandbox org speaks the same wire protocol).
 *
 * Everything crossing this port is plain, serialisable data: it may end up in activity
 * results and therefore in workflow history. No private key ever crosses it — Salesforce
 * never lets one out.
 */

export type KeySize = 2048 | 4096;

/** What an inventory query tells about a certificate (no PEM: that costs one read each). */
export interface CertificateSummary {
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

export interface CertificateDetails extends CertificateSummary {
  /** The public certificate (PEM); null while the certificate is only a CSR. */
  certificatePem: string | null;
  /** The pending CSR (PEM) of a CA-signed certificate waiting for its chain, else null. */
  csrPem: string | null;
  /** SHA-256 over the certificate DER, uppercase colon hex; null without a certificate. */
  fingerprintSha256: string | null;
  /** SHA-256 over the public key (SPKI); known from the CSR too, so never null. */
  spkiFingerprintSha256: string;
}

export interface CreateCertificateInput {
  uniqueName: string;
  label: string;
  keySize: KeySize;
  caSigned: boolean;
  privateKeyExportable: boolean;
}

export type ReferenceTargetKind = 'hierarchy-setting' | 'custom-object';

/** A text field that may hold a certificate's Unique Name (configuration, or discovered). */
export interface ReferenceTarget {
  /** API name of the custom setting or custom object, e.g. `csam__AsyncMessOptions__c`. */
  object: string;
  /** API name of the text field, e.g. `csam__Certificate__c`. */
  field: string;
  kind: ReferenceTargetKind;
}

/** Who a hierarchy-setting record applies to (from its SetupOwnerId). */
export type ReferenceScope = 'org-default' | 'profile' | 'user' | 'record' | 'named-credential';

export interface CertificateReference {
  /** Object API name; `NamedCredential` for named credentials. */
  object: string;
  /** Field API name; `certificate` for named credentials. */
  field: string;
  /** Record Id; the named credential's fullName for named credentials. */
  recordId: string;
  /** The value the record holds now (the Unique Name, or — a configuration error — the label). */
  value: string;
  /** Whether the record names the certificate correctly or by its label. */
  matchedBy: 'unique-name' | 'label';
  scope: ReferenceScope;
  /** Hierarchy settings only: the organization, profile or user the record belongs to. */
  setupOwnerId: string | null;
  /** Profile name, username, record Name or named credential label, for people to read. */
  ownerName: string | null;
}

/** A certificate as a reference may name it: its Unique Name, or (wrongly) its label. */
export interface CertificateNames {
  uniqueName: string;
  label: string | null;
}

export interface NamedReference extends CertificateReference {
  /** The Unique Name of the certificate this reference names. */
  certificate: string;
}

export interface DiscoveredTarget extends ReferenceTarget {
  /** Distinct certificate names (Unique Names or labels) seen in this field. */
  valuesSeen: string[];
}

/** Compare-and-set: applied only while the record still holds `expected`. */
export interface ReferenceChange {
  object: string;
  field: string;
  recordId: string;
  expected: string;
  value: string;
}

export interface ReferenceConflict extends ReferenceChange {
  /** What the record held instead of `expected` (null: the record or field is gone/empty). */
  actual: string | null;
}

export interface UpdateReferencesResult {
  applied: ReferenceChange[];
  conflicts: ReferenceConflict[];
}

export interface CalloutResult {
  statusCode: number;
  body: string;
}

export interface ApiUsage {
  /** DailyApiRequests from the org's limits resource. */
  max: number;
  remaining: number;
  used: number;
}

export interface SalesforceOrg {
  listCertificates(): Promise<CertificateSummary[]>;

  /** CERT_NOT_FOUND, or LABEL_NOT_UNIQUE_NAME when given a label. */
  getCertificate(uniqueName: string): Promise<CertificateDetails>;

  /**
   * Idempotent: when a certificate with this Unique Name already exists with the same
   * label, key size and CA-signed flag (an earlier attempt made it), it is returned;
   * different settings -> CERT_ALREADY_EXISTS. Returns the CSR for a CA-signed certificate.
   */
  createCertificate(input: CreateCertificateInput): Promise<CertificateDetails>;

  /** Completes a CA-signed certificate: the leaf (first block) must match its key. */
  uploadSignedChain(uniqueName: string, chainPem: string): Promise<CertificateDetails>;

  /** CERT_IN_USE (naming the user) while some feature still uses it. */
  deleteCertificate(uniqueName: string): Promise<void>;

  /** Every record in `targets` and every named credential naming the certificate. */
  findReferences(uniqueName: string, targets: ReferenceTarget[]): Promise<CertificateReference[]>;

  /**
   * The same search for many certificates at once (an inventory): one query per target
   * field and one named-credential read, however many certificates are named. Labels are
   * given, not looked up. Each reference says which certificate it names.
   */
  findReferencesToAny(certificates: CertificateNames[], targets: ReferenceTarget[]): Promise<NamedReference[]>;

  /**
   * Text fields of every custom setting (and of the configured custom objects) that hold
   * some certificate's Unique Name or label: references nobody configured.
   */
  discoverReferenceTargets(configuredObjects?: string[]): Promise<DiscoveredTarget[]>;

  /** Compare-and-set; conflicts are reported, never overwritten. */
  updateReferences(changes: ReferenceChange[]): Promise<UpdateReferencesResult>;

  /** Base64 RSA-SHA256 signature the org makes over `nonce` with the named certificate. */
  signWithCertificate(uniqueName: string, nonce: string): Promise<string>;

  /** A GET the org makes to `url` presenting the named certificate as TLS client cert. */
  calloutWithCertificate(uniqueName: string, url: string): Promise<CalloutResult>;

  apiUsage(): Promise<ApiUsage>;
}
