/**
 * The activities the rotation workflow calls, as plain-data signatures. The worker's
 * `createActivities(deps)` implements exactly this interface; the workflow proxies it.
 * Inputs name an org alias and a vendor id — the worker holds their credentials, so no
 * secret ever travels through workflow history. Every vendor write carries the rotation's
 * run (`RotationRun`), which scopes its idempotency key.
 */
import type { ApprovalActivities } from './approval-contract';
import type { CertificateSummary, KeySize } from './certificate';
import type { Reference, ReferenceChange, ReferenceConflict, ReferenceTarget } from './reference';
import type { UnswitchableReference } from './unswitchable-reference';
import type { RotationWindow, Strategy, VendorConfirmation, VerificationResult } from './rotation';
import type { RotationRun, VendorCapabilities } from './vendor';

export type { VendorCapabilities } from './vendor';

export interface PreflightInput {
  readonly org: string;
  readonly vendor: string;
  readonly strategy: Strategy;
  readonly certificate: string;
  /** The requested new Unique Name, if any: refused at once when a certificate has it. */
  readonly newUniqueName: string | null;
}
export interface PreflightResult {
  /** The id the vendor knows the org by. */
  readonly orgId: string;
  /** Salesforce's own Organization.Id (two aliases of one org share it). */
  readonly salesforceOrgId: string;
  readonly vendor: VendorCapabilities;
  /**
   * The certificate that already has the requested new Unique Name (compared
   * case-insensitively), or null. The workflow refuses then — after taking the certificate
   * lock, so that a concurrent rotation is named as the reason when there is one.
   */
  readonly newNameTakenBy: string | null;
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
  /** Every reference naming the certificate, by Unique Name or (a configuration error) by label. */
  readonly references: readonly Reference[];
  /** Places naming it that no API can switch (absent in histories from before they were searched). */
  readonly unswitchable?: readonly UnswitchableReference[];
}

export interface GenerateInput {
  readonly org: string;
  readonly uniqueName: string;
  readonly label: string;
  readonly keySize: KeySize;
  readonly caSigned: boolean;
  /**
   * When this rotation started (ISO-8601). A certificate that already has `uniqueName` is
   * adopted only if it was created after this instant, with the requested settings, and
   * nothing references it — i.e. an earlier attempt of this very step made it.
   */
  readonly rotationStartedAt: string;
  /** The certificate being replaced: never adopted, whatever its name. */
  readonly replacing: string;
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
  readonly run: RotationRun;
  readonly certificate: CertificateSummary;
  readonly previousFingerprint: string;
  readonly proposedWindow: RotationWindow | null;
  /**
   * Until when the approval can arrive (ISO-8601; since 'approval-routes'): a team's notice
   * then carries a signed approval link expiring with it.
   */
  readonly approvalExpiresAt?: string;
}
export interface ShareResult {
  /** The SPKI fingerprint the approval must name. */
  readonly fingerprint: string;
  /** Who was told: the registry, or the team's channels. */
  readonly notified: readonly string[];
}

export interface VendorKeyInput {
  readonly vendor: string;
  readonly orgId: string;
  readonly run: RotationRun;
  readonly fingerprint: string;
}
export interface ActivateInput extends VendorKeyInput {
  /** Fingerprint of a key to retire in the same step (single-key vendors), or null to keep it. */
  readonly replacing: string | null;
  readonly window: RotationWindow;
}
export interface RestoreVendorInput {
  readonly vendor: string;
  readonly orgId: string;
  readonly run: RotationRun;
  /** The old key, trusted again. */
  readonly restore: string;
  /** The new key, withdrawn (null if it was never staged). */
  readonly withdraw: string | null;
}
export interface WithdrawInput extends VendorKeyInput {
  readonly reason: string;
}
export interface WindowMissedInput extends VendorKeyInput {
  readonly window: RotationWindow;
  /** Until when a new window (or approval) can still arrive. */
  readonly waitingUntil: string;
}
export interface SwitchedAt {
  /** ISO instant at which the change took effect, read from the worker's clock. */
  readonly at: string;
}

