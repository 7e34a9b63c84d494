import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from '@temporalio/worker';
import { useTemporalEnv } from '../support/temporal';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/domain/search-attributes';
import type { idleThenReturnId } from './fixtures/smoke-workflows';

describe('Temporal CLI dev server (from the registry-installed binary)', () => {
  const env = useTemporalEnv('dev-server');

  it('shows a started workflow through the list API, filtered by a certrot search attribute', async () => {
    const worker = await Worker.create({
      connection: env().nativeConnection,
      taskQueue: 'smoke-dev-server',
      workflowsPath: require.resolve('./fixtures/smoke-workflows'),
    });
    const workflowId = `visible-${Date.now()}`;
    await worker.runUntil(async () => {
      const handle = await env().client.workflow.start<typeof idleThenReturnId>('idleThenReturnId', {
        taskQueue: 'smoke-dev-server',
        workflowId,
        typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.CertificateName, value: 'Smoke_Cert' }],
      });
      // Visibility is eventually consistent: poll for a bounded time.
      let found: string[] = [];
      for (let attempt = 0; attempt < 50 && found.length === 0; attempt++) {
        found = [];
        for await (const execution of env().client.workflow.list({ query: `CertificateName = "Smoke_Cert"` })) {
          found.push(execution.workflowId);
        }
        if (found.length === 0) await delay(200);
      }
      assert.deepEqual(found, [workflowId]);
      const description = await handle.describe();
      assert.equal(description.status.name, 'RUNNING');
      await handle.terminate('smoke test done');
    });
  });
});
