/**
 * P2: a `simultaneous` rotation (the vendor holds one key) under continuous traffic: the
 * failed calls, the failure window observed — from the first flip on either side to the
 * last, from the sandboxes' own logs (the org's switch log, the vendor's activations) —
 * beside the mismatch window certrot reports (RotationStatus.mismatchWindowMs) and the
 * slower side's own apply latency measured alone in an idle world: the org side's
 * updateReferences through the worker's adapter on the same references, and the vendor's
 * activation (with replace) alone.
 * Goals: observed ≤ 1.2 × the slower side alone; reported ≥ observed and close to it.
 */
import { performance } from 'node:perf_hooks';
import type { RotationRequest } from '../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../src/sandbox/world';
import { createAdapters } from '../src/workers/adapters';
import { quickNote, type BenchContext } from './lib/context';
import { benchWorld, rotationWorker } from './lib/environment';
import { changesTo, placesNaming } from './lib/references';
import type { BenchTable } from './lib/report';
import { driveRotation, requireCompleted } from './lib/rotation';
import { flipWindow, orgSwitches, vendorActivations } from './lib/sandbox-logs';
import { allMet, formatSpread, spread } from './lib/stats';
import type { TrafficCall } from './lib/traffic';
import { demoCertificateTraffic, NEXT } from './lib/demo-traffic';
import { closeEnough } from './lib/goals';

/** The other certificate of the demo org: what the alone measurement switches the references to. */
const OTHER = 'Partner_Signing';
const org = WORLD_ORGS.singleKey;

export interface P2Repetition {
  readonly calls: number;
  readonly failed: number;
  readonly observedMs: number | null;
  readonly observedFrom: 'sandbox logs' | 'failed calls';
  readonly reportedMs: number | null;
  readonly orgAloneMs: number;
  readonly vendorAloneMs: number;
  readonly orgLeadMs: number | null;
}

/** The two sides' apply latency, each alone, in an idle world of its own. */
async function aloneLatencies(context: BenchContext): Promise<{ orgMs: number; vendorMs: number }> {
  const { world, stop } = await benchWorld(context.env);
  const adapters = createAdapters(world.config);
  try {
    const current = await world.salesforce.getCertificate(DEMO_CERTIFICATE);
    const { references } = await placesNaming(world, { uniqueName: DEMO_CERTIFICATE, label: current.label });
    const salesforce = adapters.orgs.get(org.alias)!.org;
    await salesforce.organizationId(); // the session, as a worker's adapter has it by the time it switches
    // the same switch the rotation makes (every reference read first, then the writes at one
    // instant), timed from that instant: the org side's own switch time
    let started = performance.now();
    const result = await salesforce.updateReferences(changesTo(references, DEMO_CERTIFICATE, OTHER), undefined, {
      atOnce: true,
      atSwitchInstant: () => {
        started = performance.now();
      },
    });
    const orgMs = performance.now() - started;
    if (result.conflicts.length > 0) throw new Error(`the org side alone met ${result.conflicts.length} conflict(s)`);
    const other = await world.salesforce.getCertificate(OTHER);
    const run = { workflowId: 'bench-p2-alone', runId: 'alone' };
    const fingerprint = await world.registry.stageKey(org.vendorOrgId, other.certificatePem!, { run });
    started = performance.now();
    await world.registry.activateKey(org.vendorOrgId, fingerprint, { run, replace: true });
    const vendorMs = performance.now() - started;
    return { orgMs, vendorMs };
  } finally {
    adapters.close();
    await stop();
  }
}

