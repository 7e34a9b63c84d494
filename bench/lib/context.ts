/** What bench/run.ts hands each benchmark, and what one gives back. */
import type { BenchEnv } from './environment';
import type { BenchTable } from './report';

export interface BenchContext {
  readonly env: BenchEnv;
  /** `--quick`: fewer repetitions, smaller sizes. */
  readonly quick: boolean;
  readonly repetitions: number;
  /** Progress lines (stderr, so that stdout holds the tables). */
  log(line: string): void;
}

export type Benchmark = (context: BenchContext) => Promise<BenchTable[]>;

/** `(quick pass: n repetition(s))` for notes, or nothing on a full run. */
export function quickNote(context: BenchContext): string[] {
  return context.quick ? [`Quick pass: ${context.repetitions} repetition(s), smaller sizes — figures for checking the bench, not final; goals marked on them are indicative.`] : [];
}
