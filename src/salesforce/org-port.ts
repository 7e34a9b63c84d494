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

import type { CertificateDetails, CertificateListing, KeySize } from '../domain/certificate';
import type { Reference, ReferenceChange, ReferenceConflict, ReferenceTarget } from '../domain/reference';
import type { UnswitchableReference } from '../domain/unswitchable-reference';

export type { CertificateDetails, CertificateListing, KeySize } from '../domain/certificate';
export type { Reference, ReferenceChange, ReferenceConflict, ReferenceScope, ReferenceTarget, ReferenceTargetKind } from '../domain/reference';
export type { UnswitchableKind, UnswitchableReference } from '../domain/unswitchable-reference';

export interface CreateCertificateInput {
  uniqueName: string;
  label: string;
  keySize: KeySize;
  caSigned: boolean;
  privateKeyExportable: boolean;
  /**
   * CA-signed only: an existing certificate (PEM) whose X.509 subject the new one takes —
   * Salesforce copies the subject of a certificate given as `content` on create into the
   * CSR, so the CA sees the same subject as before. The key is new all the same.
   */
  subjectFromCertificatePem?: string;
}

/** A certificate as a reference may name it: its Unique Name, or (wrongly) its label. */
export interface CertificateNames {
  uniqueName: string;
  label: string | null;
}

export interface NamedReference extends Reference {
  /** The Unique Name of the certificate this reference names (a dangling one's: its value, trimmed). */
  certificate: string;
}

/** A certificate's own validity, read from its content (the leaf, for a CA-signed chain). */
export interface CertificateValidity {
  /** The Unique Name as the org stores it. */
  uniqueName: string;
  /** ISO-8601: the certificate's notBefore. */
  notBefore: string;
  /** ISO-8601: the certificate's notAfter, exact (a listing gives only its day). */
  notAfter: string;
}

/** One listing of the org's certificates: the live ones, and the deleted ones it still shows. */
export interface CertificatesWithDeleted {
  certificates: CertificateListing[];
  /**
   * Deleted certificates whose Unique Name no live certificate has. SALESFORCE.md: the
   * Tooling query "may also return deleted records" — may: where Salesforce no longer
   * returns them this is empty, and a deleted certificate looks never created.
   */
  deleted: CertificateNames[];
}

export interface CertificateReadOptions {
  /** false: skip the creation time (null in the answer), and with it the listing of every certificate. */
  createdAt?: boolean;
}

export interface DiscoveryOptions {
  /**
   * Only the fields holding one of `certificates`' names (which must then be given), found
   * by `WHERE field IN (...)` on each filterable text field — so the cost follows the
   * schema, not the number of rows; a field that cannot be filtered (a Long Text Area) is
   * still read whole and matched here. Certificate fields holding other values are then
   * not reported: for a rotation of one certificate, not an inventory.
   */
  namingOnly?: boolean;
}

export interface CertificatePlaces {
  /** The targets given, then (with `discover`) each writable field found naming the certificate that they miss. */
  targets: ReferenceTarget[];
  unswitchable: UnswitchableReference[];
  /** The references in the given and the discovered targets, and in named credentials. */
  references: Reference[];
}

export interface DiscoveredTarget extends ReferenceTarget {
  /** Distinct names (Unique Names or labels) of certificates the org has or had, seen in this field. */
  valuesSeen: string[];
}

export interface ReferenceSearchOptions {
  /**
   * Also report, in certificate fields, every value naming none of the certificates searched:
   * a dangling reference (to a certificate deleted, or never created in this org), whose
   * `certificate` is the value itself, trimmed. Certificate fields: every certificate place
   * of a named credential (both models), every target whose API name or label says it holds
   * a certificate, and `declaredFields` (configured as holding certificate names) — never
   * one whose name says it holds a secret, key material or content (certificate-fields.ts).
   * A value that cannot be a name (several lines, over 80 characters) is never reported.
   */
  dangling?: { declaredFields: readonly ReferenceTarget[] };
}

export interface UpdateReferencesResult {
  applied: ReferenceChange[];
  conflicts: ReferenceConflict[];
}

export interface UpdateReferencesOptions {
  readonly atOnce?: boolean;
  /**
   * At once only: called once, at the switch instant — every reference read and compared,
   * no write sent yet (write-barrier.ts). The both-sides switch starts the vendor there.
   */
  readonly atSwitchInstant?: () => void;
}

