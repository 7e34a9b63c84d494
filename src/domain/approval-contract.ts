/**
 * The approval routes' activities (implemented in src/activities/approval-activities.ts):
 * what the workflow sends and gets back. Plain data; nothing secret crosses this boundary —
 * no link token, no link key (the proof is an HMAC that opens nothing).
 */
import type { ContinuityVerdict, LinkAuthentication, RegistryApprovalState } from './approval-route';
import type { SignedContinuityStatement } from './continuity-statement';
import type { RotationWindow } from './rotation';
import type { RotationRun } from './vendor';

/**
 * `registry` mode: what the registry says about the new key. With `untilDecided`, a
 * `pending` answer fails the attempt with the retryable type `APPROVAL_PENDING`, so the
 * workflow polls through the activity's retry policy (initialInterval = the poll interval,
 * backoffCoefficient 1) and its history does not grow with every poll.
 */
export interface RegistryApprovalInput {
  readonly vendor: string;
  readonly orgId: string;
  readonly fingerprint: string;
  readonly untilDecided?: boolean;
}

/** The failure type of a poll that found the registry still undecided. */
export const APPROVAL_PENDING = 'APPROVAL_PENDING';

/** `continuity` mode: have the org sign the statement with both certificates and send it. */
export interface ContinuityInput {
  readonly org: string;
  readonly vendor: string;
  /** The id the vendor knows the org by. */
  readonly orgId: string;
  readonly run: RotationRun;
  readonly old: { readonly uniqueName: string; readonly spkiFingerprint: string };
  readonly created: { readonly uniqueName: string; readonly spkiFingerprint: string };
  readonly proposedWindow: RotationWindow | null;
}

export type ContinuityResult =
  /** Signed, checked by certrot, sent; the vendor's verdict. */
  | { readonly sent: true; readonly signed: SignedContinuityStatement; readonly verdict: ContinuityVerdict }
  /** certrot's own check of the statement failed: nothing was sent. */
  | { readonly sent: false; readonly signed: SignedContinuityStatement | null; readonly problem: string };

/** Did the approval service really send this link decision? (The worker holds the link key.) */
export interface ApprovalLinkCheckInput {
  readonly workflowId: string;
  readonly fingerprint: string;
  readonly decision: 'approve' | 'reject';
  readonly link: LinkAuthentication;
}
export interface ApprovalLinkCheckResult {
  readonly valid: boolean;
  /** Why not, for the timeline. */
  readonly problem: string | null;
}

export interface ApprovalActivities {
  pollRegistryApproval(input: RegistryApprovalInput): Promise<RegistryApprovalState>;
  proveContinuity(input: ContinuityInput): Promise<ContinuityResult>;
  checkApprovalLink(input: ApprovalLinkCheckInput): Promise<ApprovalLinkCheckResult>;
}
