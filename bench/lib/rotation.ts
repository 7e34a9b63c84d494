/**
 * Drives one rotation as the operator and the provisioning team would: starts it, approves
 * with the staged key's fingerprint as soon as it asks, and waits for its result.
 */
import type { Client } from '@temporalio/client';
import { rotationWorkflowId, type RotationRequest, type RotationStatus } from '../../src/domain/rotation';
import { approveUpdate, statusQuery } from '../../src/workflows/messages';

export interface DrivenRotation {
  readonly workflowId: string;
  readonly runId: string;
  readonly status: RotationStatus;
  /** ms since epoch. */
  readonly startedAt: number;
  readonly approvedAt: number | null;
  readonly endedAt: number;
}

export interface DriveOptions {
  /** How often to ask the rotation's status while waiting for it to ask for approval (default 100 ms). */
  readonly pollMs?: number;
  /** Called just before the approval is sent. */
  readonly beforeApprove?: (status: RotationStatus) => Promise<void> | void;
}

export async function driveRotation(client: Client, taskQueue: string, request: RotationRequest, options: DriveOptions = {}): Promise<DrivenRotation> {
  const workflowId = rotationWorkflowId(request.org, request.certificate);
  const startedAt = Date.now();
  const handle = await client.workflow.start('rotateCertificate', { taskQueue, workflowId, args: [request] });
  let approvedAt: number | null = null;
  for (;;) {
    const status = await handle.query(statusQuery).catch(() => null); // null: failed before its handlers were set
    if (status === null || status.outcome !== null) break;
    if (status.phase === 'awaiting-approval' && status.newCertificate) {
      await options.beforeApprove?.(status);
      approvedAt = Date.now();
      await handle.executeUpdate(approveUpdate, { args: [{ approver: 'bench', fingerprint: status.newCertificate.spkiFingerprint }] });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
  const status = (await handle.result()) as RotationStatus;
  return { workflowId, runId: handle.firstExecutionRunId, status, startedAt, approvedAt, endedAt: Date.now() };
}

/** Throws unless the rotation completed. */
export function requireCompleted(rotation: DrivenRotation): RotationStatus {
  const { status } = rotation;
  if (status.outcome !== 'completed') throw new Error(`rotation ${rotation.workflowId} ended ${status.outcome ?? status.phase}: ${status.reason ?? status.errors.join('; ')}`);
  return status;
}
