/**
 * P5: the history one rotation leaves, by event type — `overlap` and `simultaneous`, each in
 * a fresh demo world without traffic (grace 1 second), and the no-op workflow of the same
 * shape (bench/noop-workflow.ts) for comparison. Read from the server as stored.
 */
import type { RotationRequest } from '../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../src/sandbox/world';
import { quickNote, type BenchContext } from './lib/context';
import { benchWorld, rotationWorker } from './lib/environment';
import { linkedRuns, runFigures, type RunFigures } from './lib/history';
import { driveNoop, noopWorker } from './lib/noop';
import type { BenchTable } from './lib/report';
import { driveRotation, requireCompleted } from './lib/rotation';
import { formatBytes, formatSpread, spread } from './lib/stats';

const KINDS = ['overlap', 'simultaneous', 'no-op'] as const;
type Kind = (typeof KINDS)[number];

/** Several runs' figures as one (sums; the largest event of all). */
function merged(runs: readonly RunFigures[]): RunFigures & { runs: number } {
  const byType = new Map<string, { count: number; bytes: number }>();
  for (const run of runs) {
    for (const [type, entry] of run.byType) {
      const sum = byType.get(type) ?? { count: 0, bytes: 0 };
      byType.set(type, { count: sum.count + entry.count, bytes: sum.bytes + entry.bytes });
    }
  }
  const largest = [...runs].sort((a, b) => b.largestEvent - a.largestEvent)[0]!;
  return {
    workflowId: runs[0]!.workflowId,
    runId: runs[0]!.runId,
    events: runs.reduce((a, r) => a + r.events, 0),
    bytes: runs.reduce((a, r) => a + r.bytes, 0),
    largestEvent: largest.largestEvent,
    largestEventType: largest.largestEventType,
    byType,
    children: runs.flatMap((r) => r.children),
    continuedAs: null,
    runs: runs.length,
  };
}

async function rotationHistory(context: BenchContext, strategy: 'overlap' | 'simultaneous'): Promise<RunFigures & { runs: number }> {
  const { env } = context;
  const { world, stop } = await benchWorld(env);
  try {
    const worker = await rotationWorker(env, world.config, 'p5');
    try {
      const org = strategy === 'overlap' ? WORLD_ORGS.multiKey : WORLD_ORGS.singleKey;
      const request: RotationRequest = { org: org.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy, gracePeriod: '1 seconds' };
      const rotation = await driveRotation(env.temporal.client, worker.taskQueue, request);
      requireCompleted(rotation);
      // the rotation's own run and its children's (they are part of what one rotation costs)
      return merged(await linkedRuns(env.temporal.client.workflowService, { workflowId: rotation.workflowId, runId: rotation.runId }, true));
    } finally {
      await worker.stop();
    }
  } finally {
    await stop();
  }
}

async function noopHistory(context: BenchContext, rep: number): Promise<RunFigures & { runs: number }> {
  const worker = await noopWorker(context.env, 'p5-noop');
  try {
    const run = await driveNoop(context.env.temporal.client, worker.taskQueue, `bench-p5-noop-${process.pid}-${rep}`, 1000);
    return { ...(await runFigures(context.env.temporal.client.workflowService, run.workflowId, run.runId)), runs: 1 };
  } finally {
    await worker.stop();
  }
}

export async function p5(context: BenchContext): Promise<BenchTable[]> {
  const runs = new Map<Kind, (RunFigures & { runs: number })[]>(KINDS.map((k) => [k, []]));
  for (let rep = 0; rep < context.repetitions; rep += 1) {
    context.log(`P5 history per rotation: repetition ${rep + 1}/${context.repetitions}`);
    runs.get('overlap')!.push(await rotationHistory(context, 'overlap'));
    runs.get('simultaneous')!.push(await rotationHistory(context, 'simultaneous'));
    runs.get('no-op')!.push(await noopHistory(context, rep));
  }
  const types = [...new Set(KINDS.flatMap((k) => runs.get(k)!.flatMap((r) => [...r.byType.keys()])))].sort();
  const median = (values: number[]): number => spread(values)?.median ?? 0;
  const typeCell = (kind: Kind, type: string): string => {
    const list = runs.get(kind)!.map((r) => r.byType.get(type) ?? { count: 0, bytes: 0 });
    const count = median(list.map((e) => e.count));
    return count === 0 ? '-' : `${count} / ${formatBytes(median(list.map((e) => e.bytes)))}`;
  };
  return [
    {
      id: 'p5',
      title: 'history per rotation',
      goal: 'reported by event type (issue #15: cut events that carry no meaning; the no-op of the same shape is the floor)',
      met: null,
      header: ['', ...KINDS],
      rows: [
        ['runs (the workflow and its children)', ...KINDS.map((k) => formatSpread(spread(runs.get(k)!.map((r) => r.runs))))],
        ['events', ...KINDS.map((k) => formatSpread(spread(runs.get(k)!.map((r) => r.events))))],
        ['bytes', ...KINDS.map((k) => formatSpread(spread(runs.get(k)!.map((r) => r.bytes / 1024)), 1, 'KiB'))],
        ['largest event', ...KINDS.map((k) => `${formatSpread(spread(runs.get(k)!.map((r) => r.largestEvent)), 0, 'B')} (${runs.get(k)![0]?.largestEventType ?? '-'})`)],
        ...types.map((type) => [`${type} (count / bytes, median)`, ...KINDS.map((k) => typeCell(k, type))]),
      ],
      notes: ['Events and bytes as stored (protobuf-encoded HistoryEvent) of one rotation: its own run and its child workflows\' runs (e.g. the certificate lock), summed; by type the median count and bytes.', ...quickNote(context)],
    },
  ];
}
