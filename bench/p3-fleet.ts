/**
 * P3: a fleet — N overlap rotations of N certificates in one org (bench/lib/fleet-world.ts),
 * started together and each approved as soon as it asks, with the least grace a request may
 * give (1 ms) — found by one visibility list per tick (bench/lib/approver.ts), not by
 * querying every workflow; beside N runs of the no-op workflow of the same shape (bench/noop-workflow.ts)
 * on the same dev server, with the same worker settings, in the same repetition. Throughput is
 * workflows per second from the first start to the last result; the ratio rotation / no-op
 * is within one repetition. Salesforce calls per rotation: the sandbox org's own
 * DailyApiRequests counter, before and after, / N. Workers run in this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotationWorkflowId, type RotationRequest, type RotationStatus } from '../src/domain/rotation';
import { approveUpdate, statusQuery } from '../src/workflows/messages';
import { startFleetApprover } from './lib/approver';
import { noopApproveUpdate, type noopRotation } from './noop-workflow';
import { WORLD_ORGS } from '../src/sandbox/world';
import { quickNote, type BenchContext } from './lib/context';
import { rotationWorker } from './lib/environment';
import { flatCost } from './lib/goals';
import { noopWorker } from './lib/noop';
import type { BenchTable } from './lib/report';
import { allMet, formatSpread, meetsAtLeast, spread } from './lib/stats';
import { startFleetWorld } from './lib/fleet-world';

const GRACE = '1 ms';
const POLL_MS = 250;

export interface P3Sample {
  readonly size: number;
  readonly rotationSeconds: number;
  readonly noopSeconds: number;
  readonly completed: number;
  readonly callsPerRotation: number;
  readonly failures: readonly string[];
}

async function sample(context: BenchContext, size: number, rep: number): Promise<P3Sample> {
  const { env } = context;
  const dir = await mkdtemp(join(tmpdir(), 'certrot-bench-fleet-'));
  // Salesforce makes its key pairs on its own servers: the sandbox draws them from a pool made
  // before the clock starts (behaviour.pregeneratedKeys), so its RSA generation is not counted as certrot's
  const world = await startFleetWorld({ size, dir, behaviour: { pregeneratedKeys: size + 2 } });
  const stopWorld = env.defer(async () => {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });
  try {
    const client = env.temporal.client;
    // the no-op first, then the rotations: each batch has the worker to itself
    const noop = await noopWorker(env, 'p3-noop');
    const noopApprover = startFleetApprover(client, noop.taskQueue, (id) => client.workflow.getHandle(id).executeUpdate(noopApproveUpdate, { args: [{ approver: 'bench' }] }).then(() => undefined), POLL_MS);
    const noopStarted = Date.now();
    await Promise.all(
      world.certificates.map(async (c) => {
        const handle = await client.workflow.start<typeof noopRotation>('noopRotation', { taskQueue: noop.taskQueue, workflowId: `bench-noop-${size}-${rep}-${c}`, args: [{ graceMs: 1 }] });
        await handle.result();
      }),
    );
    const noopSeconds = (Date.now() - noopStarted) / 1000;
    await noopApprover.stop();
    await noop.stop();

    const worker = await rotationWorker(env, world.config, 'p3');
    try {
      const before = await world.apiCalls();
      // the provisioning team: one query per rotation, for the fingerprint it approves
      const approver = startFleetApprover(
        client,
        worker.taskQueue,
        async (id) => {
          const handle = client.workflow.getHandle(id);
          const status = await handle.query(statusQuery);
          if (!status.newCertificate) throw new Error(`${id} asks for approval without a new certificate`);
          await handle.executeUpdate(approveUpdate, { args: [{ approver: 'bench', fingerprint: status.newCertificate.spkiFingerprint }] });
        },
        POLL_MS,
      );
      const stopApprover = env.defer(() => approver.stop());
      const started = Date.now();
      const outcomes = await Promise.all(
        world.certificates.map(async (certificate) => {
          const request: RotationRequest = { org: WORLD_ORGS.multiKey.alias, certificate, vendor: 'acme', strategy: 'overlap', gracePeriod: GRACE };
          try {
            const handle = await client.workflow.start('rotateCertificate', { taskQueue: worker.taskQueue, workflowId: rotationWorkflowId(request.org, request.certificate), args: [request] });
            const status = (await handle.result()) as RotationStatus;
            return status.outcome === 'completed' ? null : `${certificate}: ${status.outcome ?? status.phase}: ${status.reason ?? status.errors.join('; ')}`;
          } catch (error) {
            return `${certificate}: ${error instanceof Error ? error.message : String(error)}`;
          }
        }),
      );
      const rotationSeconds = (Date.now() - started) / 1000;
      await stopApprover();
      const calls = (await world.apiCalls()) - before;
      const failures = outcomes.filter((o): o is string => o !== null);
      context.log(`  P3 N=${size}: rotations ${rotationSeconds.toFixed(1)} s, no-op ${noopSeconds.toFixed(1)} s, ${size - failures.length}/${size} completed, ${(calls / size).toFixed(1)} Salesforce calls each`);
      return { size, rotationSeconds, noopSeconds, completed: size - failures.length, callsPerRotation: calls / size, failures: failures.slice(0, 3) };
    } finally {
      await worker.stop();
    }
  } finally {
    await stopWorld();
  }
}

export async function p3(context: BenchContext): Promise<BenchTable[]> {
  const sizes = context.quick ? [10, 20] : [20, 50, 100];
  const samples: P3Sample[] = [];
  for (const size of sizes) {
    for (let rep = 0; rep < context.repetitions; rep += 1) {
      context.log(`P3 fleet N=${size}: repetition ${rep + 1}/${context.repetitions}`);
      samples.push(await sample(context, size, rep));
    }
  }
  const of = (size: number): P3Sample[] => samples.filter((s) => s.size === size);
  const ratioOf = (s: P3Sample): number => s.noopSeconds / s.rotationSeconds; // (N/rotation s) / (N/no-op s)
  const largest = sizes[sizes.length - 1]!;
  const perRotation = sizes.map((size) => ({ size, value: spread(of(size).map((s) => s.rotationSeconds / size))?.median ?? Number.NaN }));
  const allCompleted = samples.every((s) => s.completed === s.size);
  return [
    {
      id: 'p3',
      title: 'fleet: N overlap rotations in one org vs a no-op workflow of the same shape',
      goal: `rotation / no-op throughput ≥ 0.7× at N=${largest}, flat per-rotation cost (at N=${largest} ≤ 1.25× that at N=${sizes[0]!}), every rotation completed`,
      met: allMet([meetsAtLeast(of(largest).map(ratioOf), 0.7), flatCost(perRotation), allCompleted]),
      header: ['N', 'completed', 'rotations/s', 'no-op/s', 'ratio rotation / no-op', 'seconds per rotation (wall / N)', 'Salesforce calls per rotation'],
      rows: sizes.map((size) => {
        const list = of(size);
        return [
          String(size),
          list.map((s) => `${s.completed}/${size}`).join(', '),
          formatSpread(spread(list.map((s) => size / s.rotationSeconds)), 2),
          formatSpread(spread(list.map((s) => size / s.noopSeconds)), 2),
          formatSpread(spread(list.map(ratioOf)), 2, '×'),
          formatSpread(spread(list.map((s) => s.rotationSeconds / size)), 2, 's'),
          formatSpread(spread(list.map((s) => s.callsPerRotation)), 1),
        ];
      }),
      notes: [
        `Grace ${GRACE} (a request's least); each workflow approved once a visibility list (one per ${POLL_MS} ms for the whole fleet, by the RotationPhase search attribute) shows it awaiting approval — a rotation's fingerprint read with one status query. Throughput: N / seconds from the first start to the last result. ` +
          'The worker (default settings), the sandbox org and vendor and the driver share this process; the sandbox draws new key pairs from a pool made before the clock starts (Salesforce makes them on its own servers).',
        ...samples.flatMap((s) => s.failures.map((f) => `Not completed (N=${s.size}): ${f}`)),
        ...quickNote(context),
      ],
    },
  ];
}
