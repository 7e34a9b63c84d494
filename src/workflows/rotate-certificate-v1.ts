/**
 * FROZEN: the first released rotation workflow, kept so that rotations started before the
 * v2 core (see rotate-certificate.ts, `patched('rotation-core-v2')`) replay and finish
 * as they began. Do not change it; delete it (and deprecate the patch) once no rotation
 * started by it is open: `certrot list --running` shows none older than the upgrade.
 *
 * rotateCertificate v1: the certificate rotation runbook as one durable workflow, following
 * the state machine in ../shared/DESIGN.md:
 *
 *   backing-up -> generating -> sharing -> awaiting-approval -> scheduled -> applying
 *   -> verifying -> grace-period -> cleaning-up -> completed
 *   any failure after generating -> compensating -> rolled-back (or failed, with the reason)
 *
 * Every step with a side effect runs to completion even when the rotation is aborted or
 * cancelled (a half-created certificate or a half-switched org is worse than a late stop);
 * aborts take effect at the next step boundary, and compensation undoes what was done, in
 * reverse order, non-cancellably.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  metricMeter,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RotationActivitiesV1 as RotationActivities, VendorCapabilitiesV1 as VendorCapabilities } from './activity-contract-v1';
import { deriveNewLabel, deriveNewUniqueName } from '../domain/certificate-names';
import { formatDuration, parseDuration } from '../domain/durations';
import { isRotationError } from '../domain/errors';
import { rotationMetrics } from '../domain/metrics';
import { normalizeFingerprint, shortFingerprint } from '../domain/fingerprint';
import { parseWindow, resolveRotationRequest, windowFor } from '../domain/rotation-request';
import type {
  ApprovalRecord,
  ApproveRequest,
  CertificateSummary,
  Phase,
  ReferenceChange,
  RescheduleRequest,
  RotationInput,
  RotationStatus,
  RotationWindow,
} from '../domain/rotation';
import { SEARCH_ATTRIBUTE_KEYS } from '../domain/search-attributes';
import {
  abortSignal,
  approveSignal,
  approveUpdate,
  rejectSignal,
  rescheduleSignal,
  rescheduleUpdate,
  rollbackSignal,
  statusQuery,
  vendorAppliedSignal,
} from './messages';

const steps = proxyActivities<RotationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Compensation tries harder: giving up means an operator must repair by hand. */
const undo = proxyActivities<RotationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 8 },
});

/** A decision to stop the runbook and roll back (rejection, timeout, failed check, abort). */
class RotationStopped extends Error {}

interface Compensation {
  readonly what: string;
  /** What an operator must do by hand if this step cannot be completed. */
  readonly manual: string;
  /** Runs the undo; returns extra manual steps for parts it could not undo safely. */
  readonly run: () => Promise<string[]>;
}

const sideEffect = <T>(fn: () => Promise<T>): Promise<T> => CancellationScope.nonCancellable(fn);