export interface SwitchReferencesInput {
  readonly org: string;
  readonly changes: readonly ReferenceChange[];
  /**
   * The certificate the changes switch to: checked to exist, be usable and still have this
   * fingerprint before any write (a rollback switches to the old one).
   */
  readonly certificate: { readonly uniqueName: string; readonly fingerprint: string };
}
export interface SwitchReferencesResult extends SwitchedAt {
  /** When the first reference flipped (the mismatch window starts there). */
  readonly firstAt: string | null;
  readonly applied: readonly ReferenceChange[];
  /** Records that no longer held the expected value: reported, never overwritten. */
  readonly conflicts: readonly ReferenceConflict[];
}

/**
 * A certificate named by its Unique Name and fingerprints. Inputs recorded before
 * 'quiet-presentation' (#15) also carry its PEM; newer ones do not (the activity reads it).
 */
export type NamedCertificate = Omit<CertificateSummary, 'certificatePem'> & { readonly certificatePem?: string };

/** The certificate without its PEM (about 1.1 KB of history each time it travels). */
export function namedCertificate(certificate: CertificateSummary): NamedCertificate {
  const { certificatePem: _pem, ...named } = certificate;
  return named;
}

/** Both sides of a `simultaneous` switch, driven from one activity (src/activities/both-sides-switch.ts). */
export interface SwitchBothSidesInput {
  readonly references: SwitchReferencesInput;
  readonly vendor: ActivateInput;
}
/** One side's request: sent (the earliest it may have switched) and answered (the latest). */
export interface SideTiming {
  readonly sentAt: string;
  readonly answeredAt: string;
}
export interface SwitchBothSidesResult {
  readonly references: SwitchReferencesResult;
  readonly vendor: SwitchedAt;
  readonly orgSide: SideTiming;
  readonly vendorSide: SideTiming;
  /**
   * What traffic may have seen mismatched: from the first side's request sent to the last
   * side's answer received — an upper bound, never under-reported.
   */
  readonly mismatchWindowMs: number;
}

export interface VerifyInput {
  readonly org: string;
  readonly orgId: string;
  readonly vendor: string;
  readonly newCertificate: NamedCertificate;
  /** The certificate being replaced: no reference may still name it. */
  readonly previousCertificate: string;
  /** How many references the switch changed: at least that many must name the new one. */
  readonly expectedReferences: number;
  readonly targets: readonly ReferenceTarget[];
  readonly signature: boolean;
  readonly calloutUrl: string | null;
  /** What the provisioning team confirmed (team vendors), reported as such. */
  readonly vendorConfirmation: VendorConfirmation | null;
  /** Acknowledged places no API switches: read-only fields among them may still name the old certificate. */
  readonly unswitchable?: readonly UnswitchableReference[];
}

export interface RotationActivities extends ApprovalActivities {
  preflight(input: PreflightInput): Promise<PreflightResult>;
  backUpCertificate(input: BackupInput): Promise<BackupResult>;
  generateCertificate(input: GenerateInput): Promise<CertificateSummary>;
  deleteCertificate(input: DeleteCertificateInput): Promise<{ readonly deleted: boolean }>;
  shareKey(input: ShareInput): Promise<ShareResult>;
  withdrawKey(input: WithdrawInput): Promise<void>;
  notifyWindowMissed(input: WindowMissedInput): Promise<void>;
  activateVendorKey(input: ActivateInput): Promise<SwitchedAt>;
  retireVendorKey(input: VendorKeyInput): Promise<SwitchedAt>;
  restoreVendorKey(input: RestoreVendorInput): Promise<void>;
  switchReferences(input: SwitchReferencesInput): Promise<SwitchReferencesResult>;
  switchBothSides(input: SwitchBothSidesInput): Promise<SwitchBothSidesResult>;
  verifyRotation(input: VerifyInput): Promise<VerificationResult>;
}
