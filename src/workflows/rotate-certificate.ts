/**
 * rotateCertificate: the certificate rotation runbook as one durable workflow, following
 * the state machine in ../shared/DESIGN.md:
 *
 *   backing-up -> generating -> sharing -> awaiting-approval -> scheduled -> applying
 *   -> verifying -> grace-period -> cleaning-up -> completed (or completed-with-manual-steps)
 *   any failure after generating -> compensating -> rolled-back (or failed, with the reason)
 *
 * It runs only under its canonical id (`rotate/<org>/<unique name>`, lower case) and holds a
 * lock on the Salesforce org id + certificate, so there is one rotation per certificate
 * however it was started. Every step with a side effect runs to completion even when the
 * rotation is aborted or cancelled; aborts take effect at the next step boundary, and the
 * saga undoes what was done, in reverse order, non-cancellably. Messages are wired to the
 * state class (rotation-state.ts), whose rules are pure (src/domain/message-rules.ts).
 *
 * Rotations started before this core replay on the frozen v1 code (`patched`). Since
 * 'approval-routes' the approval deadline is fixed before sharing (notices carry a signed
 * link expiring with it) and the request's automatic route runs beside the wait for a
 * person (approval-routes.ts).
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  metricMeter,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { replacementUniqueName, deriveNewLabel } from '../domain/certificate-names';
import { namedCertificate } from '../domain/activity-contract';
import { describeFailure } from '../domain/failure-description';
import { rotationMetrics } from '../domain/metrics';
import { forwardChanges, labelProblem } from '../domain/reference-plan';
import type { Phase, RotationInput, RotationRequest, RotationStatus } from '../domain/rotation';
import { rotationIdProblem } from '../domain/rotation-id';
import { approvalModeProblem, resolveRotationRequest } from '../domain/rotation-request';
import { APPROVAL_ROUTES_PATCH, startAutomaticRoute } from './approval-routes';
import { applyRotation } from './apply-strategies';
import { steps } from './activity-options';
import { acquireCertificateLock, type HeldLock } from './certificate-lock';
import { acceptUnswitchable, afterRollback, manualStepsConfirmed } from './manual-references';
import { deleteNewCertificate, restoreOldKey, restoreReferences, withdrawNewKey, type CompensationContext } from './rotation-compensations';
import { RotationStopped } from './rotation-stopped';
import { wireMessages } from './rotation-messages';
import { presentRotation, QUIET_HISTORY_PATCH } from './rotation-presentation';
import { RotationState } from './rotation-state';
import { Saga } from './saga';
import { rotateCertificateV1 } from './rotate-certificate-v1';

export const ROTATION_CORE_V2 = 'rotation-core-v2';

export async function rotateCertificate(request: RotationRequest): Promise<RotationStatus> {
  if (!patched(ROTATION_CORE_V2)) return rotateCertificateV1(request);
  const info = workflowInfo();
  let input: RotationInput;
  try {
    input = resolveRotationRequest(request, new Date());
    const idProblem = rotationIdProblem(info.workflowId, input.org, input.certificate);
    if (idProblem) throw ApplicationFailure.nonRetryable(idProblem, 'INVALID_INPUT');
  } catch (error) {
    return refuseInput(describeFailure(error).replace(/^INVALID_INPUT: /, ''));
  }
  return new Rotation(info.workflowId, info.runId, input).run();
}

/** Nothing has happened: the `started` update and the workflow fail with the reason. */
async function refuseInput(reason: string): Promise<never> {
  wireMessages(null, reason);
  await condition(allHandlersFinished);
  throw ApplicationFailure.nonRetryable(reason, 'INVALID_INPUT');
}

const ENDED: readonly Phase[] = ['completed', 'rolled-back', 'failed'];

class Rotation {
  private readonly state: RotationState;
  private readonly saga = new Saga();
  private readonly metrics;
  private phaseEnteredAt = Date.now();
  private orgId = '';
  private lock: HeldLock | null = null;

  constructor(
    workflowId: string,
    private readonly runId: string,
    private readonly input: RotationInput,
  ) {
    this.state = new RotationState(workflowId, input);
    this.state.onChange(presentRotation(this.state, input.certificate));
    this.metrics = rotationMetrics(metricMeter, { org: input.org, vendor: input.vendor, strategy: input.strategy });
    wireMessages(this.state, null);
  }

  private get run_() {
    return { workflowId: this.state.workflowId, runId: this.runId };
  }

