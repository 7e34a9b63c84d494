/**
 * How the rotation calls its activities, by kind (samples-typescript `saga/` names its
 * presets the same way). Every activity heartbeats (src/activities/failures.ts), so a
 * worker that dies mid-step is noticed after `heartbeatTimeout` and the step is retried on
 * another worker — seconds, not the whole start-to-close timeout.
 */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { RotationActivities } from '../domain/activity-contract';
import type { ApprovalActivities } from '../domain/approval-contract';

export const HEARTBEAT_TIMEOUT = '15 seconds';

/** The runbook's steps. */
export const steps = proxyActivities<RotationActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Compensation tries harder: giving up means an operator must repair by hand. */
export const undo = proxyActivities<RotationActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 8 },
});

/**
 * `registry` mode: the poll IS the retry policy. The activity (untilDecided) fails every
 * attempt that finds the registry undecided with the retryable APPROVAL_PENDING, so the
 * server retries it every poll interval — no maximum attempts, no backoff — and the
 * history holds one scheduled activity however long the wait, not one per poll. The
 * workflow cancels it once a person decides, an abort arrives or the deadline passes.
 */
export function registryPoll(pollIntervalMs: number): Pick<ApprovalActivities, 'pollRegistryApproval'> {
  return proxyActivities<ApprovalActivities>({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    retry: { initialInterval: pollIntervalMs, backoffCoefficient: 1, maximumInterval: pollIntervalMs },
  });
}
