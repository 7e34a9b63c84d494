/**
 * `npm run bench`: certrot's benchmarks (issue #15), printed as tables and written to
 * docs/performance.md with the commit measured and the machine.
 *
 *   npm run bench                 P1..P5, ≥ 3 repetitions each
 *   npm run bench -- --quick      a short pass (1-2 repetitions, smaller sizes), marked as such
 *   npm run bench -- p2 p5        only these (names p1..p5)
 *   npm run bench -- --reps 5     repetitions (default 3, quick 1)
 *   npm run bench -- --no-write   print only, leave docs/performance.md alone
 *
 * One Temporal dev server (free ports) for the whole run; sandbox worlds and workers per
 * benchmark; everything is stopped at the end, on failure and on Ctrl-C. Timings are
 * printed, never asserted.
 */
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Benchmark, BenchContext } from './lib/context';
import { startBenchEnv, type BenchEnv } from './lib/environment';
import { commitMeasured, machineNow, renderTable, writeReport, type BenchTable } from './lib/report';
import { p1 } from './p1-overlap-traffic';
import { p2 } from './p2-simultaneous';
import { p3 } from './p3-fleet';
import { p4 } from './p4-sweep';
import { p5 } from './p5-history';

const BENCHMARKS: Record<string, Benchmark> = { p1, p2, p3, p4, p5 };
const ROOT = join(__dirname, '..');

function parseArgs(argv: readonly string[]): { quick: boolean; reps: number; names: string[]; write: boolean } {
  const quick = argv.includes('--quick');
  const repsAt = argv.indexOf('--reps');
  const reps = repsAt >= 0 ? Number(argv[repsAt + 1]) : quick ? 1 : 3;
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps takes a whole number ≥ 1');
  const names = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--reps').map((a) => a.toLowerCase());
  for (const name of names) if (!BENCHMARKS[name]) throw new Error(`unknown benchmark "${name}" (names: ${Object.keys(BENCHMARKS).join(', ')})`);
  return { quick, reps, names: names.length > 0 ? names : Object.keys(BENCHMARKS), write: !argv.includes('--no-write') };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const machine = machineNow();
  const started = Date.now();
  const log = (line: string): void => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  log(`starting a Temporal dev server; benchmarks ${args.names.join(', ')}${args.quick ? ' (quick)' : ''}, ${args.reps} repetition(s)`);
  let env: BenchEnv | undefined;
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping everything (Ctrl-C again to leave at once)');
    void (env?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tables: BenchTable[] = [];
  let failures = 0;
  try {
    env = await startBenchEnv();
    const context: BenchContext = { env, quick: args.quick, repetitions: args.reps, log };
    for (const name of args.names) {
      try {
        const produced = await BENCHMARKS[name]!(context);
        tables.push(...produced);
        for (const table of produced) console.log(`\n${renderTable(table)}\n`);
      } catch (error) {
        failures += 1;
        log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        tables.push({ id: name, title: 'did not run to the end', goal: '-', met: false, header: ['error'], rows: [[error instanceof Error ? error.message : String(error)]] });
      }
    }
  } finally {
    await env?.close();
  }
  const meta = {
    commit: commitMeasured(ROOT),
    date: new Date(started).toISOString(),
    machine,
    quick: args.quick,
    repetitions: args.reps,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    durationSeconds: (Date.now() - started) / 1000,
  };
  if (args.write) {
    const path = join(ROOT, 'docs', 'performance.md');
    await writeReport(path, meta, tables);
    log(`wrote ${path}`);
  }
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