  private enter(phase: Phase, note?: string): void {
    const now = Date.now();
    this.metrics.phaseEnded(this.state.phase, now - this.phaseEnteredAt);
    this.phaseEnteredAt = now;
    this.state.enter(phase, note);
  }

  /** Stops the runbook at a step boundary if an abort arrived meanwhile. */
  private checkpoint(): void {
    if (this.state.abortReason !== null) throw new RotationStopped(this.state.abortReason);
  }

  async run(): Promise<RotationStatus> {
    try {
      await this.runbook();
    } catch (error) {
      await this.stop(error);
    }
    const status = this.state.status;
    if (status.outcome) this.metrics.outcome(status.outcome);
    await this.lock?.release();
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    if (status.outcome === 'failed') {
      const refused = status.newCertificate === null && status.manualSteps.length === 0;
      throw ApplicationFailure.nonRetryable(
        refused
          ? `Rotation refused, nothing was changed: ${status.reason ?? 'unknown reason'}`
          : `Rotation failed and could not be fully undone (${status.reason ?? 'unknown reason'}). Fix by hand:\n- ${status.manualSteps.join('\n- ')}`,
        refused ? 'ROTATION_REFUSED' : 'ROTATION_FAILED',
        status,
      );
    }
    return status;
  }

  private async runbook(): Promise<void> {
    const { input, state } = this;
    const today = new Date();
    const newUniqueName = input.newUniqueName ?? replacementUniqueName(input.certificate, today);

    // ---- preflight: configuration, vendor, a free new name, the certificate lock ----------
    const preflight = await steps.preflight({ org: input.org, vendor: input.vendor, strategy: input.strategy, certificate: input.certificate, newUniqueName });
    this.orgId = preflight.orgId;
    this.lock = await acquireCertificateLock(state.workflowId, preflight.salesforceOrgId, input.certificate);
    const undoing: CompensationContext = { org: input.org, vendor: input.vendor, orgId: this.orgId, run: this.run_ };
    if (preflight.newNameTakenBy !== null) {
      throw new RotationStopped(
        `CERT_ALREADY_EXISTS: newUniqueName: org ${input.org} already has a certificate named ${preflight.newNameTakenBy} ` +
          '(Unique Names are compared case-insensitively); choose another newUniqueName — certrot never takes over a certificate it did not create',
      );
    }
    const modeProblem = approvalModeProblem(input.approval.mode ?? 'manual', preflight.vendor.kind, input.vendor);
    if (modeProblem) throw new RotationStopped(modeProblem);
    const preflightAt = new Date().toISOString();
    state.preflightPassed(preflight.vendor.kind, preflight.salesforceOrgId);

    // ---- backing-up ----------------------------------------------------------------------
    const backup = await steps.backUpCertificate({ org: input.org, certificate: input.certificate, discover: input.references.discover, targets: input.references.targets });
    const old = backup.certificate;
    state.backedUp(old, backup.references);
    const labels = labelProblem(backup.references, input.references.repairLabels, old.uniqueName);
    if (labels) throw new RotationStopped(labels);
    acceptUnswitchable(state, input, backup.unswitchable ?? [], old.uniqueName, newUniqueName);
    state.accepted();
    this.checkpoint();

    // ---- generating ----------------------------------------------------------------------
    this.enter('generating');
    const created = await nonCancellable(() =>
      steps.generateCertificate({
        org: input.org,
        uniqueName: newUniqueName,
        label: input.newLabel ?? deriveNewLabel(old.label, today),
        keySize: input.keySize,
        caSigned: input.caSigned,
        rotationStartedAt: preflightAt,
        replacing: old.uniqueName,
      }),
    );
    state.generated(created);
    this.saga.add(deleteNewCertificate(undoing, created));
    this.checkpoint();

    // ---- sharing -------------------------------------------------------------------------
    this.enter('sharing');
    this.saga.add(withdrawNewKey(undoing, old, created, () => state.status.reason ?? 'rotation rolled back'));
    const proposedWindow = input.window.mode === 'fixed' ? { start: input.window.start, end: input.window.end } : null;
    // Since 'approval-routes' the deadline is known before sharing: the team's link expires with it.
    const routes = patched(APPROVAL_ROUTES_PATCH);
    const deadline = routes ? Date.now() + input.approval.timeoutMs : null;
    if (deadline !== null) state.approvalRoutes(this.orgId, new Date(deadline).toISOString());
    const expiring = deadline !== null ? { approvalExpiresAt: new Date(deadline).toISOString() } : {};
    const shared = await nonCancellable(() =>
      steps.shareKey({ vendor: input.vendor, orgId: this.orgId, org: input.org, run: this.run_, certificate: created, previousFingerprint: old.spkiFingerprint, proposedWindow, ...expiring }),
    );
    if (shared.notified.length) state.note(`new key shared with ${shared.notified.join(', ')}`);
    this.checkpoint();

    // ---- awaiting-approval and scheduled (until a window opens that has not closed) -------
    this.enter('awaiting-approval');
    if (routes) startAutomaticRoute({ state, input, orgId: this.orgId, run: this.run_, old, created, proposedWindow });
    const window = await this.agreeOnWindow(created.spkiFingerprint, deadline ?? Date.now() + input.approval.timeoutMs);

    // ---- applying ------------------------------------------------------------------------
    this.enter('applying');
    const changes = forwardChanges(backup.references, created.uniqueName);
    this.saga.add(restoreReferences(undoing, old, created, changes, (restored) => state.restored(restored)));
    this.saga.add(restoreOldKey(undoing, old, created));
    const mismatch = await nonCancellable(() =>
      applyRotation({ org: input.org, vendor: input.vendor, orgId: this.orgId, run: this.run_, strategy: input.strategy, capabilities: preflight.vendor, old, created, changes, window }, state),
    );
    state.measured(mismatch);
    this.metrics.mismatchWindow(mismatch);
    if (state.status.conflicts.length > 0) {
      throw new RotationStopped(
        `${state.status.conflicts.length} reference(s) changed by someone else since the backup: ` +
          state.status.conflicts.map((c) => `${c.object}.${c.field} ${c.recordId} holds "${c.actual ?? ''}"`).join('; '),
      );
    }
    if (Date.now() > Date.parse(window.end)) throw new RotationStopped(`the window closed at ${window.end} before applying completed`);
    this.checkpoint();

    // ---- verifying -----------------------------------------------------------------------
    this.enter('verifying');
    const verification = await nonCancellable(() =>
      steps.verifyRotation({
        org: input.org,
        orgId: this.orgId,
        vendor: input.vendor,
        // Since 'quiet-presentation' named by its fingerprints: the activity reads the PEM it verifies against.
        newCertificate: patched(QUIET_HISTORY_PATCH) ? namedCertificate(created) : created,
        previousCertificate: old.uniqueName,
        expectedReferences: state.status.referencesChanged.length,
        targets: backup.targets,
        signature: input.verification.signature,
        calloutUrl: input.verification.calloutUrl,
        vendorConfirmation: state.status.vendorConfirmation ?? null,
        ...(backup.unswitchable?.length ? { unswitchable: backup.unswitchable } : {}),
      }),
    );
    state.verified(verification);
    if (!verification.passed) {
      const failed = verification.checks.filter((check) => !check.passed).map((check) => `${check.name}: ${check.detail}`);
      throw new RotationStopped(`verification failed: ${failed.join('; ')}`);
    }
    this.checkpoint();

    // ---- grace-period --------------------------------------------------------------------
    this.enter('grace-period');
    await condition(() => state.rollbackReason !== null, input.gracePeriodMs);
    if (state.rollbackReason !== null) throw new RotationStopped(state.rollbackReason);

    // ---- cleaning-up (irreversible: only after verification and the grace period) --------
    this.enter('cleaning-up');
    this.saga.clear();
    if (!(await manualStepsConfirmed(state, input, old, created))) {
      this.endWith('completed-with-manual-steps', null, 'completed; the old certificate was kept: the manual references were not confirmed (see manualSteps)');
      return;
    }
    if (input.strategy === 'overlap') {
      await this.attempt(`retire the old key ${old.spkiFingerprint} at vendor ${input.vendor}`, () =>
        steps.retireVendorKey({ vendor: input.vendor, orgId: this.orgId, run: this.run_, fingerprint: old.spkiFingerprint }),
      );
    }
    await this.attempt(`delete the old certificate ${old.uniqueName} in org ${input.org}`, () =>
      steps.deleteCertificate({ org: input.org, uniqueName: old.uniqueName, fingerprint: old.fingerprint }),
    );
    const manual = state.status.manualSteps.length > 0;
    this.endWith(manual ? 'completed-with-manual-steps' : 'completed', null, manual ? 'completed; some clean-up must be finished by hand (see manualSteps)' : undefined);
  }

