/**
 * May this message be accepted now? One pure function per operator message, over a
 * read-only view of the rotation and the workflow's clock. The workflow's update
 * validators and signal handlers both ask these, so an update is refused with exactly the
 * reason a refused signal is recorded with. Each function parses its payload first
 * (operator-messages.ts) and never throws.
 *
 * Workflow-safe and table-tested without a server (test/unit/message-rules.test.ts).
 */
import type { ApprovalMode } from './approval-route';
import { shortFingerprint } from './fingerprint';
import { parseMessage, windowProblem, type ParsedMessage } from './operator-messages';
import type { Outcome, Phase, RotationWindow } from './rotation';
import type { VendorKind } from './vendor';

/** What the rules need to know of a rotation. */
export interface RotationView {
  readonly phase: Phase;
  readonly outcome: Outcome | null;
  /** The new key's SPKI fingerprint, once generated. */
  readonly newSpkiFingerprint: string | null;
  /** Who may approve or reject; empty = anyone. */
  readonly approvers: readonly string[];
  /** The window an approval without one would use: the request's fixed window or a reschedule; null = opens at approval. */
  readonly proposedWindow: RotationWindow | null;
  /** The agreed window closed before applying: a new approval or reschedule is awaited. */
  readonly windowMissed: boolean;
  readonly vendorKind: VendorKind | null;
  /** The provisioning team already confirmed the new key. */
  readonly vendorConfirmed: boolean;
  readonly aborting: boolean;
  readonly rollingBack: boolean;
  readonly reschedules: number;
  /** Acknowledged places a person must switch (clean-up waits for their confirmation). */
  readonly manualReferences: number;
  /** Who already confirmed them, or null. */
  readonly manualStepsConfirmedBy: string | null;
  /** The request's approval mode (absent = manual). */
  readonly approvalMode?: ApprovalMode;
}

/**
 * Who decides: a person (CLI, UI, signed link), or the automatic route the request chose.
 * `approval.approvers` names the people who may decide; an automatic decision is allowed
 * only in its own mode, and the approvers list does not apply to it (the request chose the
 * route; the vendor is authenticated by its API or the continuity proof instead).
 */
export type DecisionOrigin = 'person' | 'registry' | 'continuity';

export type Decision<T> = { readonly accept: true; readonly value: T } | { readonly accept: false; readonly reason: string };

/** Windows can be moved this many times; after that, abort and start again. */
export const MAX_RESCHEDULES = 20;

const refuse = (reason: string): { accept: false; reason: string } => ({ accept: false, reason });

function ended(view: RotationView): string | null {
  return view.outcome !== null ? `the rotation has ended (${view.outcome})` : null;
}

function approverProblem(view: RotationView, approver: string, verb: string, origin: DecisionOrigin): string | null {
  if (origin !== 'person') {
    const mode = view.approvalMode ?? 'manual';
    return mode === origin ? null : `approval.mode is "${mode}": a ${origin} decision does not count for this rotation`;
  }
  if (view.approvers.length === 0) return null;
  const wanted = approver.trim().toLowerCase();
  if (view.approvers.some((a) => a.trim().toLowerCase() === wanted)) return null;
  return `approver: ${JSON.stringify(approver)} may not ${verb} this rotation (allowed: ${view.approvers.join(', ')})`;
}

function fingerprintProblem(view: RotationView, fingerprint: string): string | null {
  const expected = view.newSpkiFingerprint;
  if (expected === null) return 'the new certificate does not exist yet';
  if (fingerprint === expected) return null;
  return (
    `fingerprint: ${shortFingerprint(fingerprint)} is not the new certificate's SPKI fingerprint ${shortFingerprint(expected)}; ` +
    'install the public key certrot shared and confirm with its fingerprint'
  );
}

const awaitingDecision = (view: RotationView): boolean =>
  view.phase === 'awaiting-approval' || (view.phase === 'scheduled' && view.windowMissed);

export function decideApprove(view: RotationView, raw: unknown, now: number, origin: DecisionOrigin = 'person'): Decision<ParsedMessage<'approve'>> {
  const parsed = parseMessage('approve', raw);
  if (!parsed.ok) return refuse(parsed.problem);
  const message = parsed.value;
  const problem =
    ended(view) ??
    (view.aborting ? 'the rotation is being aborted' : null) ??
    (awaitingDecision(view) ? null : `the rotation is not awaiting approval (phase ${view.phase})`) ??
    approverProblem(view, message.approver, 'approve', origin) ??
    fingerprintProblem(view, message.fingerprint);
  if (problem) return refuse(problem);
  if (message.window) {
    const closed = windowProblem(message.window, now);
    if (closed) return refuse(closed);
  } else if (view.proposedWindow && Date.parse(view.proposedWindow.end) <= now) {
    return refuse(
      `window: the proposed window ${view.proposedWindow.start} → ${view.proposedWindow.end} has closed; ` +
        'approve with a new window (window.start and window.end, e.g. --window-start/--window-end)',
    );
  } else if (view.windowMissed && !view.proposedWindow) {
    return refuse('window: the agreed window closed before the switch; approve with a new window (window.start and window.end)');
  }
  return { accept: true, value: message };
}

