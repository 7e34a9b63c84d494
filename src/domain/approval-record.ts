/**
 * What a rotation records of its approval: the decision (who, when, for which window, how
 * it came and how the approver was authenticated), a rejection, and the continuity route's
 * attempt. Part of the rotation's status (rotation.ts). Workflow-safe: types only.
 */
import type { ApprovalAuthentication, ApprovalVia, ContinuityVerdict } from './approval-route';
import type { SignedContinuityStatement } from './continuity-statement';
import type { RotationWindow } from './rotation';

export interface ApprovalRecord {
  readonly approver: string;
  readonly fingerprint: string;
  readonly at: string;
  readonly window: RotationWindow;
  readonly via: ApprovalVia;
  /** How the approver was authenticated (absent in statuses from before approval routes: Temporal). */
  readonly authentication?: ApprovalAuthentication;
}

export interface RejectionRecord {
  readonly approver: string;
  readonly reason: string;
  readonly at: string;
  readonly via?: ApprovalVia;
  readonly authentication?: ApprovalAuthentication;
}

/** The `continuity` route's attempt: the statement as signed, the vendor's verdict, or why there is none. */
export interface ContinuityRecord {
  readonly signed: SignedContinuityStatement | null;
  readonly verdict: ContinuityVerdict | null;
  /** Why the route did not approve (certrot's own check, the activity's failure, the verdict, the rules); null once it approved. */
  readonly problem: string | null;
  readonly at: string;
}