/** Progress of `updateReferences`, reported after each reference (activities heartbeat with it). */
export type ReferenceProgress = (done: { applied: ReferenceChange[]; conflicts: ReferenceConflict[] }) => void;

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
  /** The org's own id (Organization.Id, 18 characters): two aliases of one org have the same. */
  organizationId(): Promise<string>;

  listCertificates(): Promise<CertificateListing[]>;

  /** The same listing (the same two calls), with the deleted certificates it shows (an inventory). */
  listCertificatesWithDeleted(): Promise<CertificatesWithDeleted>;

  /**
   * CERT_NOT_FOUND, or LABEL_NOT_UNIQUE_NAME when given a label. `createdAt: false` leaves
   * `createdAt` null and reads only this certificate (the creation time needs a listing of
   * every certificate of the org): for callers that do not decide on it.
   */
  getCertificate(uniqueName: string, options?: CertificateReadOptions): Promise<CertificateDetails>;

  /**
   * notBefore and notAfter of many certificates at once, read from their content: one
   * Metadata read per 10 names (an inventory). Names the org does not have, and CA-signed
   * certificates still waiting for their chain (only a CSR), are left out of the answer.
   */
  readValidity(uniqueNames: readonly string[]): Promise<CertificateValidity[]>;

  /**
   * Creates a certificate (Salesforce generates the key pair). Never adopts: when a
   * certificate with this Unique Name (compared case-insensitively) already exists, it
   * throws CERT_ALREADY_EXISTS with `details.uniqueName` = the existing one's name; whether
   * an existing certificate is one an earlier attempt of the same rotation made is the
   * caller's decision (see domain/ownership.ts). Returns the CSR for a CA-signed one.
   */
  createCertificate(input: CreateCertificateInput): Promise<CertificateDetails>;

  /** Completes a CA-signed certificate: the leaf (first block) must match its key. */
  uploadSignedChain(uniqueName: string, chainPem: string): Promise<CertificateDetails>;

  /** CERT_IN_USE (naming the user) while some feature still uses it. */
  deleteCertificate(uniqueName: string): Promise<void>;

  /**
   * Every record in `targets` and every named credential naming the certificate.
   * `options.label`: its label when the caller has just read the certificate (null: it has
   * none but its Unique Name), which saves reading it again.
   */
  findReferences(uniqueName: string, targets: ReferenceTarget[], options?: { label?: string | null }): Promise<Reference[]>;

  /**
   * The same search for many certificates at once (an inventory): one query per target
   * field and one named-credential read, however many certificates are named. Labels are
   * given, not looked up. Each reference says which certificate it names; with
   * `options.dangling`, also the values of certificate fields that name none of them.
   */
  findReferencesToAny(certificates: CertificateNames[], targets: ReferenceTarget[], options?: ReferenceSearchOptions): Promise<NamedReference[]>;

  /**
   * Text fields of every custom setting and Custom Metadata Type (and of the configured
   * custom objects) that hold the Unique Name or label of a certificate the org has or had
   * (live, or deleted and still listed), or that are certificate fields by name holding any
   * value: references nobody configured. `certificates`: the names to look for, when the
   * caller has just listed them (live and deleted); without, discovery lists them itself.
   */
  discoverReferenceTargets(configuredObjects?: string[], certificates?: readonly CertificateNames[], options?: DiscoveryOptions): Promise<DiscoveredTarget[]>;

  /**
   * Places naming the certificate (by Unique Name or label) that no API update can switch:
   * Apex classes and triggers whose code names it, custom settings the integration user
   * cannot read (protected by a managed package, or no access), and fields among `targets`
   * or found by discovery that hold it but are not updateable (formula, read-only). Found
   * before anything changes, so that a rotation can refuse or list them as manual steps.
   */
  findUnswitchableReferences(certificate: CertificateNames, targets: ReferenceTarget[]): Promise<UnswitchableReference[]>;

  /**
   * A rotation's backup of one certificate in one pass: with `discover`, the writable fields
   * naming it (by Unique Name or label) that `targets` miss (as discoverReferenceTargets with
   * `namingOnly`, the custom-object targets as configured objects); the places naming it that no API can
   * switch (as findUnswitchableReferences, over `targets` and the discovered fields); and
   * the references in all of them (as findReferences). The same answers as those three
   * calls in a row, with every object described and scanned once, and only the rows naming
   * the certificate read where a field can be filtered.
   */
  findCertificatePlaces(certificate: CertificateNames, targets: ReferenceTarget[], options: { discover: boolean }): Promise<CertificatePlaces>;

  /**
   * Compare-and-set; conflicts are reported, never overwritten. `progress` hears after each reference.
   * `atOnce`: every record read first, then written in one all-or-none request, named
   * credentials and custom metadata beside it (a cancellation then stops only before that request);
   * every write waits until every read is done, and `atSwitchInstant` hears that moment.
   */
  updateReferences(changes: readonly ReferenceChange[], progress?: ReferenceProgress, options?: UpdateReferencesOptions): Promise<UpdateReferencesResult>;

  /** Base64 RSA-SHA256 signature the org makes over `nonce` with the named certificate. */
  signWithCertificate(uniqueName: string, nonce: string): Promise<string>;

  /** A GET the org makes to `url` presenting the named certificate as TLS client cert. */
  calloutWithCertificate(uniqueName: string, url: string): Promise<CalloutResult>;

  apiUsage(): Promise<ApiUsage>;
}
