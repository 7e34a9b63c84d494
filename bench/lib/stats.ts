/**
 * Figures for the benchmark tables: min / median / max over repetitions, the goal checks,
 * and how a figure is written. Pure functions (unit-tested in test/bench/stats.test.ts);
 * nothing here measures time.
 */

export interface Spread {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** min / median / max of `values` (median of an even count: the mean of the two middle values); null when empty. */
export function spread(values: readonly number[]): Spread | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** `min / median / max` with `digits` decimals (one value when all three agree), `-` when there is none. */
export function formatSpread(s: Spread | null, digits = 0, unit = ''): string {
  if (s === null) return '-';
  const f = (v: number): string => formatNumber(v, digits);
  const body = s.min === s.max ? f(s.min) : `${f(s.min)} / ${f(s.median)} / ${f(s.max)}`;
  return unit ? `${body}${unit === '×' ? '' : ' '}${unit}` : body;
}

/** A number with thousands separators and `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** Whether every value meets a goal (`at most` / `at least` a bound); null when nothing was measured. */
export function meetsAtMost(values: readonly number[], bound: number): boolean | null {
  return values.length === 0 ? null : values.every((v) => v <= bound);
}

export function meetsAtLeast(values: readonly number[], bound: number): boolean | null {
  return values.length === 0 ? null : values.every((v) => v >= bound);
}

/** All of several goal checks: false if any is false, null if none was decided, else true. */
export function allMet(checks: readonly (boolean | null)[]): boolean | null {
  if (checks.some((c) => c === false)) return false;
  return checks.some((c) => c === true) ? true : null;
}

/** `a / b`, or NaN when b is 0. */
export function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}

/** Ratios of paired values (rotation vs no-op of the same repetition), pair by pair. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.slice(0, Math.min(a.length, b.length)).map((v, i) => ratio(v, b[i]!));
}

/** The span from the earliest to the latest instant (ms since epoch), or null for none. */
export function span(instants: readonly number[]): number | null {
  if (instants.length === 0) return null;
  return Math.max(...instants) - Math.min(...instants);
}
