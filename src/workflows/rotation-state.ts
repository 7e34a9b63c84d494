/**
 * The rotation's state: its phase, what it learnt, what people asked of it, and the one
 * `status` everybody reads. Every change goes through a method here (the shape of
 * samples-typescript's safe-message-handlers `ClusterManager`): the runbook calls the
 * transitions, the message handlers call `decide`/`accept`, and nothing else writes the
 * status. Whether a message may be accepted is a pure rule in src/domain/message-rules.ts.
 *
 * Workflow code: the clock is the workflow's (`Date.now()` is deterministic here).
 */
import type { ApprovalAuthentication, ApprovalVia } from '../domain/approval-route';
import type { CertificateSummary } from '../domain/certificate';
import {
  decideAbort,
  decideApprove,
  decideConfirmManualSteps,
  decideReject,
  decideReschedule,
  decideRollback,
  decideVendorApplied,
  type Decision,
  type DecisionOrigin,
  type RotationView,
} from '../domain/message-rules';
import type { MessageName, ParsedMessage } from '../domain/operator-messages';
import type { Reference, ReferenceChange, ReferenceConflict, RestoredReference } from '../domain/reference';
import { acknowledgementKey, describeUnswitchable, fixFor, type UnswitchableReference } from '../domain/unswitchable-reference';
import { agreedWindow } from '../domain/rotation-request';
import type {
  ApprovalRecord,
  ContinuityRecord,
  Outcome,
  Phase,
  RotationInput,
  RotationStatus,
  RotationWindow,
  VendorConfirmation,
  VerificationResult,
} from '../domain/rotation';
import type { VendorKind } from '../domain/vendor';

/** Refused signals kept in the status; older ones are only counted. */
const KEEP_REFUSED = 50;

type Via = 'update' | 'signal';

/** Through Temporal (CLI, UI): whoever can send the update. */
const TEMPORAL: ApprovalAuthentication = { method: 'temporal' };

export class RotationState {
  readonly status: RotationStatus;
  private vendorKind: VendorKind | null = null;
  private requestedWindow: RotationWindow | null = null;
  private reschedules = 0;
  /** Bumped whenever the window changes, so a wait on the old one wakes up. */
  windowVersion = 0;
  windowMissed = false;
  abortReason: string | null = null;
  rollbackReason: string | null = null;
  /** Preflight passed, the lock is held and the backup found nothing to refuse (what `started` answers). */
  started = false;
  /** Why the rotation was refused before it started, for the `started` update. */
  refusal: string | null = null;
  private readonly listeners: (() => void)[] = [];

  constructor(
    readonly workflowId: string,
    readonly input: RotationInput,
  ) {
    this.status = {
      workflowId,
      org: input.org,
      vendor: input.vendor,
      strategy: input.strategy,
      phase: 'backing-up',
      timeline: [{ phase: 'backing-up', at: iso() }],
      oldCertificate: null,
      newCertificate: null,
      window: null,
      approval: null,
      rejection: null,
      referencesFound: [],
      referencesChanged: [],
      conflicts: [],
      vendorAppliedAt: null,
      vendorConfirmation: null,
      verification: null,
      mismatchWindowMs: null,
      errors: [],
      ignoredMessages: [],
      refusedCount: 0,
      manualSteps: [],
      outcome: null,
      endedAt: null,
      reason: null,
    };
  }

  /** Called after every change (search attributes, current details). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    if (this.routes) this.status.proposedWindow = this.view().proposedWindow;
    for (const listener of this.listeners) listener();
  }

  get phase(): Phase {
    return this.status.phase;
  }

  // ---- transitions (the runbook) ------------------------------------------------------------

  enter(phase: Phase, note?: string): void {
    this.status.phase = phase;
    this.status.timeline.push(note === undefined ? { phase, at: iso() } : { phase, at: iso(), note });
    this.changed();
  }

  note(text: string): void {
    this.status.timeline.push({ phase: this.status.phase, at: iso(), note: text });
    this.changed();
  }

  /** Salesforce's Organization.Id, once preflight read it. */
  salesforceOrgId = '';

  preflightPassed(vendorKind: VendorKind, salesforceOrgId: string): void {
    this.vendorKind = vendorKind;
    this.salesforceOrgId = salesforceOrgId;
    this.changed();
  }

