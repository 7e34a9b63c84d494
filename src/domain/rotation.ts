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

import type { ApprovalRecord, ContinuityRecord, RejectionRecord } from './approval-record';
import type { ApprovalMode, LinkAuthentication } from './approval-route';
import type { CertificateSummary, KeySize } from './certificate';
import type { Reference, ReferenceChange, ReferenceConflict, ReferenceTarget, RestoredReference } from './reference';

export type { CertificateSummary } from './certificate';
export type { ApprovalRecord, ContinuityRecord, RejectionRecord } from './approval-record';
/** The signed link's part of an approve / reject message. */
export type LinkRequest = LinkAuthentication;
export type { Reference, ReferenceChange, ReferenceConflict, ReferenceTarget, RestoredReference } from './reference';

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
  readonly keySize?: KeySize;
  readonly caSigned?: boolean;
  readonly strategy?: Strategy;
  /** Targets to switch; `discover` scans the org for fields holding the name. */
  readonly references?: {
    readonly discover?: boolean;
    readonly targets?: readonly ReferenceTarget[];
    /**
     * References that hold the certificate's label instead of its Unique Name are a
     * configuration error: the rotation refuses them unless this is true, and then writes
     * the new Unique Name there (a rollback writes the old Unique Name, never the label).
     */
    readonly repairLabels?: boolean;
    /**
     * Places that name the certificate but that no API can switch (Apex code, protected
     * settings, read-only fields) make the rotation refuse at backing-up, naming each with
     * its key (e.g. `apex-class:Contoso_Callout`). Listing a key here acknowledges it: it
     * becomes a manual step, and clean-up keeps the old certificate until an operator
     * confirms the manual steps were done (`certrot confirm-manual-steps`).
     */
    readonly acknowledge?: readonly string[];
  };
  readonly approval?: {
    readonly approvers?: readonly string[];
    readonly timeout?: string;
    /** How the approval may come besides a person (default `manual`); see approval-route.ts. */
    readonly mode?: ApprovalMode;
    /** `registry` mode: how often to ask the registry (default DEFAULT_REGISTRY_POLL, 10 seconds to 1 day). */
    readonly pollInterval?: string;
  };
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
  readonly keySize: KeySize;
  readonly caSigned: boolean;
  readonly strategy: Strategy;
  readonly references: {
    readonly discover: boolean;
    readonly targets: readonly ReferenceTarget[];
    readonly repairLabels: boolean;
    /** Acknowledged unswitchable places (absent in inputs resolved before they existed). */
    readonly acknowledge?: readonly string[];
  };
  readonly approval: {
    readonly approvers: readonly string[];
    readonly timeout: string;
    readonly timeoutMs: number;
    /** Absent in inputs resolved before approval routes existed: `manual`. */
    readonly mode?: ApprovalMode;
    readonly pollInterval?: string;
    readonly pollIntervalMs?: number;
  };
  readonly window: WindowRequest;
  /** The on-approval window's length in ms (0 for a fixed window). */
  readonly windowDurationMs: number;
  readonly gracePeriod: string;
  readonly gracePeriodMs: number;
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

export { rotationWorkflowId } from './rotation-id';

export const ROTATION_TASK_QUEUE = 'certrot-rotations';

// ---- what the workflow learns along the way ---------------------------------------------

/** One record that names the certificate, as found at backup time. */
export type ReferenceRecord = Reference;

/** Who saw what a check reports: certrot itself, the org, the vendor's API, or people at the vendor. */
export type Observer = 'certrot' | 'salesforce' | 'vendor-api' | 'provisioning-team';

export interface VerificationCheck {
  readonly name: string;
  /** A check that could not be made is `made: false` and never counts as passed. */
  readonly passed: boolean;
  readonly made?: boolean;
  readonly observedBy?: Observer;
  readonly detail: string;
}

export interface VerificationResult {
  readonly passed: boolean;
  readonly checks: readonly VerificationCheck[];
  readonly at: string;
  /** Set after a rollback: this verification describes a state that no longer holds. */
  readonly supersededBy?: string;
}

// ---- messages -----------------------------------------------------------------------------

