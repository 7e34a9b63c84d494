/**
 * Records the history of one complete `simultaneous` rotation (sandbox org and vendor,
 * time-skipping server) into test/replay/histories/, for the replay test. Run it when a
 * released version of the workflow changes on purpose — and keep the older files: they
 * are what proves a change replays old histories.
 *
 *   npx tsx scripts/record-rotation-history.ts v1
 *   npx tsx scripts/record-rotation-history.ts v3 manual-references
 *
 * `manual-references`: the org has an Apex class naming the certificate; the request
 * acknowledges it, and clean-up waits for the operator's confirmManualSteps.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities/rotation-activities';
import { rotationWorkflowId, type RotationStatus } from '../src/domain/rotation';
import { DEMO_CERTIFICATE, startSandboxWorld, WORLD_ORGS } from '../src/sandbox/world';
import { createAdapters } from '../src/workers/adapters';
import { workerDataConverter } from '../src/codec/data-converter';
import { buildWorkflowBundle } from '../src/workers/workflow-bundle';
import { approveUpdate, confirmManualStepsUpdate, statusQuery } from '../src/workflows/messages';
import { createTimeSkippingEnv } from '../test/support/temporal';

async function main(): Promise<void> {
  const label = process.argv[2] ?? 'v1';
  const manual = process.argv[3] === 'manual-references';
  const dir = await mkdtemp(join(tmpdir(), 'certrot-record-'));
  const env = await createTimeSkippingEnv();
  const apexClasses = [{ name: 'Contoso_Callout', body: "public class Contoso_Callout {\n  static String cert = 'Vendor_Signing';\n}" }];
  const world = await startSandboxWorld({ dir, ...(manual ? { orgFixture: (demo) => ({ ...demo, apexClasses }) } : {}) });
  const adapters = createAdapters(world.config);
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'record',
      workflowBundle: { code: (await buildWorkflowBundle()).code },
      activities: createActivities(adapters),
      dataConverter: workerDataConverter(undefined),
    });
    const status = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('rotateCertificate', {
        taskQueue: 'record',
        workflowId: rotationWorkflowId(WORLD_ORGS.singleKey.alias, DEMO_CERTIFICATE),
        args: [
          {
            org: WORLD_ORGS.singleKey.alias,
            certificate: DEMO_CERTIFICATE,
            vendor: 'acme',
            strategy: 'simultaneous',
            ...(manual ? { references: { acknowledge: ['apex-class:Contoso_Callout'] } } : {}),
          },
        ],
      });
      for (;;) {
        const current = await handle.query(statusQuery);
        if (current.phase === 'awaiting-approval') {
          await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: current.newCertificate!.spkiFingerprint }] });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (manual) {
        await env.sleep('8 days'); // past the grace period: clean-up waits for the confirmation
        while ((await handle.query(statusQuery)).phase !== 'cleaning-up') await new Promise((resolve) => setTimeout(resolve, 100));
        await handle.executeUpdate(confirmManualStepsUpdate, { args: [{ by: 'ops', note: 'deployed Contoso_Callout' }] });
      }
      const result = (await handle.result()) as RotationStatus;
      const history = await handle.fetchHistory();
      // Binary protobuf, as the server stores it: exact, and independent of JSON mappings.
      const bytes = temporal.api.history.v1.History.encode(history).finish();
      const file = join(__dirname, '..', 'test', 'replay', 'histories', `rotate-simultaneous-${label}${manual ? '-manual-references' : ''}.history.pb`);
      await writeFile(file, bytes);
      console.log(`${result.outcome ?? '?'}: ${history.events?.length ?? 0} events, ${(bytes.length / 1024).toFixed(1)} KiB -> ${file}`);
      return result;
    });
    if (status.outcome !== 'completed') throw new Error(`the recorded rotation ended ${status.outcome ?? '?'}`);
  } finally {
    adapters.close();
    await world.close();
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
