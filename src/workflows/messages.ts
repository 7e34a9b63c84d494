/**
 * The rotation's message definitions, shared by the workflow, the client and the CLI.
 *
 * Every operator message is an Update with a validator — the sender learns at once whether
 * it was accepted and, if not, why (the refusal is the update's failure message). The same
 * names also exist as Signals, for the Temporal UI's "Send a Signal" and `temporal workflow
 * signal`; a refused signal is recorded in the status (`ignoredMessages`). `started` is the
 * update `certrot rotate` sends with the start (update-with-start): it answers once the
 * request was accepted and preflight passed, or fails with the workflow's own reason.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApproveRequest,
  ApproveResult,
  ConfirmManualStepsRequest,
  MessageResult,
  ReasonRequest,
  RejectRequest,
  RescheduleRequest,
  RotationStatus,
  RotationWindow,
  StartedResult,
  VendorAppliedRequest,
} from '../domain/rotation';

export const startedUpdate = defineUpdate<StartedResult, []>('started');
export const approveUpdate = defineUpdate<ApproveResult, [ApproveRequest]>('approve');
export const rejectUpdate = defineUpdate<MessageResult, [RejectRequest]>('reject');
export const rescheduleUpdate = defineUpdate<RotationWindow, [RescheduleRequest]>('reschedule');
export const vendorAppliedUpdate = defineUpdate<MessageResult, [VendorAppliedRequest]>('vendorApplied');
export const abortUpdate = defineUpdate<MessageResult, [ReasonRequest]>('abort');
export const rollbackUpdate = defineUpdate<MessageResult, [ReasonRequest]>('rollback');
export const confirmManualStepsUpdate = defineUpdate<MessageResult, [ConfirmManualStepsRequest]>('confirmManualSteps');

export const approveSignal = defineSignal<[ApproveRequest]>('approve');
export const rejectSignal = defineSignal<[RejectRequest]>('reject');
export const rescheduleSignal = defineSignal<[RescheduleRequest]>('reschedule');
export const vendorAppliedSignal = defineSignal<[VendorAppliedRequest]>('vendorApplied');
export const abortSignal = defineSignal<[ReasonRequest]>('abort');
export const rollbackSignal = defineSignal<[ReasonRequest]>('rollback');
export const confirmManualStepsSignal = defineSignal<[ConfirmManualStepsRequest]>('confirmManualSteps');

export const statusQuery = defineQuery<RotationStatus>('status');
