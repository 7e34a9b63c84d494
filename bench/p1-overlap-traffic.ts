/**
 * P1: an `overlap` rotation of the demo certificate (its ~5 references: hierarchy setting
 * rows, a custom object record, named credentials) under continuous integration traffic
 * (bench/lib/traffic.ts) from before the rotation starts until it has completed. The grace
 * period is chosen from the traffic's own rate in a short warm-up so that at least the
 * required number of calls happen during the rotation. Goal: no failed call.
 */
import type { RotationRequest } from '../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../src/sandbox/world';
import { quickNote, type BenchContext } from './lib/context';
import { benchWorld, rotationWorker } from './lib/environment';
import type { BenchTable } from './lib/report';
import { driveRotation, requireCompleted } from './lib/rotation';
import { allMet, formatNumber, formatSpread, meetsAtLeast, meetsAtMost, spread } from './lib/stats';
import type { TrafficCall } from './lib/traffic';
import { demoCertificateTraffic, NEXT } from './lib/demo-traffic';

const WARM_UP_MS = 3_000;

export interface P1Repetition {
  readonly total: number;
  readonly failed: number;
  readonly duringRotation: number;
  readonly references: number;
  readonly graceSeconds: number;
  readonly rotationSeconds: number;
  readonly errors: readonly string[];
}

async function repetition(context: BenchContext, minCalls: number, loops: number): Promise<P1Repetition> {
  const { env } = context;
  const org = WORLD_ORGS.multiKey;
  const { world, stop } = await benchWorld(env);
  try {
    const worker = await rotationWorker(env, world.config, 'p1');
    const { traffic, references } = await demoCertificateTraffic(world, org.vendorOrgId, loops);
    let calls: TrafficCall[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
      const rate = Math.max(traffic.count(), 1) / (WARM_UP_MS / 1000);
      // the rotation's other phases add time on top: the grace period alone should carry the calls
      const graceSeconds = Math.min(600, Math.max(2, Math.ceil(minCalls / rate)));
      context.log(`  P1: ${references.length} references, ${rate.toFixed(1)} calls/s in warm-up -> grace ${graceSeconds} s`);
      const request: RotationRequest = { org: org.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'overlap', newUniqueName: NEXT.uniqueName, newLabel: NEXT.label, gracePeriod: `${graceSeconds} seconds` };
      const rotation = await driveRotation(env.temporal.client, worker.taskQueue, request);
      requireCompleted(rotation);
      calls = await traffic.stop();
      const during = calls.filter((c) => c.end >= rotation.startedAt && c.start <= rotation.endedAt);
      const failed = calls.filter((c) => !c.ok);
      return {
        total: during.length,
        failed: failed.length,
        duringRotation: during.length,
        references: references.length,
        graceSeconds,
        rotationSeconds: (rotation.endedAt - rotation.startedAt) / 1000,
        errors: [...new Set(failed.map((c) => `${c.reference}: ${c.error ?? '?'}`))].slice(0, 5),
      };
    } finally {
      if (calls.length === 0) await traffic.stop();
      await worker.stop();
    }
  } finally {
    await stop();
  }
}

export async function p1(context: BenchContext): Promise<BenchTable[]> {
  const minCalls = context.quick ? 200 : 1_000;
  const reps: P1Repetition[] = [];
  for (let i = 0; i < context.repetitions; i += 1) {
    context.log(`P1 overlap under traffic: repetition ${i + 1}/${context.repetitions}`);
    reps.push(await repetition(context, minCalls, 2));
  }
  const failedOk = meetsAtMost(reps.map((r) => r.failed), 0);
  const enough = meetsAtLeast(reps.map((r) => r.total), minCalls);
  return [
    {
      id: 'p1',
      title: '`overlap` rotation under continuous traffic',
      goal: `0 failed calls, ≥ ${formatNumber(minCalls)} calls per repetition during the rotation`,
      met: allMet([failedOk, enough]),
      header: ['repetition', 'references', 'grace', 'rotation', 'calls during the rotation', 'failed (of every call, warm-up included)'],
      rows: [
        ...reps.map((r, i) => [String(i + 1), String(r.references), `${r.graceSeconds} s`, `${r.rotationSeconds.toFixed(1)} s`, formatNumber(r.total), formatNumber(r.failed)]),
        [
          'min / median / max',
          formatSpread(spread(reps.map((r) => r.references))),
          formatSpread(spread(reps.map((r) => r.graceSeconds)), 0, 's'),
          formatSpread(spread(reps.map((r) => r.rotationSeconds)), 1, 's'),
          formatSpread(spread(reps.map((r) => r.total))),
          formatSpread(spread(reps.map((r) => r.failed))),
        ],
      ],
      notes: [
        'A call: read which certificate a reference names, have the org sign a nonce with it, have the vendor verify against the keys it trusts at that moment; 2 loops, the references in turn. Counted: calls overlapping the rotation from its start to its result.',
        ...reps.flatMap((r) => r.errors.map((e) => `Failed: ${e}`)),
        ...quickNote(context),
      ],
    },
  ];
}