function describeError(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    return `${error.cause.type ?? 'ERROR'}: ${error.cause.message}`;
  }
  if (error instanceof ApplicationFailure) return `${error.type ?? 'ERROR'}: ${error.message}`;
  if (isRotationError(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export async function rotateCertificateV1(request: unknown): Promise<RotationStatus> {
  const info = workflowInfo();
  let input: RotationInput;
  try {
    input = resolveRotationRequest(request, new Date());
  } catch (error) {
    // No side effect has happened: refuse with the message that names the bad field.
    throw ApplicationFailure.nonRetryable(describeError(error), 'INVALID_INPUT');
  }

  const now = (): string => new Date().toISOString();
  const status: RotationStatus = {
    workflowId: info.workflowId,
    org: input.org,
    vendor: input.vendor,
    strategy: input.strategy,
    phase: 'backing-up',
    timeline: [{ phase: 'backing-up', at: now() }],
    oldCertificate: null,
    newCertificate: null,
    window: null,
    approval: null,
    rejection: null,
    referencesFound: [],
    referencesChanged: [],
    conflicts: [],
    vendorAppliedAt: null,
    verification: null,
    mismatchWindowMs: null,
    errors: [],
    ignoredMessages: [],
    manualSteps: [],
    outcome: null,
    reason: null,
  };

  // ---- presentation: search attributes and the UI's current details -----------------------
  function publish(): void {
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTE_KEYS.CertificateName, value: input.certificate },
      { key: SEARCH_ATTRIBUTE_KEYS.OrgAlias, value: input.org },
      { key: SEARCH_ATTRIBUTE_KEYS.RotationPhase, value: status.phase },
    ]);
    const lines = [
      `**${status.phase}** — ${input.org} / ${input.certificate} → ${status.newCertificate?.uniqueName ?? '(new certificate)'} (${input.strategy}, vendor ${input.vendor})`,
    ];
    if (status.newCertificate && status.phase === 'awaiting-approval') {
      lines.push(`Waiting for the provisioning team to approve SPKI fingerprint \`${status.newCertificate.spkiFingerprint}\`.`);
    }
    if (status.window) lines.push(`Window: ${status.window.start} → ${status.window.end}`);
    if (status.approval) lines.push(`Approved by ${status.approval.approver} at ${status.approval.at}`);
    if (status.mismatchWindowMs !== null) lines.push(`Measured mismatch window: ${formatDuration(status.mismatchWindowMs)}`);
    if (status.reason) lines.push(`Reason: ${status.reason}`);
    if (status.manualSteps.length) lines.push('Manual steps needed:', ...status.manualSteps.map((s) => `- ${s}`));
    setCurrentDetails(lines.join('\n\n'));
  }

  // Product metrics (see src/domain/metrics.ts). They emit no command, so the workflow's
  // histories stay replay-compatible, and nothing is emitted while replaying.
  const metrics = rotationMetrics(metricMeter, { org: input.org, vendor: input.vendor, strategy: input.strategy });
  let phaseEnteredAt = Date.now();

  function enter(phase: Phase, note?: string): void {
    const at = Date.now();
    metrics.phaseEnded(status.phase, at - phaseEnteredAt);
    phaseEnteredAt = at;
    if (phase === 'completed' || phase === 'rolled-back' || phase === 'failed') metrics.outcome(phase);
    status.phase = phase;
    status.timeline.push(note === undefined ? { phase, at: now() } : { phase, at: now(), note });
    publish();
  }

  // ---- messages -----------------------------------------------------------------------------
  let rescheduleCount = 0;
  let requestedWindow: RotationWindow | null = null;
  let abortReason: string | null = null;
  let rollbackReason: string | null = null;
  let vendorAppliedAt: number | null = null;
  const allowedApprovers = input.approval.approvers;

  function ignore(message: string, reason: string): void {
    status.ignoredMessages.push({ message, at: now(), reason });
  }

  function approvalProblem(request: ApproveRequest): string | null {
    if (status.phase !== 'awaiting-approval' || !status.newCertificate) {
      return `the rotation is not awaiting approval (phase ${status.phase})`;
    }
    if (typeof request?.approver !== 'string' || request.approver.trim() === '') return 'approver: say who approves';
    if (allowedApprovers.length > 0 && !allowedApprovers.includes(request.approver)) {
      return `approver: "${request.approver}" may not approve this rotation (allowed: ${allowedApprovers.join(', ')})`;
    }
    let fingerprint: string;
    try {
      fingerprint = normalizeFingerprint(String(request.fingerprint ?? ''), 'fingerprint');
    } catch (error) {
      return describeError(error).replace(/^INVALID_INPUT: /, '');
    }
    const expected = status.newCertificate.spkiFingerprint;
    if (fingerprint !== expected) {
      return (
        `fingerprint: ${shortFingerprint(fingerprint)} is not the new certificate's SPKI fingerprint ${shortFingerprint(expected)}; ` +
        'install the public key certrot shared and approve with its fingerprint'
      );
    }
    if (request.window !== undefined) {
      try {
        parseWindow(request.window, 'window', new Date());
      } catch (error) {
        return describeError(error).replace(/^INVALID_INPUT: /, '');
      }
    }
    return null;
  }

  function acceptApproval(request: ApproveRequest, via: ApprovalRecord['via']): RotationWindow {
    const approvedAt = new Date();
    const window = windowFor(input, approvedAt, request.window ?? requestedWindow ?? undefined);
    status.approval = {
      approver: request.approver,
      fingerprint: normalizeFingerprint(request.fingerprint),
      at: approvedAt.toISOString(),
      window,
      via,
    };
    status.window = window;
    publish();
    return window;
  }

  function rescheduleProblem(window: unknown): string | null {
    if (status.phase !== 'awaiting-approval' && status.phase !== 'scheduled') {
      return `the window can be changed only before it opens (phase ${status.phase})`;
    }
    try {
      parseWindow(window, 'window', new Date());
      return null;
    } catch (error) {
      return describeError(error).replace(/^INVALID_INPUT: /, '');
    }
  }

  function acceptReschedule(window: RotationWindow): RotationWindow {
    const parsed = parseWindow(window, 'window', new Date());
    if (status.phase === 'scheduled') status.window = parsed;
    else requestedWindow = parsed;
    rescheduleCount += 1;
    status.timeline.push({ phase: status.phase, at: now(), note: `window moved to ${parsed.start} → ${parsed.end}` });
    publish();
    return parsed;
  }

  setHandler(statusQuery, () => status);
  setHandler(
    approveUpdate,
    (request) => ({ accepted: true, window: acceptApproval(request, 'update') }),
    {
      validator: (request: ApproveRequest) => {
        const problem = approvalProblem(request);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(approveSignal, (request) => {
    const problem = approvalProblem(request);
    if (problem) ignore('approve', problem);
    else acceptApproval(request, 'signal');
  });
  setHandler(rejectSignal, (request) => {
    if (status.phase !== 'awaiting-approval') return ignore('reject', `the rotation is not awaiting approval (phase ${status.phase})`);
    if (allowedApprovers.length > 0 && !allowedApprovers.includes(request?.approver)) {
      return ignore('reject', `approver: "${String(request?.approver)}" may not reject this rotation`);
    }
    status.rejection = { approver: String(request.approver), reason: String(request.reason ?? 'no reason given'), at: now() };
  });
  setHandler(rescheduleUpdate, (request) => acceptReschedule(request.window), {
    validator: (request: RescheduleRequest) => {
      const problem = rescheduleProblem(request?.window);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(rescheduleSignal, (request) => {
    const problem = rescheduleProblem(request?.window);
    if (problem) ignore('reschedule', problem);
    else acceptReschedule(request.window);
  });
  setHandler(vendorAppliedSignal, (request) => {
    if (status.phase !== 'applying' && status.phase !== 'scheduled') {
      return ignore('vendorApplied', `not expected in phase ${status.phase}`);
    }
    const expected = status.newCertificate?.spkiFingerprint;
    let fingerprint = '';
    try {
      fingerprint = normalizeFingerprint(String(request?.fingerprint ?? ''));
    } catch {
      return ignore('vendorApplied', 'fingerprint: not a SHA-256 fingerprint');
    }
    if (fingerprint !== expected) return ignore('vendorApplied', `fingerprint: ${shortFingerprint(fingerprint)} is not the new key`);
    vendorAppliedAt = Date.now();
    status.vendorAppliedAt = now();
  });
  setHandler(abortSignal, (request) => {
    const reason = `aborted${request?.by ? ` by ${request.by}` : ''}: ${String(request?.reason ?? 'no reason given')}`;
    if (status.phase === 'cleaning-up' || status.phase === 'compensating' || status.outcome !== null) {
      return ignore('abort', `too late to abort in phase ${status.phase}`);
    }
    abortReason = reason;
    if (status.phase === 'grace-period') rollbackReason = reason;
  });
  setHandler(rollbackSignal, (request) => {
    if (status.phase !== 'grace-period') {
      return ignore('rollback', `rollback is possible only during the grace period (phase ${status.phase}); use abort before it`);
    }
    rollbackReason = `rolled back${request?.by ? ` by ${request.by}` : ''}: ${String(request?.reason ?? 'no reason given')}`;
  });

  /** Stops the runbook at a step boundary if an abort arrived meanwhile. */
  function checkpoint(): void {
    if (abortReason !== null) throw new RotationStopped(abortReason);
  }

  // ---- the runbook --------------------------------------------------------------------------
  const compensations: Compensation[] = [];
  let capabilities: VendorCapabilities = { multipleActiveKeys: false, automated: true };
  let orgId = '';

  async function runbook(): Promise<void> {
    publish();
    const preflight = await sideEffect(() =>
      steps.preflight({ org: input.org, vendor: input.vendor, strategy: input.strategy, certificate: input.certificate }),
    );
    capabilities = preflight.vendor;
    orgId = preflight.orgId;

    const backup = await sideEffect(() =>
      steps.backUpCertificate({
        org: input.org,
        certificate: input.certificate,
        discover: input.references.discover,
        targets: input.references.targets,
      }),
    );
    const old = backup.certificate;
    status.oldCertificate = old;
    status.referencesFound = [...backup.references];
    if (old.expiresAt) upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.CertificateExpiry, value: new Date(old.expiresAt) }]);
    checkpoint();

    enter('generating');
    const today = new Date();
    const created = await sideEffect(() =>
      steps.generateCertificate({
        org: input.org,
        uniqueName: input.newUniqueName ?? deriveNewUniqueName(input.certificate, today),
        label: input.newLabel ?? deriveNewLabel(old.label, today),
        keySize: input.keySize,
        caSigned: input.caSigned,
      }),
    );
    status.newCertificate = created;
    compensations.push({
      what: `delete the new certificate ${created.uniqueName}`,
      manual: `Delete certificate ${created.uniqueName} (fingerprint ${created.fingerprint}) in Setup > Certificate and Key Management of org ${input.org}.`,
      run: async () => {
        await undo.deleteCertificate({ org: input.org, uniqueName: created.uniqueName, fingerprint: created.fingerprint });
        return [];
      },
    });
    checkpoint();

    enter('sharing');
    compensations.push({
      what: `withdraw the new key from vendor ${input.vendor}`,
      manual: `Ask vendor ${input.vendor} to remove key ${created.spkiFingerprint} for org ${orgId} and keep ${old.spkiFingerprint} trusted.`,
      run: async () => {
        await undo.withdrawKey({
          vendor: input.vendor,
          orgId,
          workflowId: info.workflowId,
          fingerprint: created.spkiFingerprint,
          reason: status.reason ?? 'rotation rolled back',
        });
        return [];
      },
    });
    await sideEffect(() =>
      steps.shareKey({
        vendor: input.vendor,
        orgId,
        org: input.org,
        workflowId: info.workflowId,
        certificate: created,
        previousFingerprint: old.spkiFingerprint,
        proposedWindow: input.window.mode === 'fixed' ? { start: input.window.start, end: input.window.end } : null,
      }),
    );
    checkpoint();

    enter('awaiting-approval');
    const timeoutMs = parseDuration(input.approval.timeout, 'approval.timeout');
    const decided = await condition(() => status.approval !== null || status.rejection !== null || abortReason !== null, timeoutMs);
    checkpoint();
    if (status.rejection) throw new RotationStopped(`rejected by ${status.rejection.approver}: ${status.rejection.reason}`);
    if (!decided || !status.approval) throw new RotationStopped(`no approval within ${input.approval.timeout}`);

    enter('scheduled');
    for (;;) {
      const window = status.window;
      if (!window) throw new RotationStopped('approved without a window');
      const wait = Date.parse(window.start) - Date.now();
      if (wait <= 0) break;
      const seen = rescheduleCount;
      await condition(() => rescheduleCount !== seen || abortReason !== null, wait);
      checkpoint();
    }

    enter('applying');
    const window = status.window;
    if (!window || Date.now() >= Date.parse(window.end)) {
      throw new RotationStopped(`the window closed at ${window?.end ?? '?'} before applying started`);
    }
    const changes: ReferenceChange[] = backup.references.map((reference) => ({
      object: reference.object,
      field: reference.field,
      recordId: reference.recordId,
      scope: reference.scope,
      owner: reference.owner,
      expected: reference.value,
      value: created.uniqueName,
    }));
    pushApplyCompensations(old, created, changes);
    status.mismatchWindowMs = await sideEffect(() =>
      input.strategy === 'overlap' ? applyOverlap(created, changes, window) : applySimultaneous(old, created, changes, window),
    );
    metrics.mismatchWindow(status.mismatchWindowMs);
    publish();
    if (status.conflicts.length > 0) {
      throw new RotationStopped(
        `${status.conflicts.length} reference(s) changed by someone else since the backup: ` +
          status.conflicts.map((c) => `${c.object}.${c.field} ${c.recordId} holds "${c.actual ?? ''}"`).join('; '),
      );
    }
    if (Date.now() > Date.parse(window.end)) throw new RotationStopped(`the window closed at ${window.end} before applying completed`);
    checkpoint();

    enter('verifying');
    const verification = await sideEffect(() =>
      steps.verifyRotation({
        org: input.org,
        orgId,
        vendor: input.vendor,
        workflowId: info.workflowId,
        newCertificate: created,
        previousCertificate: old.uniqueName,
        expectedReferences: status.referencesChanged.length,
        targets: backup.targets,
        signature: input.verification.signature,
        calloutUrl: input.verification.calloutUrl,
        vendorConfirmed: vendorAppliedAt !== null,
      }),
    );
    status.verification = verification;
    if (!verification.passed) {
      const failed = verification.checks.filter((check) => !check.passed).map((check) => `${check.name}: ${check.detail}`);
      throw new RotationStopped(`verification failed: ${failed.join('; ')}`);
    }
    checkpoint();

    enter('grace-period');
    const graceMs = parseDuration(input.gracePeriod, 'gracePeriod');
    await condition(() => rollbackReason !== null, graceMs);
    if (rollbackReason !== null) throw new RotationStopped(rollbackReason);

    enter('cleaning-up');
    compensations.length = 0; // from here on nothing is undone: the new certificate is verified
    if (input.strategy === 'overlap') {
      await attempt(`retire the old key ${old.spkiFingerprint} at vendor ${input.vendor}`, () =>
        steps.retireVendorKey({ vendor: input.vendor, orgId, workflowId: info.workflowId, fingerprint: old.spkiFingerprint }),
      );
    }
    await attempt(`delete the old certificate ${old.uniqueName} in org ${input.org}`, () =>
      steps.deleteCertificate({ org: input.org, uniqueName: old.uniqueName, fingerprint: old.fingerprint }),
    );
    if (created.expiresAt) upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.CertificateExpiry, value: new Date(created.expiresAt) }]);
    status.outcome = 'completed';
    enter('completed', status.manualSteps.length ? 'completed; some clean-up must be finished by hand' : undefined);
  }

  /** A clean-up step whose failure does not undo the rotation but must be reported. */
  async function attempt(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await sideEffect(fn);
    } catch (error) {
      status.errors.push(`${what}: ${describeError(error)}`);
      status.manualSteps.push(`${what[0]?.toUpperCase() ?? ''}${what.slice(1)} by hand (${describeError(error)}).`);
    }
  }

  function pushApplyCompensations(old: CertificateSummary, created: CertificateSummary, changes: ReferenceChange[]): void {
    compensations.push({
      what: `restore every reference to ${old.uniqueName}`,
      manual: `Set these references back to ${old.uniqueName}: ${changes.map((c) => `${c.object}.${c.field} (${c.scope}${c.owner ? ` ${c.owner}` : ''}, ${c.recordId})`).join('; ')}.`,
      run: async () => {
        const reverse = changes.map((c) => ({ ...c, expected: c.value, value: c.expected }));
        const result = await undo.switchReferences({ org: input.org, changes: reverse });
        // A record that already holds the old value was never switched: nothing to undo.
        return result.conflicts
          .filter((conflict) => conflict.actual !== conflict.value)
          .map(
            (conflict) =>
              `Reference ${conflict.object}.${conflict.field} on ${conflict.recordId} holds "${conflict.actual ?? ''}", neither ` +
              `${created.uniqueName} nor ${old.uniqueName}: decide its value by hand.`,
          );
      },
    });
    compensations.push({
      what: `trust the old key ${shortFingerprint(old.spkiFingerprint)} again at vendor ${input.vendor}`,
      manual: `Ask vendor ${input.vendor} to trust key ${old.spkiFingerprint} again for org ${orgId} and stop trusting ${created.spkiFingerprint}.`,
      run: async () => {
        await undo.restoreVendorKey({
          vendor: input.vendor,
          orgId,
          workflowId: info.workflowId,
          restore: old.spkiFingerprint,
          withdraw: created.spkiFingerprint,
        });
        return [];
      },
    });
  }

  function recordSwitch(result: Awaited<ReturnType<RotationActivities['switchReferences']>>): number {
    status.referencesChanged.push(...result.applied);
    status.conflicts.push(...result.conflicts);
    return Date.parse(result.at);
  }

  /** For a vendor run by people: wait for their confirmation, bounded by the window. */
  async function vendorConfirmation(window: RotationWindow): Promise<number> {
    const confirmed = await condition(() => vendorAppliedAt !== null || abortReason !== null, Math.max(0, Date.parse(window.end) - Date.now()));
    checkpoint();
    if (!confirmed || vendorAppliedAt === null) {
      throw new RotationStopped(`the provisioning team did not confirm the new key before the window closed at ${window.end}`);
    }
    return vendorAppliedAt;
  }

  /** Vendor trusts old and new first, then the org switches: no moment at which traffic fails. */
  async function applyOverlap(created: CertificateSummary, changes: ReferenceChange[], window: RotationWindow): Promise<number> {
    await steps.activateVendorKey({ vendor: input.vendor, orgId, workflowId: info.workflowId, fingerprint: created.spkiFingerprint, replacing: null });
    if (!capabilities.automated) await vendorConfirmation(window);
    recordSwitch(await steps.switchReferences({ org: input.org, changes }));
    return 0;
  }

  /**
   * Both sides at once: the two activities are scheduled in the same workflow task, and the
   * mismatch window is the time between the first side's switch and the second's.
   */
  async function applySimultaneous(old: CertificateSummary, created: CertificateSummary, changes: ReferenceChange[], window: RotationWindow): Promise<number> {
    const orgSide = steps.switchReferences({ org: input.org, changes }).then(recordSwitch);
    const vendorSide = steps
      .activateVendorKey({ vendor: input.vendor, orgId, workflowId: info.workflowId, fingerprint: created.spkiFingerprint, replacing: old.spkiFingerprint })
      .then(async (activated) => (capabilities.automated ? Date.parse(activated.at) : vendorConfirmation(window)));
    const [orgAt, vendorAt] = await Promise.all([orgSide, vendorSide]);
    return Math.abs(orgAt - vendorAt);
  }

  async function compensate(reason: string): Promise<void> {
    status.reason = reason;
    enter('compensating', reason);
    await CancellationScope.nonCancellable(async () => {
      for (const step of [...compensations].reverse()) {
        try {
          const extra = await step.run();
          status.timeline.push({ phase: 'compensating', at: now(), note: `done: ${step.what}` });
          status.manualSteps.push(...extra);
        } catch (error) {
          status.errors.push(`could not ${step.what}: ${describeError(error)}`);
          status.manualSteps.push(step.manual);
        }
      }
    });
    compensations.length = 0;
    if (status.manualSteps.length > 0) {
      status.outcome = 'failed';
      enter('failed', 'compensation could not finish; see manualSteps');
    } else {
      status.outcome = 'rolled-back';
      enter('rolled-back', reason);
    }
  }

  try {
    await runbook();
  } catch (error) {
    const reason = isCancellation(error) ? 'cancelled from Temporal' : describeError(error);
    if (!(error instanceof RotationStopped) && !isCancellation(error)) status.errors.push(reason);
    if (compensations.length === 0 && status.newCertificate === null) {
      // Nothing was changed yet (bad input, overlap refused, certificate not found, ...) —
      // unless generation itself failed after Salesforce created the certificate.
      const failedPhase = status.phase;
      status.reason = reason;
      status.outcome = 'failed';
      if (failedPhase === 'generating') {
        status.manualSteps.push(
          `Check whether org ${input.org} has a new certificate from this rotation (Setup > Certificate and Key Management) and delete it if so.`,
        );
      }
      enter('failed', reason);
      const summary = failedPhase === 'generating' ? 'Rotation stopped while generating the new certificate' : 'Rotation refused, nothing was changed';
      throw ApplicationFailure.nonRetryable(`${summary}: ${reason}`, 'ROTATION_REFUSED', status);
    }
    await compensate(reason);
  }

  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  if (status.outcome === 'failed') {
    throw ApplicationFailure.nonRetryable(
      `Rotation failed and could not be fully undone (${status.reason ?? 'unknown reason'}). Fix by hand:\n- ${status.manualSteps.join('\n- ')}`,
      'ROTATION_FAILED',
      status,
    );
  }
  return status;
}
