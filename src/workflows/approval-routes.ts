/**
 * The automatic approval routes of a rotation awaiting approval (approval-route.ts):
 *
 * - `registry`: one `pollRegistryApproval` activity whose retry policy is the poll (see
 *   activity-options.ts `registryPoll`), cancelled as soon as anything else decides (a
 *   person, an abort, the deadline: the phase moves on). Its answer goes through the same
 *   pure rules as a person's message; a registry rejection rolls back as a person's does.
 * - `continuity`: one `proveContinuity` activity right after sharing; only a verdict that
 *   verified both signatures AND approved under the vendor's standing policy becomes an
 *   approval, through the same rules. Whatever failed is noted and kept in
 *   `status.continuity`, and the rotation waits for a person.
 *
 * Neither route ever approves what its proof did not show, and a person can always decide
 * meanwhile (signed link, CLI, UI). After a missed window neither route runs again: the
 * registry's answer and the continuity verdict were for the window that closed, so a person
 * approves with a new window or reschedules (the timeline says so).
 *
 * Text from the vendor is kept as given here and escaped where it is shown.
 */
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { ContinuityResult } from '../domain/approval-contract';
import { DEFAULT_REGISTRY_POLL, type ContinuityVerdict, type RegistryApprovalState } from '../domain/approval-route';
import type { CertificateSummary } from '../domain/certificate';
import { parseDuration } from '../domain/durations';
import { describeFailure } from '../domain/failure-description';
import { MESSAGE_LIMITS } from '../domain/operator-messages';
import type { RotationInput, RotationWindow } from '../domain/rotation';
import type { RotationRun } from '../domain/vendor';
import { registryPoll, steps } from './activity-options';
import type { RotationState } from './rotation-state';

/** The marker of the approval routes (#13): deadline before sharing, link in notices, automatic routes. */
export const APPROVAL_ROUTES_PATCH = 'approval-routes';

export interface RouteContext {
  readonly state: RotationState;
  readonly input: RotationInput;
  /** The id the vendor knows the org by. */
  readonly orgId: string;
  readonly run: RotationRun;
  readonly old: CertificateSummary;
  readonly created: CertificateSummary;
  readonly proposedWindow: RotationWindow | null;
}

const WAIT_FOR_A_PERSON = 'waiting for a person to approve or reject (signed link or CLI)';

/** Starts the request's automatic route, if any; it runs beside the wait for a person and never throws. */
export function startAutomaticRoute(ctx: RouteContext): void {
  const mode = ctx.input.approval.mode ?? 'manual';
  if (mode === 'registry') void pollRegistry(ctx);
  else if (mode === 'continuity') void proveContinuity(ctx);
}

/** Nobody has decided yet and nothing is stopping the rotation. */
function undecided(state: RotationState): boolean {
  return state.phase === 'awaiting-approval' && state.status.window === null && state.status.rejection === null && state.abortReason === null && state.status.outcome === null;
}

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function vendorName(vendor: string, by: string | null): string {
  return clip(`vendor ${vendor}${by ? ` (${by})` : ''}`, MESSAGE_LIMITS.approver);
}

// ---- registry -----------------------------------------------------------------------------

async function pollRegistry(ctx: RouteContext): Promise<void> {
  const { state, input } = ctx;
  const scope = new CancellationScope();
  // Whoever decides first ends the poll; the activity is cancelled, not left to run.
  void condition(() => !undecided(state)).then(() => scope.cancel());
  let answer: RegistryApprovalState;
  try {
    const poll = registryPoll(input.approval.pollIntervalMs ?? parseDuration(DEFAULT_REGISTRY_POLL, 'approval.pollInterval'));
    answer = await scope.run(() => poll.pollRegistryApproval({ vendor: input.vendor, orgId: ctx.orgId, fingerprint: ctx.created.spkiFingerprint, untilDecided: true }));
  } catch (error) {
    if (isCancellation(error)) return;
    if (undecided(state)) state.note(`the registry's approval state could not be read (${describeFailure(error)}); ${WAIT_FOR_A_PERSON}`);
    return;
  }
  registryAnswered(ctx, answer);
}

