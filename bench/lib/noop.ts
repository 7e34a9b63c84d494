/** Runs bench/noop-workflow.ts: its worker, and a driver shaped like bench/lib/rotation.ts's. */
import type { Client } from '@temporalio/client';
import type { NoopActivities, noopRotation } from '../noop-workflow';
import { noopApproveUpdate, noopStatusQuery } from '../noop-workflow';
import { runWorker, type BenchEnv, type BenchWorker } from './environment';
import { workerDataConverter } from '../../src/codec/data-converter';

export async function noopWorker(env: BenchEnv, prefix: string): Promise<BenchWorker> {
  const activities: NoopActivities = { nothing: () => Promise.resolve() };
  return runWorker(env, { taskQueue: env.taskQueue(prefix), workflowBundle: await env.noopBundle(), activities, dataConverter: workerDataConverter(undefined) });
}

export interface DrivenNoop {
  readonly workflowId: string;
  readonly runId: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

export async function driveNoop(client: Client, taskQueue: string, workflowId: string, graceMs: number, pollMs = 100): Promise<DrivenNoop> {
  const startedAt = Date.now();
  const handle = await client.workflow.start<typeof noopRotation>('noopRotation', { taskQueue, workflowId, args: [{ graceMs }] });
  for (;;) {
    const status = await handle.query(noopStatusQuery).catch(() => null);
    if (status === null || status.phase === 'completed') break;
    if (status.phase === 'awaiting-approval') {
      await handle.executeUpdate(noopApproveUpdate, { args: [{ approver: 'bench' }] });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  await handle.result();
  return { workflowId, runId: handle.firstExecutionRunId, startedAt, endedAt: Date.now() };
}
