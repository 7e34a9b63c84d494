/**
 * Records rotations under 'approval-routes' for the replay test (test/replay): not a test
 * (the name does not end in .test.ts). Run it with
 *
 *   npx tsx test/replay/recorders/approval-routes.recorder.ts v6
 *
 * which writes test/replay/histories/rotate-simultaneous-<label>-registry-link.history.pb: a
 * `registry` rotation whose registry stays undecided (the poll activity, retried, then
 * cancelled) and that a person approves through the signed link (the checkApprovalLink
 * activity from the update handler); and ...-<label>-continuity.history.pb: a `continuity`
 * rotation approved by the vendor's verdict. The registry poll and the continuity proof are
 * scripted (their inputs and results are what history holds); the rest is the sandbox
 * world. Keep old files: they prove later changes still replay these.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../../src/activities/rotation-activities';
import { decisionProof, newLinkId } from '../../../src/approvals/link-token';
import { APPROVAL_PENDING, type ContinuityResult } from '../../../src/domain/approval-contract';
import type { RegistryApprovalState } from '../../../src/domain/approval-route';
import { rotationWorkflowId, type RotationRequest, type RotationStatus } from '../../../src/domain/rotation';
import { DEMO_CERTIFICATE, startSandboxWorld, WORLD_ORGS } from '../../../src/sandbox/world';
import { createAdapters } from '../../../src/workers/adapters';
import { workerDataConverter } from '../../../src/codec/data-converter';
import { buildWorkflowBundle } from '../../../src/workers/workflow-bundle';
import { approveUpdate, statusQuery } from '../../../src/workflows/messages';
import { createTimeSkippingEnv } from '../../support/temporal';

type Scenario = 'registry-link' | 'continuity';

async function record(label: string, scenario: Scenario): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'certrot-record-'));
  const env = await createTimeSkippingEnv();
  const world = await startSandboxWorld({ dir });
  const key = randomBytes(32);
  const adapters = { ...createAdapters(world.config), approvalLinkKey: key };
  let polls = 0;
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'record',
      workflowBundle: { code: (await buildWorkflowBundle()).code },
      activities: {
        ...createActivities(adapters),
        pollRegistryApproval: (): Promise<RegistryApprovalState> => {
          polls += 1;
          return Promise.reject(ApplicationFailure.retryable('the registry has not decided yet', APPROVAL_PENDING));
        },
        proveContinuity: (): Promise<ContinuityResult> =>
          Promise.resolve({
            sent: true,
            signed: { statement: '{"version":1,"purpose":"certrot-key-continuity"}', oldSignature: 'b2xkLXNpZ25hdHVyZQ', newSignature: 'bmV3LXNpZ25hdHVyZQ' },
            verdict: { verified: true, problem: null, approval: 'approved', window: null, policy: 'standing-2026' },
          }),
      },
      dataConverter: workerDataConverter(undefined),
    });
    const request: RotationRequest = {
      org: WORLD_ORGS.singleKey.alias,
      certificate: DEMO_CERTIFICATE,
      vendor: 'acme',
      strategy: 'simultaneous',
      approval: scenario === 'registry-link' ? { mode: 'registry', pollInterval: '10 seconds' } : { mode: 'continuity' },
    };
    const status = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('rotateCertificate', { taskQueue: 'record', workflowId: rotationWorkflowId(request.org, request.certificate), args: [request] });
      if (scenario === 'registry-link') {
        for (;;) {
          const current = await handle.query(statusQuery);
          if (current.phase === 'awaiting-approval' && polls >= 2) {
            const fingerprint = current.newCertificate!.spkiFingerprint;
            const claims = { workflowId: handle.workflowId, fingerprint, sentTo: 'provisioning@acme.test', linkId: newLinkId() };
            const link = { linkId: claims.linkId, sentTo: claims.sentTo, proof: decisionProof(key, claims, 'approve') };
            await handle.executeUpdate(approveUpdate, { args: [{ approver: 'Ann at Acme', fingerprint, link }] });
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const result = (await handle.result()) as RotationStatus;
      const history = await handle.fetchHistory();
      const bytes = temporal.api.history.v1.History.encode(history).finish();
      const file = join(__dirname, '..', 'histories', `rotate-simultaneous-${label}-${scenario}.history.pb`);
      await writeFile(file, bytes);
      console.log(`${result.outcome ?? '?'} via ${result.approval?.via ?? '?'}: ${history.events?.length ?? 0} events, ${(bytes.length / 1024).toFixed(1)} KiB -> ${file}`);
      return result;
    });
    const expected = scenario === 'registry-link' ? 'link' : 'continuity';
    if (status.outcome !== 'completed' || status.approval?.via !== expected) throw new Error(`the recorded rotation ended ${status.outcome ?? '?'} via ${status.approval?.via ?? '?'}`);
  } finally {
    adapters.close();
    await world.close();
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const label = process.argv[2] ?? 'v6';
  await record(label, 'registry-link');
  await record(label, 'continuity');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