  /** Since 'approval-routes': the status carries what the approval service and automatic routes read. */
  private routes = false;

  approvalRoutes(vendorOrgId: string, approvalDeadline: string): void {
    this.routes = true;
    this.status.vendorOrgId = vendorOrgId;
    this.status.approvalMode = this.input.approval.mode ?? 'manual';
    this.status.approvalDeadline = approvalDeadline;
    this.status.continuity = null;
    this.changed();
  }

  continuityRecorded(record: ContinuityRecord): void {
    this.status.continuity = record;
    this.changed();
  }

  /** Everything that can refuse a rotation before it changes anything has passed. */
  accepted(): void {
    this.started = true;
    this.changed();
  }

  /** Acknowledged places a person switches: listed, and clean-up waits for their confirmation. */
  acknowledged(places: readonly UnswitchableReference[], oldName: string, newName: string): void {
    this.status.manualReferences = places.map((u) => ({ key: acknowledgementKey(u), where: describeUnswitchable(u), fix: fixFor(u, oldName, newName) }));
    this.status.manualStepsConfirmed = null;
    this.note(`${places.length} place(s) certrot cannot switch were acknowledged: switch them by hand, then confirm (confirmManualSteps)`);
  }

  get manualStepsConfirmed(): boolean {
    return this.status.manualStepsConfirmed !== null && this.status.manualStepsConfirmed !== undefined;
  }

  backedUp(certificate: CertificateSummary, references: readonly Reference[]): void {
    this.status.oldCertificate = certificate;
    this.status.referencesFound = [...references];
    this.changed();
  }

  generated(certificate: CertificateSummary): void {
    this.status.newCertificate = certificate;
    this.changed();
  }

  switched(applied: readonly ReferenceChange[], conflicts: readonly ReferenceConflict[]): void {
    this.status.referencesChanged.push(...applied);
    this.status.conflicts.push(...conflicts);
    this.changed();
  }

  measured(mismatchWindowMs: number): void {
    this.status.mismatchWindowMs = mismatchWindowMs;
    this.changed();
  }

  verified(result: VerificationResult): void {
    this.status.verification = result;
    this.changed();
  }

  /** The agreed window closed before applying: nothing changed; wait for a new window or approval. */
  missedWindow(window: RotationWindow): void {
    this.windowMissed = true;
    this.requestedWindow = null;
    this.status.window = null;
    this.note(`the window ${window.start} → ${window.end} closed before the switch started; nothing was changed — waiting for a new window (reschedule) or a new approval`);
  }

  restored(references: readonly RestoredReference[]): void {
    this.status.restored = [...references];
    if (this.status.verification) this.status.verification = { ...this.status.verification, supersededBy: `rollback at ${iso()}` };
    this.changed();
  }

  error(text: string): void {
    this.status.errors.push(text);
    this.changed();
  }

  manualStep(text: string): void {
    this.status.manualSteps.push(text);
    this.changed();
  }

  end(outcome: Outcome, reason: string | null, note?: string): void {
    this.status.outcome = outcome;
    this.status.reason = reason;
    this.status.endedAt = iso();
    const phase: Phase = outcome === 'completed' || outcome === 'completed-with-manual-steps' ? 'completed' : outcome;
    this.enter(phase, note);
  }

  // ---- messages -----------------------------------------------------------------------------

  private view(): RotationView {
    return {
      phase: this.status.phase,
      outcome: this.status.outcome,
      newSpkiFingerprint: this.status.newCertificate?.spkiFingerprint ?? null,
      approvers: this.input.approval.approvers,
      proposedWindow: this.requestedWindow ?? (this.input.window.mode === 'fixed' && !this.windowMissed ? { start: this.input.window.start, end: this.input.window.end } : null),
      windowMissed: this.windowMissed,
      vendorKind: this.vendorKind,
      vendorConfirmed: this.status.vendorConfirmation !== null && this.status.vendorConfirmation !== undefined,
      aborting: this.abortReason !== null,
      rollingBack: this.rollbackReason !== null,
      reschedules: this.reschedules,
      manualReferences: this.status.manualReferences?.length ?? 0,
      manualStepsConfirmedBy: this.status.manualStepsConfirmed?.by ?? null,
      approvalMode: this.input.approval.mode ?? 'manual',
    };
  }

