/**
 * Wires the rotation's messages to its state: for each operator message an Update whose
 * validator asks the pure rule (so a refusal answers the sender and leaves no trace in
 * history) and a Signal of the same name for the Temporal UI (refusals recorded in the
 * status). Nothing a sender puts in a payload can throw here: the rules parse first and
 * the state is only touched with a parsed value.
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { ApprovalAuthentication, ApprovalVia } from '../domain/approval-route';
import { describeFailure } from '../domain/failure-description';
import type { MessageName, ParsedMessage } from '../domain/operator-messages';
import type { MessageResult, RotationWindow, StartedResult } from '../domain/rotation';
import {
  abortSignal,
  abortUpdate,
  approveSignal,
  approveUpdate,
  confirmManualStepsSignal,
  confirmManualStepsUpdate,
  rejectSignal,
  rejectUpdate,
  rescheduleSignal,
  rescheduleUpdate,
  rollbackSignal,
  rollbackUpdate,
  startedUpdate,
  statusQuery,
  vendorAppliedSignal,
  vendorAppliedUpdate,
} from './messages';
import { steps } from './activity-options';
import type { RotationState } from './rotation-state';

type Via = 'update' | 'signal';
type Decided = 'approve' | 'reject';
type LinkOf<N extends Decided> = NonNullable<ParsedMessage<N>['link']>;

/** `state` null: the input was refused before a rotation existed; `started` answers with `refusal`. */
export function wireMessages(state: RotationState | null, refusal: string | null): void {
  if (state === null) {
    setHandler(startedUpdate, () => Promise.reject(ApplicationFailure.nonRetryable(refusal ?? 'refused', 'INVALID_INPUT')), {
      validator: () => {
        throw new Error(refusal ?? 'refused');
      },
    });
    return;
  }

  wireRotation(state);
}

function wireRotation(state: RotationState): void {
  setHandler(statusQuery, () => state.status);
  setHandler(startedUpdate, async (): Promise<StartedResult> => {
    await condition(() => state.started || state.refusal !== null || state.status.outcome !== null);
    if (!state.started) throw ApplicationFailure.nonRetryable(state.refusal ?? state.status.reason ?? 'the rotation was refused', 'ROTATION_REFUSED');
    return { workflowId: state.workflowId, phase: state.phase, orgId: state.salesforceOrgId };
  });

  const answer = (message: string): MessageResult => ({ accepted: true, message, phase: state.phase });
  const decisions: { [N in Decided]: (value: ParsedMessage<N>, via: ApprovalVia, authentication?: ApprovalAuthentication) => unknown } = {
    approve: (value, via, authentication) => ({ accepted: true, window: state.approve(value, via, authentication) }),
    reject: (value, via, authentication) => {
      state.reject(value, via, authentication);
      return answer(`rejected by ${value.approver}; the rotation rolls back`);
    },
  };
  const actions: { [N in MessageName]: (value: ParsedMessage<N>, via: Via) => unknown } = {
    approve: (value, via) => decisions.approve(value, via),
    reject: (value, via) => decisions.reject(value, via),
    reschedule: (value): RotationWindow => state.reschedule(value),
    vendorApplied: (value, via) => {
      const confirmation = state.vendorApplied(value, via);
      return answer(`confirmation recorded at ${confirmation.at}`);
    },
    abort: (value) => answer(`${state.abort(value)}; the rotation stops at the next step and undoes both sides`),
    rollback: (value) => answer(`${state.rollback(value)}; both sides go back to the old certificate`),
    confirmManualSteps: (value, via) => answer(`${state.confirmManualSteps(value, via)}; clean-up may delete the old certificate`),
  };

  /**
   * A link decision: checks the proof (an activity), decides again, records. Rejects with
   * an ApplicationFailure naming why it does not count; never touches state before that.
   */
  async function throughLink<N extends Decided>(name: N, raw: unknown, link: LinkOf<N>): Promise<unknown> {
    let check: { valid: boolean; problem: string | null };
    try {
      check = await steps.checkApprovalLink({ workflowId: state.workflowId, fingerprint: state.status.newCertificate?.spkiFingerprint ?? '', decision: name, link });
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`the approval link could not be checked, nothing was recorded: ${describeFailure(error)}`, 'LINK_CHECK_FAILED');
    }
    if (!check.valid) throw ApplicationFailure.nonRetryable(`approval link refused, nothing was recorded: ${check.problem ?? 'the proof does not verify'}`, 'LINK_REFUSED');
    const decision = state.decide(name, raw);
    if (!decision.accept) throw ApplicationFailure.nonRetryable(decision.reason, 'MESSAGE_REFUSED');
    const authentication: ApprovalAuthentication = { method: 'signed-link', sentTo: link.sentTo, linkId: link.linkId, proof: link.proof };
    return (decisions[name] as (value: ParsedMessage<N>, via: ApprovalVia, authentication: ApprovalAuthentication) => unknown)(decision.value, 'link', authentication);
  }
  const linkOf = (name: MessageName, value: unknown): LinkOf<Decided> | undefined =>
    name === 'approve' || name === 'reject' ? (value as ParsedMessage<Decided>).link : undefined;

  function wire<N extends MessageName>(name: N, update: UpdateDefinition<unknown, never[]>, signal: SignalDefinition<never[]>): void {
    const act = actions[name] as (value: ParsedMessage<N>, via: Via) => unknown;
    const validator = (raw: unknown): void => {
      const decision = state.decide(name, raw);
      if (!decision.accept) throw new Error(decision.reason);
    };
    const onUpdate = (raw: unknown): unknown => {
      // The validator ran in this same task: the decision cannot have changed meanwhile.
      const decision = state.decide(name, raw);
      if (!decision.accept) throw ApplicationFailure.nonRetryable(decision.reason, 'MESSAGE_REFUSED');
      const link = linkOf(name, decision.value);
      if (link) return throughLink(name as Decided, raw, link);
      return act(decision.value, 'update');
    };
    const onSignal = (raw: unknown): void => {
      const decision = state.decide(name, raw);
      if (!decision.accept) {
        state.refuse(name, decision.reason);
        return;
      }
      const link = linkOf(name, decision.value);
      if (!link) {
        act(decision.value, 'signal');
        return;
      }
      // Whatever the check says, the signal ends here: a refusal is recorded, never thrown.
      void throughLink(name as Decided, raw, link).catch((error: unknown) => state.refuse(name, failureText(error)));
    };
    // The SDK's handler types are per definition; these three are erased to one shape here.
    (setHandler as (def: unknown, handler: unknown, options?: unknown) => void)(update, onUpdate, { validator });
    (setHandler as (def: unknown, handler: unknown) => void)(signal, onSignal);
  }

  const erased = <D>(definition: D) => definition as unknown as UpdateDefinition<unknown, never[]> & SignalDefinition<never[]>;
  wire('approve', erased(approveUpdate), erased(approveSignal));
  wire('reject', erased(rejectUpdate), erased(rejectSignal));
  wire('reschedule', erased(rescheduleUpdate), erased(rescheduleSignal));
  wire('vendorApplied', erased(vendorAppliedUpdate), erased(vendorAppliedSignal));
  wire('abort', erased(abortUpdate), erased(abortSignal));
  wire('rollback', erased(rollbackUpdate), erased(rollbackSignal));
  wire('confirmManualSteps', erased(confirmManualStepsUpdate), erased(confirmManualStepsSignal));
}

function failureText(error: unknown): string {
  return error instanceof ApplicationFailure ? error.message : describeFailure(error);
}