  /**
   * Waits for an approval (or a rejection, an abort, the approval timeout), then for its
   * window to open. A window that closed before applying started changes nothing: the
   * vendor is told and the rotation waits again — for a reschedule or a new approval —
   * until the approval timeout.
   */
  private async agreeOnWindow(fingerprint: string, deadline: number): Promise<{ start: string; end: string }> {
    const { state, input } = this;
    for (;;) {
      const decided = await condition(
        () => (state.status.window !== null && !state.windowMissed) || state.status.rejection !== null || state.abortReason !== null,
        Math.max(0, deadline - Date.now()),
      );
      this.checkpoint();
      const rejection = state.status.rejection;
      if (rejection) throw new RotationStopped(`rejected by ${rejection.approver}: ${rejection.reason}`);
      if (!decided) throw new RotationStopped(state.windowMissed ? `no new window agreed within ${input.approval.timeout}` : `no approval within ${input.approval.timeout}`);
      if (state.phase !== 'scheduled') this.enter('scheduled');
      const window = await this.windowOpening();
      if (Date.now() < Date.parse(window.end)) return window;
      state.missedWindow(window);
      await this.attempt(
        `tell vendor ${input.vendor} that the window ${window.start} → ${window.end} was missed`,
        () => steps.notifyWindowMissed({ vendor: input.vendor, orgId: this.orgId, run: this.run_, fingerprint, window, waitingUntil: new Date(deadline).toISOString() }),
        false,
      );
    }
  }