  /** May `name` with this payload be accepted now? Pure; never throws. */
  decide<N extends MessageName>(name: N, raw: unknown): Decision<ParsedMessage<N>> {
    const view = this.view();
    const now = Date.now();
    const decisions: { [K in MessageName]: () => Decision<ParsedMessage<K>> } = {
      approve: () => decideApprove(view, raw, now),
      reject: () => decideReject(view, raw),
      reschedule: () => decideReschedule(view, raw, now),
      vendorApplied: () => decideVendorApplied(view, raw),
      abort: () => decideAbort(view, raw),
      rollback: () => decideRollback(view, raw),
      confirmManualSteps: () => decideConfirmManualSteps(view, raw),
    };
    return (decisions[name] as () => Decision<ParsedMessage<N>>)();
  }

  /** May the automatic route (`origin`) approve or reject with this payload now? Pure; never throws. */
  decideAs<N extends 'approve' | 'reject'>(name: N, raw: unknown, origin: DecisionOrigin): Decision<ParsedMessage<N>> {
    const view = this.view();
    const decision = name === 'approve' ? decideApprove(view, raw, Date.now(), origin) : decideReject(view, raw, origin);
    return decision as Decision<ParsedMessage<N>>;
  }

  /** Records a refused signal (a refused update answers its sender instead). */
  refuse(name: MessageName, reason: string): void {
    this.status.refusedCount = (this.status.refusedCount ?? 0) + 1;
    this.status.ignoredMessages.push({ message: name, at: iso(), reason });
    if (this.status.ignoredMessages.length > KEEP_REFUSED) this.status.ignoredMessages.splice(0, this.status.ignoredMessages.length - KEEP_REFUSED);
    this.changed();
  }

  approve(message: ParsedMessage<'approve'>, via: ApprovalVia, authentication: ApprovalAuthentication = TEMPORAL): RotationWindow {
    const now = Date.now();
    const window = agreedWindow(this.input, now, message.window ?? this.view().proposedWindow);
    const record: ApprovalRecord = { approver: message.approver, fingerprint: message.fingerprint, at: iso(), window, via, authentication };
    this.status.approval = record;
    this.status.window = window;
    this.windowMissed = false;
    this.windowVersion += 1;
    this.changed();
    return window;
  }

  reject(message: ParsedMessage<'reject'>, via: ApprovalVia, authentication: ApprovalAuthentication = TEMPORAL): void {
    this.status.rejection = { approver: message.approver, reason: message.reason, at: iso(), via, authentication };
    this.changed();
  }

  reschedule(message: ParsedMessage<'reschedule'>): RotationWindow {
    const window = message.window;
    this.reschedules += 1;
    if (this.status.phase === 'scheduled') {
      this.status.window = window;
      this.windowMissed = false;
    } else {
      this.requestedWindow = window;
    }
    this.windowVersion += 1;
    this.note(`window moved to ${window.start} → ${window.end}`);
    return window;
  }

  vendorApplied(message: ParsedMessage<'vendorApplied'>, via: Via): VendorConfirmation {
    const confirmation: VendorConfirmation = { fingerprint: message.fingerprint, by: message.by ?? null, at: iso(), via };
    this.status.vendorConfirmation = confirmation;
    this.status.vendorAppliedAt = confirmation.at;
    this.changed();
    return confirmation;
  }

  abort(message: ParsedMessage<'abort'>): string {
    const reason = `aborted${message.by ? ` by ${message.by}` : ''}: ${message.reason}`;
    this.abortReason = reason;
    if (this.status.phase === 'grace-period') this.rollbackReason = reason;
    this.note(reason);
    return reason;
  }

  confirmManualSteps(message: ParsedMessage<'confirmManualSteps'>, via: Via): string {
    const confirmation = { by: message.by, note: message.note ?? null, at: iso(), via };
    this.status.manualStepsConfirmed = confirmation;
    this.note(`manual steps confirmed by ${message.by}${message.note ? `: ${message.note}` : ''}`);
    return `manual steps confirmed by ${message.by} at ${confirmation.at}`;
  }

  rollback(message: ParsedMessage<'rollback'>): string {
    const reason = `rolled back${message.by ? ` by ${message.by}` : ''}: ${message.reason}`;
    this.rollbackReason = reason;
    this.note(reason);
    return reason;
  }
}

function iso(): string {
  return new Date().toISOString();
}