export function decideReject(view: RotationView, raw: unknown, origin: DecisionOrigin = 'person'): Decision<ParsedMessage<'reject'>> {
  const parsed = parseMessage('reject', raw);
  if (!parsed.ok) return refuse(parsed.problem);
  const problem =
    ended(view) ??
    (awaitingDecision(view) ? null : `the rotation is not awaiting approval (phase ${view.phase}); use abort instead`) ??
    approverProblem(view, parsed.value.approver, 'reject', origin);
  return problem ? refuse(problem) : { accept: true, value: parsed.value };
}

export function decideReschedule(view: RotationView, raw: unknown, now: number): Decision<ParsedMessage<'reschedule'>> {
  const parsed = parseMessage('reschedule', raw);
  if (!parsed.ok) return refuse(parsed.problem);
  const problem =
    ended(view) ??
    (view.aborting ? 'the rotation is being aborted' : null) ??
    (view.phase === 'awaiting-approval' || view.phase === 'scheduled' ? null : `the window can be changed only before it opens (phase ${view.phase})`) ??
    (view.reschedules >= MAX_RESCHEDULES ? `the window was moved ${MAX_RESCHEDULES} times already; abort and start a new rotation` : null) ??
    windowProblem(parsed.value.window, now);
  return problem ? refuse(problem) : { accept: true, value: parsed.value };
}

export function decideVendorApplied(view: RotationView, raw: unknown): Decision<ParsedMessage<'vendorApplied'>> {
  const parsed = parseMessage('vendorApplied', raw);
  if (!parsed.ok) return refuse(parsed.problem);
  const problem =
    ended(view) ??
    (view.vendorKind === 'registry' ? 'this vendor is a key registry: certrot activates the key through its API, no confirmation is needed' : null) ??
    (view.phase === 'scheduled' || view.phase === 'applying' ? null : `a confirmation is expected only once the window opens (phase ${view.phase})`) ??
    (view.vendorConfirmed ? 'the provisioning team already confirmed the new key' : null) ??
    fingerprintProblem(view, parsed.value.fingerprint);
  return problem ? refuse(problem) : { accept: true, value: parsed.value };
}

const TOO_LATE_TO_ABORT: readonly Phase[] = ['cleaning-up', 'compensating', 'completed', 'rolled-back', 'failed'];

export function decideAbort(view: RotationView, raw: unknown): Decision<ParsedMessage<'abort'>> {
  const parsed = parseMessage('abort', raw);
  if (!parsed.ok) return refuse(parsed.problem);
  const problem =
    ended(view) ??
    (TOO_LATE_TO_ABORT.includes(view.phase) ? `too late to abort in phase ${view.phase}` : null) ??
    (view.aborting || view.rollingBack ? 'the rotation is already being stopped' : null);
  return problem ? refuse(problem) : { accept: true, value: parsed.value };
}

export function decideRollback(view: RotationView, raw: unknown): Decision<ParsedMessage<'rollback'>> {
  const parsed = parseMessage('rollback', raw);
  if (!parsed.ok) return refuse(parsed.problem);
  const problem =
    ended(view) ??
    (view.phase === 'grace-period' ? null : `rollback is possible only during the grace period (phase ${view.phase}); use abort before it`) ??
    (view.rollingBack ? 'the rotation is already rolling back' : null);
  return problem ? refuse(problem) : { accept: true, value: parsed.value };
}

/**
 * An operator says the acknowledged manual references were switched: clean-up may then
 * delete the old certificate. Accepted any time before the rotation ends, except while it
 * rolls back (the old certificate stays then anyway).
 */
export function decideConfirmManualSteps(view: RotationView, raw: unknown): Decision<ParsedMessage<'confirmManualSteps'>> {
  const parsed = parseMessage('confirmManualSteps', raw);
  if (!parsed.ok) return refuse(parsed.problem);
  const problem =
    ended(view) ??
    (view.manualReferences === 0 ? 'this rotation has no manual steps to confirm (no acknowledged references)' : null) ??
    (view.phase === 'compensating' ? 'the rotation is rolling back: the old certificate stays, and the manual references must name it' : null) ??
    (view.manualStepsConfirmedBy !== null ? `the manual steps were already confirmed by ${view.manualStepsConfirmedBy}` : null);
  return problem ? refuse(problem) : { accept: true, value: parsed.value };
}