function registryAnswered(ctx: RouteContext, answer: RegistryApprovalState): void {
  const { state, input } = ctx;
  if (!undecided(state)) return;
  if (answer.state === 'pending') {
    state.note(`the registry still has no decision on the new key; ${WAIT_FOR_A_PERSON}`);
    return;
  }
  if (answer.state === 'approved') {
    const raw = { approver: vendorName(input.vendor, answer.approvedBy), fingerprint: answer.fingerprint, ...(answer.window ? { window: answer.window } : {}) };
    const decision = state.decideAs('approve', raw, 'registry');
    if (decision.accept) state.approve(decision.value, 'registry', { method: 'vendor-api', vendor: input.vendor, approvedBy: answer.approvedBy });
    else state.note(`the registry approved, but its approval does not count: ${decision.reason}; ${WAIT_FOR_A_PERSON}`);
    return;
  }
  if (answer.fingerprint !== ctx.created.spkiFingerprint) {
    state.note(`the registry rejected another key (${answer.fingerprint}), not the new one; ${WAIT_FOR_A_PERSON}`);
    return;
  }
  const reason = clip(answer.reason.trim() || 'no reason given', MESSAGE_LIMITS.reason);
  const decision = state.decideAs('reject', { approver: vendorName(input.vendor, answer.rejectedBy), reason }, 'registry');
  if (decision.accept) state.reject(decision.value, 'registry', { method: 'vendor-api', vendor: input.vendor, approvedBy: answer.rejectedBy });
  else state.note(`the registry rejected the new key, but its rejection does not count: ${decision.reason}; ${WAIT_FOR_A_PERSON}`);
}

// ---- continuity ---------------------------------------------------------------------------

async function proveContinuity(ctx: RouteContext): Promise<void> {
  const { state, input, old, created } = ctx;
  let result: ContinuityResult;
  try {
    // A side effect at the vendor (the statement is sent): it runs to its end, like the runbook's steps.
    result = await CancellationScope.nonCancellable(() =>
      steps.proveContinuity({
        org: input.org,
        vendor: input.vendor,
        orgId: ctx.orgId,
        run: ctx.run,
        old: { uniqueName: old.uniqueName, spkiFingerprint: old.spkiFingerprint },
        created: { uniqueName: created.uniqueName, spkiFingerprint: created.spkiFingerprint },
        proposedWindow: ctx.proposedWindow,
      }),
    );
  } catch (error) {
    continuityRefused(state, null, null, `the continuity statement could not be made or sent: ${describeFailure(error)}`);
    return;
  }
  if (!result.sent) {
    continuityRefused(state, result.signed, null, `certrot's own check of the continuity statement failed, nothing was sent: ${result.problem}`);
    return;
  }
  const { verdict } = result;
  if (!verdict.verified) {
    continuityRefused(state, result.signed, verdict, `vendor ${input.vendor} did not verify the continuity statement: ${verdict.problem ?? 'no reason given'}`);
    return;
  }
  if (verdict.approval !== 'approved') {
    continuityRefused(state, result.signed, verdict, `vendor ${input.vendor} verified the continuity statement but has no standing approval for this rotation (pending)`);
    return;
  }
  if (!undecided(state)) {
    state.continuityRecorded({ signed: result.signed, verdict, problem: 'decided otherwise before the verdict arrived', at: iso() });
    return;
  }
  const policy = verdict.policy;
  const raw = {
    approver: clip(`vendor ${input.vendor} (continuity policy ${policy ?? 'unnamed'})`, MESSAGE_LIMITS.approver),
    fingerprint: created.spkiFingerprint,
    ...(verdict.window ? { window: verdict.window } : {}),
  };
  const decision = state.decideAs('approve', raw, 'continuity');
  if (!decision.accept) {
    continuityRefused(state, result.signed, verdict, `the continuity approval does not count: ${decision.reason}`);
    return;
  }
  state.continuityRecorded({ signed: result.signed, verdict, problem: null, at: iso() });
  state.approve(decision.value, 'continuity', { method: 'continuity', vendor: input.vendor, policy });
}

function continuityRefused(state: RotationState, signed: ContinuityResult['signed'], verdict: ContinuityVerdict | null, problem: string): void {
  state.continuityRecorded({ signed, verdict, problem, at: iso() });
  if (undecided(state)) state.note(`continuity: ${problem}; ${WAIT_FOR_A_PERSON}`);
}

function iso(): string {
  return new Date().toISOString();
}