async function repetition(context: BenchContext): Promise<P2Repetition> {
  const alone = await aloneLatencies(context);
  const { env } = context;
  const { world, stop } = await benchWorld(env);
  try {
    const worker = await rotationWorker(env, world.config, 'p2');
    const { traffic } = await demoCertificateTraffic(world, org.vendorOrgId, 2);
    let calls: TrafficCall[] | undefined;
    try {
      const request: RotationRequest = { org: org.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'simultaneous', newUniqueName: NEXT.uniqueName, newLabel: NEXT.label, gracePeriod: '2 seconds' };
      const rotation = await driveRotation(env.temporal.client, worker.taskQueue, request);
      const status = requireCompleted(rotation);
      calls = await traffic.stop();
      const failed = calls.filter((c) => !c.ok);
      const [switches, activations] = await Promise.all([orgSwitches(world.org.url), vendorActivations(world.vendor.url)]);
      let observedMs: number | null;
      let observedFrom: P2Repetition['observedFrom'];
      let orgLeadMs: number | null = null;
      if (switches && activations && status.newCertificate) {
        const flips = flipWindow(switches, activations, NEXT.uniqueName, status.newCertificate.spkiFingerprint, org.vendorOrgId);
        observedMs = flips.windowMs;
        orgLeadMs = flips.orgLeadMs;
        observedFrom = 'sandbox logs';
      } else {
        observedMs = failed.length === 0 ? 0 : Math.max(...failed.map((c) => c.end)) - Math.min(...failed.map((c) => c.start));
        observedFrom = 'failed calls';
      }
      context.log(`  P2: ${failed.length}/${calls.length} failed; observed ${String(observedMs)} ms (${observedFrom}), reported ${String(status.mismatchWindowMs)} ms; alone org ${alone.orgMs.toFixed(0)} ms, vendor ${alone.vendorMs.toFixed(0)} ms`);
      return { calls: calls.length, failed: failed.length, observedMs, observedFrom, reportedMs: status.mismatchWindowMs, orgAloneMs: alone.orgMs, vendorAloneMs: alone.vendorMs, orgLeadMs };
    } finally {
      if (!calls) await traffic.stop();
      await worker.stop();
    }
  } finally {
    await stop();
  }
}

export async function p2(context: BenchContext): Promise<BenchTable[]> {
  const reps: P2Repetition[] = [];
  for (let i = 0; i < context.repetitions; i += 1) {
    context.log(`P2 simultaneous under traffic: repetition ${i + 1}/${context.repetitions}`);
    reps.push(await repetition(context));
  }
  const slower = (r: P2Repetition): number => Math.max(r.orgAloneMs, r.vendorAloneMs);
  const withinSlower = reps.map((r) => (r.observedMs === null ? null : r.observedMs <= 1.2 * slower(r)));
  const reported = reps.map((r) => (r.observedMs === null || r.reportedMs === null ? null : r.reportedMs >= r.observedMs && closeEnough(r.reportedMs, r.observedMs)));
  const values = (pick: (r: P2Repetition) => number | null): number[] => reps.map(pick).filter((v): v is number => v !== null);
  const sources = [...new Set(reps.map((r) => r.observedFrom))].join(', ');
  const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(0)} ms`);
  return [
    {
      id: 'p2',
      title: '`simultaneous` rotation under traffic: failed calls and failure window',
      goal: 'observed window ≤ 1.2 × the slower side alone; reported ≥ observed and close to it (within 10% or 20 ms)',
      met: allMet([...withinSlower, ...reported]),
      header: ['repetition', 'calls', 'failed', `observed window (${sources})`, 'reported (mismatchWindowMs)', 'org side alone (its writes, from the switch instant)', 'vendor alone', 'observed / slower side', 'first reference flip after the vendor\'s (negative: before)'],
      rows: [
        ...reps.map((r, i) => [
          String(i + 1),
          String(r.calls),
          String(r.failed),
          ms(r.observedMs),
          ms(r.reportedMs),
          ms(r.orgAloneMs),
          ms(r.vendorAloneMs),
          r.observedMs === null ? '-' : `${(r.observedMs / slower(r)).toFixed(2)}×`,
          ms(r.orgLeadMs),
        ]),
        [
          'min / median / max',
          formatSpread(spread(reps.map((r) => r.calls))),
          formatSpread(spread(reps.map((r) => r.failed))),
          formatSpread(spread(values((r) => r.observedMs)), 0, 'ms'),
          formatSpread(spread(values((r) => r.reportedMs)), 0, 'ms'),
          formatSpread(spread(reps.map((r) => r.orgAloneMs)), 0, 'ms'),
          formatSpread(spread(reps.map((r) => r.vendorAloneMs)), 0, 'ms'),
          formatSpread(spread(values((r) => (r.observedMs === null ? null : r.observedMs / slower(r)))), 2, '×'),
          formatSpread(spread(values((r) => r.orgLeadMs)), 0, 'ms'),
        ],
      ],
      notes: [
        'Observed: from the first flip on either side (a reference switched to the new certificate in the org\'s switch log, the new key activated in the vendor\'s activations) to the last. ' +
          'Where a sandbox lacks its log (HTTP 404) the span of the failed traffic calls stands in, as the column header says. ' +
          'Alone: the same references switched by the worker\'s own adapter as the rotation switches them (updateReferences at once), timed from its switch instant to its answer, and one vendor activation with replace, each in an idle world.',
        ...quickNote(context),
      ],
    },
  ];
}
