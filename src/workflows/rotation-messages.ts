/**
 * Wires the rotation's messages to its state: for each operator message an Update whose
 * validator asks the pure rule (so a refusal answers the sender and leaves no trace in
 * history) and a Signal of the same name for the Temporal UI (refusals recorded in the
 * status). Nothing a sender puts in a payload can throw here: the rules parse first and
 * the state is only touched with a parsed value.
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
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
import type { RotationState } from './rotation-state';

type Via = 'update' | 'signal';

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
  const actions: { [N in MessageName]: (value: ParsedMessage<N>, via: Via) => unknown } = {
    approve: (value, via) => ({ accepted: true, window: state.approve(value, via) }),
    reject: (value) => {
      state.reject(value);
      return answer(`rejected by ${value.approver}; the rotation rolls back`);
    },
    reschedule: (value): RotationWindow => state.reschedule(value),
    vendorApplied: (value, via) => {
      const confirmation = state.vendorApplied(value, via);
      return answer(`confirmation recorded at ${confirmation.at}`);
    },
    abort: (value) => answer(`${state.abort(value)}; the rotation stops at the next step and undoes both sides`),
    rollback: (value) => answer(`${state.rollback(value)}; both sides go back to the old certificate`),
    confirmManualSteps: (value, via) => answer(`${state.confirmManualSteps(value, via)}; clean-up may delete the old certificate`),
  };

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
      return act(decision.value, 'update');
    };
    const onSignal = (raw: unknown): void => {
      const decision = state.decide(name, raw);
      if (decision.accept) act(decision.value, 'signal');
      else state.refuse(name, decision.reason);
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