  /** Sleeps until the agreed window starts; a reschedule wakes it to wait for the new one. */
  private async windowOpening(): Promise<{ start: string; end: string }> {
    for (;;) {
      const window = this.state.status.window;
      if (!window) throw new RotationStopped('approved without a window');
      const wait = Date.parse(window.start) - Date.now();
      if (wait <= 0) return window;
      const seen = this.state.windowVersion;
      await condition(() => this.state.windowVersion !== seen || this.state.abortReason !== null, wait);
      this.checkpoint();
    }
  }

  /** A step whose failure does not undo the rotation but must be reported (and, if `manual`, finished by hand). */
  private async attempt(what: string, fn: () => Promise<unknown>, manual = true): Promise<void> {
    try {
      await nonCancellable(fn);
    } catch (error) {
      this.state.error(`${what}: ${describeFailure(error)}`);
      if (manual) this.state.manualStep(`${what[0]?.toUpperCase() ?? ''}${what.slice(1)} by hand (${describeFailure(error)}).`);
    }
  }

  private endWith(outcome: NonNullable<RotationStatus['outcome']>, reason: string | null, note?: string): void {
    this.metrics.phaseEnded(this.state.phase, Date.now() - this.phaseEnteredAt);
    this.state.end(outcome, reason, note);
  }

  /** Any stop: refuse (nothing changed) or compensate both sides. */
  private async stop(error: unknown): Promise<void> {
    const { state } = this;
    const reason = isCancellation(error) ? 'cancelled from Temporal' : describeFailure(error);
    if (!(error instanceof RotationStopped) && !isCancellation(error)) state.error(reason);
    if (ENDED.includes(state.phase)) return;
    if (this.saga.empty && state.status.newCertificate === null) {
      if (state.phase === 'generating') {
        state.manualStep(`Check whether org ${this.input.org} has a certificate ${this.input.newUniqueName ?? '(named after the old one and today)'} from this rotation and delete it if so.`);
      }
      state.refusal = reason;
      this.endWith('failed', reason, state.phase === 'generating' ? reason : `refused, nothing was changed: ${reason}`);
      return;
    }
    state.status.reason = reason;
    this.enter('compensating', reason);
    const report = await this.saga.compensate();
    for (const done of report.done) state.note(`done: ${done}`);
    for (const failed of report.failed) state.error(failed);
    for (const step of report.manualSteps) state.manualStep(step);
    const unfinished = state.status.manualSteps.length > 0;
    afterRollback(state, state.status.oldCertificate, state.status.newCertificate);
    if (unfinished) this.endWith('failed', reason, 'compensation could not finish; see manualSteps');
    else this.endWith('rolled-back', reason, reason);
  }
}

const nonCancellable = <T>(fn: () => Promise<T>): Promise<T> => CancellationScope.nonCancellable(fn);
