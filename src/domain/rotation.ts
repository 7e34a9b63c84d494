/**
 * The rotation's shared vocabulary: its input, the phases of the state machine in
 * ../shared/DESIGN.md, the messages operators and the provisioning team send, and the
 * status everybody reads. Plain data only (it crosses Temporal's payload boundary) and
 * workflow-safe.
 */

export const PHASES = [
  'backing-up',
  'generating',
  'sharing',
  'awaiting-approval',
  'scheduled',
  'applying',
  'verifying',
  'grace-period',
  'cleaning-up',
  'completed',
  'compensating',
  'rolled-back',
  'failed',
] as const;
export type Phase = (typeof PHASES)[number];

export type Strategy = 'overlap' | 'simultaneous';

/** Where a custom setting or custom object field holds a certificate's Unique Name. */
export interface ReferenceTarget {
  readonly object: string;
  readonly field: string;
  readonly kind: 'hierarchy-setting' | 'custom-object';
}

/** An agreed window, ISO-8601 instants. */
export interface RotationWindow {
  readonly start: string;
  readonly end: string;
}

export type WindowRequest =
  /** Apply as soon as the approval arrives; the window lasts `duration` from then. */
  | { readonly mode: 'on-approval'; readonly duration: string }
  | { readonly mode: 'fixed'; readonly start: string; readonly end: string };

/** What an operator gives; every field but org, certificate and vendor has a default. */
export interface RotationRequest {
  readonly org: string;
  readonly certificate: string;
  readonly vendor: string;
  readonly newUniqueName?: string;
  readonly newLabel?: string;
  readonly keySize?: 2048 | 4096;
  readonly caSigned?: boolean;
  readonly strategy?: Strategy;
  /** Targets to switch; `discover` scans the org for fields holding the name. */
  readonly references?: { readonly discover?: boolean; readonly targets?: readonly ReferenceTarget[] };
  readonly approval?: { readonly approvers?: readonly string[]; readonly timeout?: string };
  readonly window?: WindowRequest;
  readonly gracePeriod?: string;
  readonly verification?: { readonly signature?: boolean; readonly calloutUrl?: string };
}

/** The request with every default filled in: what the workflow runs on. */
export interface RotationInput {
  readonly org: string;
  readonly certificate: string;
  readonly vendor: string;
  readonly newUniqueName: string | null;
  readonly newLabel: string | null;
  readonly keySize: 2048 | 4096;
  readonly caSigned: boolean;
  readonly strategy: Strategy;
  readonly references: { readonly discover: boolean; readonly targets: readonly ReferenceTarget[] };
  readonly approval: { readonly approvers: readonly string[]; readonly timeout: string };
  readonly window: WindowRequest;
  readonly gracePeriod: string;
  readonly verification: { readonly signature: boolean; readonly calloutUrl: string | null };
}

export const ROTATION_DEFAULTS = {
  keySize: 2048,
  caSigned: false,
  strategy: 'simultaneous',
  approvalTimeout: '7 days',
  windowDuration: '2 hours',
  gracePeriod: '7 days',
} as const;

export function rotationWorkflowId(org: string, certificate: string): string {
  return `rotate/${org}/${certificate}`;
}

export const ROTATION_TASK_QUEUE = 'certrot-rotations';

// ---- what the workflow learns along the way ---------------------------------------------

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

/** One record that names the certificate, as found at backup time. */
export interface ReferenceRecord {
  readonly object: string;
  readonly field: string;
  readonly recordId: string;
  readonly scope: 'org-default' | 'profile' | 'user' | 'record' | 'named-credential';
  /** Profile or user name for overrides, record name for others. */
  readonly owner: string | null;
  readonly value: string;
}

export interface ReferenceChange {
  readonly object: string;
  readonly field: string;
  readonly recordId: string;
  readonly scope: ReferenceRecord['scope'];
  readonly owner: string | null;
  readonly expected: string;
  readonly value: string;
}

export interface VerificationCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface VerificationResult {
  readonly passed: boolean;
  readonly checks: readonly VerificationCheck[];
  readonly at: string;
}

// ---- messages -----------------------------------------------------------------------------

export interface ApproveRequest {
  readonly approver: string;
  readonly fingerprint: string;
  readonly window?: RotationWindow;
}
export interface ApproveResult {
  readonly accepted: true;
  readonly window: RotationWindow;
}
export interface RejectRequest {
  readonly approver: string;
  readonly reason: string;
}
export interface RescheduleRequest {
  readonly window: RotationWindow;
}
export interface VendorAppliedRequest {
  readonly fingerprint: string;
  readonly by?: string;
}
export interface ReasonRequest {
  readonly reason: string;
  readonly by?: string;
}

// ---- status -------------------------------------------------------------------------------

export interface TimelineEntry {
  readonly phase: Phase;
  readonly at: string;
  readonly note?: string;
}

export interface ApprovalRecord {
  readonly approver: string;
  readonly fingerprint: string;
  readonly at: string;
  readonly window: RotationWindow;
  readonly via: 'update' | 'signal';
}

export interface IgnoredMessage {
  readonly message: string;
  readonly at: string;
  readonly reason: string;
}

export type Outcome = 'completed' | 'rolled-back' | 'failed';

export interface RotationStatus {
  readonly workflowId: string;
  readonly org: string;
  readonly vendor: string;
  readonly strategy: Strategy;
  phase: Phase;
  timeline: TimelineEntry[];
  oldCertificate: CertificateSummary | null;
  newCertificate: CertificateSummary | null;
  window: RotationWindow | null;
  approval: ApprovalRecord | null;
  rejection: { approver: string; reason: string; at: string } | null;
  referencesFound: ReferenceRecord[];
  referencesChanged: ReferenceChange[];
  conflicts: (ReferenceChange & { actual: string | null })[];
  vendorAppliedAt: string | null;
  verification: VerificationResult | null;
  /** ms from the first side's switch to the second's; 0 for overlap; null before apply. */
  mismatchWindowMs: number | null;
  errors: string[];
  ignoredMessages: IgnoredMessage[];
  /** Set when compensation could not finish: what an operator must fix by hand. */
  manualSteps: string[];
  outcome: Outcome | null;
  reason: string | null;
}

export const TERMINAL_PHASES: readonly Phase[] = ['completed', 'rolled-back', 'failed'];
