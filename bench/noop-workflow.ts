/**
 * The no-op of a rotation's shape, for P3 and P5 to compare against: the same number of
 * activity calls (9, each doing nothing), the same 2 timers (the approval wait with its
 * timeout, cancelled on approval, and the grace period) and an `approve` update answered
 * while it waits (found, as a rotation is, by its RotationPhase search attribute), plus a
 * `status` query. Bundled on its own for the
 * bench worker (bench/lib/environment.ts); imports only the workflow SDK.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';

export interface NoopActivities {
  nothing(step: string): Promise<void>;
}

export interface NoopStatus {
  phase: 'running' | 'awaiting-approval' | 'completed';
}

export const noopStatusQuery = defineQuery<NoopStatus>('status');
export const noopApproveUpdate = defineUpdate<{ accepted: boolean }, [{ approver: string }]>('approve');

const ROTATION_PHASE = defineSearchAttributeKey('RotationPhase', SearchAttributeType.KEYWORD);

const { nothing } = proxyActivities<NoopActivities>({ startToCloseTimeout: '1 minute' });

export async function noopRotation(input: { graceMs: number }): Promise<NoopStatus> {
  const status: NoopStatus = { phase: 'running' };
  let approved = false;
  setHandler(noopStatusQuery, () => status);
  setHandler(noopApproveUpdate, () => {
    approved = true;
    return { accepted: true };
  });
  for (const step of ['preflight', 'backUpCertificate', 'generateCertificate', 'stageKey']) await nothing(step);
  status.phase = 'awaiting-approval';
  // as a rotation does: the fleet approver finds it by this search attribute (bench/lib/approver.ts)
  upsertSearchAttributes([{ key: ROTATION_PHASE, value: 'awaiting-approval' }]);
  await condition(() => approved, '7 days');
  status.phase = 'running';
  for (const step of ['switchReferences', 'applyVendor', 'verifyRotation']) await nothing(step);
  await sleep(Math.max(1, input.graceMs));
  for (const step of ['retireOldKey', 'deleteCertificate']) await nothing(step);
  status.phase = 'completed';
  return status;
}
