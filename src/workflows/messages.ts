/**
 * The rotation's message definitions, shared by the workflow, the client and the CLI.
 * Signals exist for every message so the Temporal UI and `temporal workflow signal` can
 * send them; `approve` and `reschedule` are also updates, which validate before they are
 * accepted and answer the sender.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApproveRequest,
  ApproveResult,
  ReasonRequest,
  RejectRequest,
  RescheduleRequest,
  RotationStatus,
  RotationWindow,
  VendorAppliedRequest,
} from '../domain/rotation';

export const approveUpdate = defineUpdate<ApproveResult, [ApproveRequest]>('approve');
export const rescheduleUpdate = defineUpdate<RotationWindow, [RescheduleRequest]>('reschedule');

export const approveSignal = defineSignal<[ApproveRequest]>('approve');
export const rejectSignal = defineSignal<[RejectRequest]>('reject');
export const rescheduleSignal = defineSignal<[RescheduleRequest]>('reschedule');
export const vendorAppliedSignal = defineSignal<[VendorAppliedRequest]>('vendorApplied');
export const abortSignal = defineSignal<[ReasonRequest]>('abort');
export const rollbackSignal = defineSignal<[ReasonRequest]>('rollback');

export const statusQuery = defineQuery<RotationStatus>('status');