export interface ApproveRequest {
  readonly approver: string;
  readonly fingerprint: string;
  readonly window?: RotationWindow;
  readonly link?: LinkAuthentication;
}
export interface ApproveResult {
  readonly accepted: true;
  readonly window: RotationWindow;
}
/** Every operator update answers with what it changed; refusals arrive as update failures. */
export interface MessageResult {
  readonly accepted: true;
  readonly message: string;
  readonly phase: Phase;
}
/** The first answer of a rotation started with update-with-start: input accepted, preflight passed. */
export interface StartedResult {
  readonly workflowId: string;
  readonly phase: Phase;
  readonly orgId: string;
}
export interface RejectRequest {
  readonly approver: string;
  readonly reason: string;
  readonly link?: LinkAuthentication;
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

/** `confirmManualSteps`: who switched the acknowledged manual references. */
export interface ConfirmManualStepsRequest {
  readonly by: string;
  readonly note?: string;
}

// ---- status -------------------------------------------------------------------------------

export interface TimelineEntry {
  readonly phase: Phase;
  readonly at: string;
  readonly note?: string;
}


/** A place certrot cannot switch, acknowledged by the request: a person switches it. */
export interface ManualReference {
  /** The acknowledgement key, e.g. `apex-class:Contoso_Callout`. */
  readonly key: string;
  /** Where, for people: `ApexClass Contoso_Callout line 12`. */
  readonly where: string;
  /** What to do, naming the old and the new certificate. */
  readonly fix: string;
}

/** An operator's word that the manual references were switched (clean-up waits for it). */
export interface ManualStepsConfirmation {
  readonly by: string;
  readonly note: string | null;
  readonly at: string;
  readonly via: 'update' | 'signal';
}

/** What the provisioning team said it did (a vendor run by people): reported, not observed. */
export interface VendorConfirmation {
  readonly fingerprint: string;
  readonly by: string | null;
  readonly at: string;
  readonly via: 'update' | 'signal';
}

export interface IgnoredMessage {
  readonly message: string;
  readonly at: string;
  readonly reason: string;
}

export const OUTCOMES = ['completed', 'completed-with-manual-steps', 'rolled-back', 'failed'] as const;
/** `completed-with-manual-steps`: the rotation switched and verified, but some clean-up is left for a person. */
export type Outcome = (typeof OUTCOMES)[number];

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
  rejection: RejectionRecord | null;
  referencesFound: Reference[];
  referencesChanged: ReferenceChange[];
  conflicts: ReferenceConflict[];
  /** After a rollback: every reference as restored, with the value it holds now. */
  restored?: RestoredReference[];
  vendorAppliedAt: string | null;
  vendorConfirmation?: VendorConfirmation | null;
  verification: VerificationResult | null;
  /** ms from the first side's switch to the second's; 0 for overlap; null before apply. */
  mismatchWindowMs: number | null;
  errors: string[];
  /** Refused messages (signals; refused updates answer their sender), the latest 50. */
  ignoredMessages: IgnoredMessage[];
  /** How many messages were refused in all (ignoredMessages keeps only the latest). */
  refusedCount?: number;
  /** Set when compensation could not finish: what an operator must fix by hand. */
  manualSteps: string[];
  /** Acknowledged places certrot cannot switch; clean-up waits for `manualStepsConfirmed`. */
  manualReferences?: ManualReference[];
  manualStepsConfirmed?: ManualStepsConfirmation | null;
  outcome: Outcome | null;
  /** When the outcome was reached. */
  endedAt?: string | null;
  // ---- approval routes (absent in rotations from before them) ----
  /** The id the vendor knows the org by (preflight). */
  vendorOrgId?: string;
  approvalMode?: ApprovalMode;
  /** Until when an approval can arrive (ISO-8601). */
  approvalDeadline?: string | null;
  /** The window an approval without one would agree to; null = it opens at approval. */
  proposedWindow?: RotationWindow | null;
  continuity?: ContinuityRecord | null;
  reason: string | null;
}

export const TERMINAL_PHASES: readonly Phase[] = ['completed', 'rolled-back', 'failed'];
