/**
 * One rotation driven the way an operator and the vendor's provisioning team would, through
 * Temporal only: start it, wait for `awaiting-approval`, approve the new key's fingerprint
 * (the `approve` update), and wait for its end. Every call is retried, because the worker
 * and the server are being killed and restarted under it; nothing here is timed except the
 * bound after which a rotation counts as "did not end".
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { rotationWorkflowId, type RotationRequest, type RotationStatus } from '../../src/domain/rotation';
import { ROTATION_TASK_QUEUE } from '../../src/domain/rotation';
import { approveUpdate, statusQuery } from '../../src/workflows/messages';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface DrivenRotation {
  readonly workflowId: string;
  /** The final status, or null when the rotation did not end within the bound. */
  readonly status: RotationStatus | null;
  /** The last status seen (for a rotation that did not end). */
  readonly lastSeen: RotationStatus | null;
  /** Calls that failed and were retried (server or worker down). */
  readonly retriedCalls: number;
}

/** `fn` bounded by `ms`: a call to a workflow whose worker is dead may wait a long time. */
async function within<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([fn(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The status a finished rotation returned (or failed with). */
function endedStatus(error: unknown): RotationStatus | null {
  if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) {
    const details = error.cause.details?.[0] as RotationStatus | undefined;
    return details?.outcome ? details : null;
  }
  return null;
}

export async function driveRotation(client: Client, request: RotationRequest, options: { timeoutMs: number; log: (line: string) => void }): Promise<DrivenRotation> {
  const workflowId = rotationWorkflowId(request.org, request.certificate);
  const deadline = Date.now() + options.timeoutMs;
  let retriedCalls = 0;
  let lastSeen: RotationStatus | null = null;
  const retried = (what: string, error: unknown): Promise<void> => {
    retriedCalls += 1;
    if (retriedCalls % 20 === 1) options.log(`  (${what} retried: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    return sleep(500);
  };

  // ---- start (a retry after a lost answer finds the run it started) -------------------------
  const startedAt = Date.now();
  let handle: WorkflowHandle | undefined;
  while (!handle && Date.now() < deadline) {
    try {
      handle = await client.workflow.start('rotateCertificate', { taskQueue: ROTATION_TASK_QUEUE, workflowId, args: [request], workflowIdConflictPolicy: 'FAIL' });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        const running = client.workflow.getHandle(workflowId);
        const described = await running.describe().catch(() => undefined);
        if (described && described.startTime.getTime() >= startedAt - 5_000) handle = running;
        else throw new Error(`${workflowId} is already running from before this rotation`);
      } else await retried('start', error);
    }
  }
  if (!handle) return { workflowId, status: null, lastSeen, retriedCalls };

  // ---- approve once the new key is shared -------------------------------------------------
  let final: RotationStatus | null = null;
  while (Date.now() < deadline) {
    let status: RotationStatus;
    try {
      status = await within(15_000, () => handle.query(statusQuery));
    } catch (error) {
      const closed = await closedStatus(handle);
      if (closed) {
        final = closed;
        break;
      }
      await retried('status query', error);
      continue;
    }
    lastSeen = status;
    if (status.outcome !== null) {
      final = status;
      break;
    }
    if (status.approval !== null || status.phase !== 'awaiting-approval' || !status.newCertificate) {
      if (status.approval !== null) break;
      await sleep(300);
      continue;
    }
    const fingerprint = status.newCertificate.spkiFingerprint;
    try {
      await within(20_000, () => handle.executeUpdate(approveUpdate, { args: [{ approver: 'chaos-driver', fingerprint }] }));
      break;
    } catch (error) {
      await retried('approve', error);
    }
  }

  // ---- wait for the end --------------------------------------------------------------------
  while (!final && Date.now() < deadline) {
    try {
      final = (await within(Math.max(1_000, deadline - Date.now()), () => handle.result())) as RotationStatus;
    } catch (error) {
      final = endedStatus(error);
      if (!final) await retried('result', error);
    }
  }
  if (!final) {
    try {
      lastSeen = await within(15_000, () => handle.query(statusQuery));
    } catch {
      // keep the last status seen
    }
  }
  return { workflowId, status: final, lastSeen, retriedCalls };
}

/** The final status if the workflow has closed (the query needs a worker; this does not). */
async function closedStatus(handle: WorkflowHandle): Promise<RotationStatus | null> {
  try {
    const described = await within(10_000, () => handle.describe());
    if (described.status.name === 'RUNNING') return null;
    return (await within(10_000, () => handle.result())) as RotationStatus;
  } catch (error) {
    return endedStatus(error);
  }
}
