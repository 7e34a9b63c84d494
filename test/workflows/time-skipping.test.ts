import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { useTemporalEnv } from '../support/temporal';
import type { sleepDays } from './fixtures/smoke-workflows';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('time-skipping test server (from the registry-installed binary)', () => {
  const env = useTemporalEnv('time-skipping');

  it('runs a workflow that sleeps 30 days without waiting 30 days', async () => {
    const worker = await Worker.create({
      connection: env().nativeConnection,
      taskQueue: 'smoke-time-skipping',
      workflowsPath: require.resolve('./fixtures/smoke-workflows'),
    });
    const wallStart = Date.now();
    const result = await worker.runUntil(
      env().client.workflow.execute<typeof sleepDays>('sleepDays', {
        taskQueue: 'smoke-time-skipping',
        workflowId: `sleep-30-days-${Date.now()}`,
        args: [30],
      }),
    );
    const wallMs = Date.now() - wallStart;
    // Workflow time moved a full 30 days: the server skipped time rather than the test waiting.
    assert.ok(result.finishedAt - result.startedAt >= 30 * DAY_MS, `workflow time advanced ${result.finishedAt - result.startedAt} ms`);
    console.log(`30 workflow days took ${wallMs} ms of wall time`);
  });
});
