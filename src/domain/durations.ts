/**
 * Human durations as operators type them in the Temporal UI's JSON input or on the CLI:
 * "7 days", "36h", "90 minutes", "2w". Workflow-safe.
 */
import { RotationError } from './errors';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/;

/** Parses "7 days" into milliseconds; `field` names the input in the error. */
export function parseDuration(value: string, field: string): number {
  const match = PATTERN.exec(value);
  const unit = match?.[2]?.toLowerCase();
  const factor = unit === undefined ? undefined : UNIT_MS[unit];
  if (!match || factor === undefined) {
    throw new RotationError(
      'INVALID_INPUT',
      `${field}: "${value}" is not a duration. Write a number and a unit, e.g. "7 days", "36 hours", "90 minutes".`,
    );
  }
  const ms = Number(match[1]) * factor;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RotationError('INVALID_INPUT', `${field}: "${value}" must be longer than zero.`);
  }
  return Math.round(ms);
}

export function isDuration(value: string): boolean {
  const match = PATTERN.exec(value);
  return match !== null && match[2] !== undefined && UNIT_MS[match[2].toLowerCase()] !== undefined && Number(match[1]) > 0;
}

/** "3 days 4 hours" style, for status output. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.slice(0, 2).join(' ');
}
