/**
 * FROZEN with rotate-certificate-v1.ts: the activity inputs and results as the v1 workflow
 * sends and reads them. The worker's activities accept these shapes too (see
 * src/activities/rotation-activities.ts, "v1 inputs"), so a v1 rotation in flight at the
 * upgrade finishes. The activities the rotation workflow calls, as plain-data signatures. The worker's
 * `createActivities(deps)` implements exactly this interface; the workflow proxies it.
 * Inputs name an org alias and a vendor id — the worker holds their credentials, so no
 * secret ever travels through workflow history.
 */
import type {
  CertificateSummary,
  ReferenceChange,
  ReferenceRecord,
  ReferenceTarget,
  RotationWindow,
  Strategy,
  VerificationResult,
} from '../domain/rotation';

export interface VendorCapabilitiesV1 {
  /** Can the vendor trust the old and the new key at the same time? */
  readonly multipleActiveKeys: boolean;
  /** Does an API activate keys (true), or a provisioning team (false)? */
  readonly automated: boolean;
}

export interface PreflightInput {
  readonly org: string;
  readonly vendor: string;
  readonly strategy: Strategy;
  readonly certificate: string;
}
export interface PreflightResult {
  readonly orgId: string;
  readonly vendor: VendorCapabilitiesV1;
}

export interface BackupInput {
  readonly org: string;
  readonly certificate: string;
  readonly discover: boolean;
  readonly targets: readonly ReferenceTarget[];
}
export interface BackupResult {
  readonly certificate: CertificateSummary;
  readonly targets: readonly ReferenceTarget[];
  readonly references: readonly ReferenceRecord[];
}

export interface GenerateInput {
  readonly org: string;
  readonly uniqueName: string;
  readonly label: string;
  readonly keySize: 2048 | 3072 | 4096; // type only: widened with the domain's KeySize (v1 histories hold 2048 or 4096)
  readonly caSigned: boolean;
}

export interface DeleteCertificateInput {
  readonly org: string;
  readonly uniqueName: string;
  /** Delete only if the certificate still has this fingerprint (never someone else's). */
  readonly fingerprint: string;
}

export interface ShareInput {
  readonly vendor: string;
  readonly orgId: string;
  readonly org: string;
  readonly workflowId: string;
  readonly certificate: CertificateSummary;
  readonly previousFingerprint: string;
  readonly proposedWindow: RotationWindow | null;
}
export interface ShareResult {
  /** The SPKI fingerprint the approval must name. */
  readonly fingerprint: string;
  readonly notified: readonly string[];
}

export interface VendorKeyInput {
  readonly vendor: string;
  readonly orgId: string;
  readonly workflowId: string;
  readonly fingerprint: string;
}
export interface ActivateInput extends VendorKeyInput {
  /** Fingerprint of a key to retire in the same step (single-key vendors), or null to keep it. */
  readonly replacing: string | null;
}
export interface RestoreVendorInput {
  readonly vendor: string;
  readonly orgId: string;
  readonly workflowId: string;
  /** The old key, trusted again. */
  readonly restore: string;
  /** The new key, withdrawn (null if it was never staged). */
  readonly withdraw: string | null;
}
export interface WithdrawInput extends VendorKeyInput {
  readonly reason: string;
}
export interface SwitchedAt {
  /** ISO instant at which the change took effect, read from the worker's clock. */
  readonly at: string;
}

export interface SwitchReferencesInput {
  readonly org: string;
  readonly changes: readonly ReferenceChange[];
}
export interface SwitchReferencesResult extends SwitchedAt {
  readonly applied: readonly ReferenceChange[];
  /** Records that no longer held the expected value: reported, never overwritten. */
  readonly conflicts: readonly (ReferenceChange & { readonly actual: string | null })[];
}

export interface VerifyInput {
  readonly org: string;
  readonly orgId: string;
  readonly vendor: string;
  readonly workflowId: string;
  readonly newCertificate: CertificateSummary;
  /** The certificate being replaced: no reference may still name it. */
  readonly previousCertificate: string;
  /** How many references the switch changed: at least that many must name the new one. */
  readonly expectedReferences: number;
  readonly targets: readonly ReferenceTarget[];
  readonly signature: boolean;
  readonly calloutUrl: string | null;
  /** Whether the provisioning team confirmed the new key (vendors run by people). */
  readonly vendorConfirmed: boolean;
}

export interface RotationActivitiesV1 {
  preflight(input: PreflightInput): Promise<PreflightResult>;
  backUpCertificate(input: BackupInput): Promise<BackupResult>;
  generateCertificate(input: GenerateInput): Promise<CertificateSummary>;
  deleteCertificate(input: DeleteCertificateInput): Promise<{ readonly deleted: boolean }>;
  shareKey(input: ShareInput): Promise<ShareResult>;
  withdrawKey(input: WithdrawInput): Promise<void>;
  activateVendorKey(input: ActivateInput): Promise<SwitchedAt>;
  retireVendorKey(input: VendorKeyInput): Promise<SwitchedAt>;
  restoreVendorKey(input: RestoreVendorInput): Promise<void>;
  switchReferences(input: SwitchReferencesInput): Promise<SwitchReferencesResult>;
  verifyRotation(input: VerifyInput): Promise<VerificationResult>;
}
