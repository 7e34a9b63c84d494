/**
 * P4: a renewal sweep over a fleet of 10,000 certificates in 500 orgs (quick: 1,000 in 50),
 * built as test/renewals/fleet.test.ts builds it (bench/lib/sweep-fleet.ts), on the dev
 * server in real time. Each repetition is one sweep (`renewalSweep`) of the same fleet:
 * Salesforce API calls per org (each sandbox org's own counter, before and after), the
 * sweep's duration, and its history — every run of the parent (through continue-as-new)
 * and of the per-org children: events, bytes and the largest single event.
 */
import { quickNote, type BenchContext } from './lib/context';
import { rotationWorker } from './lib/environment';
import { bigConnection, linkedRuns, type RunFigures } from './lib/history';
import type { BenchTable } from './lib/report';
import { allMet, formatBytes, formatNumber, formatSpread, meetsAtMost, spread } from './lib/stats';
import { startSweepFleet, sweepShapeOf } from './lib/sweep-fleet';

/** Temporal refuses a payload over 2 MB and warns from 512 KB: the goal keeps every event well below. */
const MAX_EVENT_BYTES = 1024 * 1024;

interface SweepOutcome {
  readonly totals?: { readonly certificates?: number };
}

export interface P4Repetition {
  readonly seconds: number;
  readonly callsPerOrg: readonly number[];
  readonly certificatesSwept: number | null;
  readonly parent: readonly RunFigures[];
  readonly children: readonly RunFigures[];
}

export async function p4(context: BenchContext): Promise<BenchTable[]> {
  const { env } = context;
  const [orgCount, perOrg] = context.quick ? [50, 20] : [500, 20];
  context.log(`P4 sweep: starting ${orgCount} sandbox orgs of ${perOrg} certificates`);
  const fleet = await startSweepFleet(orgCount, perOrg);
  const stopFleet = env.defer(() => fleet.close());
  const reps: P4Repetition[] = [];
  try {
    const worker = await rotationWorker(env, fleet.config, 'p4');
    const big = await bigConnection(env.temporal.address);
    try {
      for (let rep = 0; rep < context.repetitions; rep += 1) {
        context.log(`P4 sweep over ${fleet.certificates} certificates in ${orgCount} orgs: repetition ${rep + 1}/${context.repetitions}`);
        const before = await fleet.apiCalls();
        const started = Date.now();
        const workflowId = `bench-sweep-${process.pid}-${rep}`;
        const handle = await env.temporal.client.workflow.start('renewalSweep', { taskQueue: worker.taskQueue, workflowId, args: [{}] });
        const result = (await handle.result()) as SweepOutcome;
        const seconds = (Date.now() - started) / 1000;
        const after = await fleet.apiCalls();
        const runs = await linkedRuns(big.workflowService, { workflowId, runId: handle.firstExecutionRunId }, true);
        const parent = runs.filter((r) => r.workflowId === workflowId);
        const children = runs.filter((r) => r.workflowId !== workflowId);
        context.log(`  P4: ${seconds.toFixed(1)} s, ${parent.length} parent run(s), ${children.length} child run(s)`);
        reps.push({ seconds, callsPerOrg: after.map((a, i) => a - before[i]!), certificatesSwept: result.totals?.certificates ?? null, parent, children });
      }
    } finally {
      await big.close();
      await worker.stop();
    }
  } finally {
    await stopFleet();
  }
  const sum = (runs: readonly RunFigures[], pick: (r: RunFigures) => number): number => runs.reduce((a, r) => a + pick(r), 0);
  const largest = (runs: readonly RunFigures[]): number => Math.max(0, ...runs.map((r) => r.largestEvent));
  const all = (pick: (r: P4Repetition) => number[]): number[] => reps.flatMap(pick);
  const everyOrgSwept = reps.every((r) => r.certificatesSwept === null || r.certificatesSwept === fleet.certificates);
  const largestEvents = reps.map((r) => largest([...r.parent, ...r.children]));
  // flat: every org of a shape costs the same number of calls, in every repetition
  const shapes = ['custom-object', 'hierarchy-setting'] as const;
  const callsOf = (shape: (typeof shapes)[number]): number[] => reps.flatMap((r) => r.callsPerOrg.filter((_, i) => sweepShapeOf(i) === shape));
  const flat = reps.length === 0 ? null : shapes.every((shape) => new Set(callsOf(shape)).size <= 1);
  const largestType = reps.flatMap((r) => [...r.parent, ...r.children]).sort((a, b) => b.largestEvent - a.largestEvent)[0]?.largestEventType ?? '-';
  return [
    {
      id: 'p4',
      title: `renewal sweep over ${formatNumber(fleet.certificates)} certificates in ${orgCount} orgs`,
      goal: 'the sweep completes over the whole fleet, a flat Salesforce cost per org, bounded history per run (no event over 1 MiB)',
      met: allMet([everyOrgSwept, meetsAtMost(largestEvents, MAX_EVENT_BYTES), flat]),
      header: ['figure', 'min / median / max'],
      rows: [
        ['certificates swept (result)', reps.map((r) => (r.certificatesSwept === null ? '?' : formatNumber(r.certificatesSwept))).join(', ')],
        ['duration', formatSpread(spread(reps.map((r) => r.seconds)), 1, 's')],
        ...shapes.map((shape) => [`Salesforce calls per org, ${shape} orgs (every org of every repetition)`, formatSpread(spread(callsOf(shape)))]),
        ['parent runs (continue-as-new)', formatSpread(spread(reps.map((r) => r.parent.length)))],
        ['parent: events per run', formatSpread(spread(all((r) => r.parent.map((p) => p.events))))],
        ['parent: bytes per run', formatSpread(spread(all((r) => r.parent.map((p) => p.bytes / 1024))), 1, 'KiB')],
        ['children (per-org sweeps): runs', formatSpread(spread(reps.map((r) => r.children.length)))],
        ['children: events per run', formatSpread(spread(all((r) => r.children.map((p) => p.events))))],
        ['children: bytes per run', formatSpread(spread(all((r) => r.children.map((p) => p.bytes / 1024))), 1, 'KiB')],
        ['whole sweep: events', formatSpread(spread(reps.map((r) => sum([...r.parent, ...r.children], (x) => x.events))))],
        ['whole sweep: bytes', formatSpread(spread(reps.map((r) => sum([...r.parent, ...r.children], (x) => x.bytes) / 1024 / 1024)), 2, 'MiB')],
        ['largest single event', `${formatSpread(spread(largestEvents.map((b) => b / 1024)), 1, 'KiB')} (${largestType}; limit ${formatBytes(2 * 1024 * 1024)})`],
      ],
      notes: [
        `${orgCount} orgs × ${perOrg} certificates, every certificate fresh (nothing due: the sweep inventories every org and starts no rotation); ` +
          'even orgs name certificates in a custom object, odd ones in a hierarchy custom setting (which also reads its profile and user owners\' names). Flat cost: every org of a shape the same number of calls.',
        ...quickNote(context),
      ],
    },
  ];
}
