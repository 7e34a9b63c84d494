/**
 * `npm run chaos`: rotations under worker kills and server restarts (R1) and injected faults
 * (R2), DESIGN.md's invariants checked after each one; prints a table and exits non-zero on
 * any violation. See chaos-run.ts.
 *
 *   npm run chaos                           100 rotations per part, a random seed (printed)
 *   npm run chaos -- --rotations 20         20 per part
 *   npm run chaos -- --quick                5 per part
 *   npm run chaos -- --seed 42 --part r1    repeat a run's choices, one part only
 */
import { Command, InvalidArgumentError } from 'commander';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { runChaos, stopActiveRuns, type Part } from './chaos-run';
import { formatReport } from './report';

function whole(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
  return n;
}

async function main(): Promise<void> {
  const program = new Command('chaos')
    .option('--rotations <n>', 'rotations per part', whole)
    .option('--quick', 'a short pass: 5 rotations per part')
    .option('--seed <n>', 'the PRNG seed (printed by every run)', whole)
    .option('--part <part>', 'r1 (kills, restarts), r2 (faults) or both', 'both')
    .option('--grace <seconds>', 'grace period of each rotation', whole, 2)
    .parse();
  const flags = program.opts<{ rotations?: number; quick?: boolean; seed?: number; part: string; grace: number }>();
  if (!['r1', 'r2', 'both'].includes(flags.part)) throw new InvalidArgumentError('--part: r1, r2 or both');
  const parts: Part[] = flags.part === 'both' ? ['r1', 'r2'] : [flags.part as Part];
  const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
  const rotations = flags.rotations ?? (flags.quick ? 5 : 100);

  Runtime.install({ logger: new DefaultLogger('ERROR') });
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) return;
    interrupted = true;
    console.error('\nchaos: interrupted; stopping every process it started');
    // Calls of the rotation in flight fail once their connection is closed: nothing to report.
    process.on('uncaughtException', () => undefined);
    void stopActiveRuns().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const report = await runChaos({ rotations, parts, seed, gracePeriodSeconds: flags.grace });
  console.log('');
  console.log(formatReport(report));
  process.exitCode = report.violations.length > 0 ? 1 : 0;
}

main().catch(async (error: unknown) => {
  console.error(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopActiveRuns();
  process.exit(2);
});
