/**
 * The renewal-sweep schedule in an operator's terms: when it runs (a cron expression or an
 * interval), in which time zone, with how much jitter, the catch-up window, which orgs,
 * which task queue, paused or not. `certrot schedule create` and `update` parse their
 * flags here, once; `update` prints what changed by rendering the description before and
 * after with `scheduleSettings` and listing the lines that differ.
 *
 * Temporal compiles a cron expression into calendar ranges and describes only those, so
 * `when` is rendered back into cron form from the ranges: the same text whichever way the
 * schedule was written.
 *
 * Jitter here is Temporal's: the server delays each sweep by a random amount up to it, so
 * that many deployments do not sweep at the same second. It moves only when the sweep runs;
 * which certificates renew, and when, stays the deterministic renewal jitter of
 * domain/renewal-policy.ts.
 */
import { DAYS_OF_WEEK, MONTHS, type CalendarSpecDescription, type Range, type ScheduleDescription, type ScheduleSpec, type ScheduleUpdateOptions } from '@temporalio/client';
import { formatDuration, parseDuration } from '../domain/durations';
import { RotationError } from '../domain/errors';

const CRON_DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Five fields (minute hour day-of-month month day-of-week), optionally seconds first and year last. */
export function parseCron(value: string, field = '--cron'): string {
  const cron = value.trim().replace(/\s+/g, ' ');
  const fields = cron.split(' ');
  const shaped = CRON_DESCRIPTORS.has(cron.toLowerCase()) || (fields.length >= 5 && fields.length <= 7 && fields.every((f) => /^[0-9A-Za-z*,/?#-]+$/.test(f)));
  if (!shaped) {
    throw new RotationError('INVALID_INPUT', `${field}: "${value}" is not a cron expression. Write five fields, minute hour day-of-month month day-of-week, e.g. "0 6 * * *" (daily at 06:00).`);
  }
  return cron;
}

/** An IANA time zone name as Node knows it ("UTC", "Europe/London"). */
export function parseTimeZone(value: string, field = '--time-zone'): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw new RotationError('INVALID_INPUT', `${field}: "${value}" is not an IANA time zone. Write a name such as "UTC", "Europe/London" or "America/New_York".`);
  }
  return value;
}

/** A duration, or "none" / "0" for no jitter. */
export function parseJitter(value: string, field = '--jitter'): number {
  return /^\s*(none|0)\s*$/i.test(value) ? 0 : parseDuration(value, field);
}

/** When a schedule runs, parsed from `--cron` or `--every` (never both). */
export type SweepTimes = { cron: string } | { everyMs: number };

export function parseSweepTimes(flags: { cron?: string; every?: string }): SweepTimes | undefined {
  if (flags.cron !== undefined && flags.every !== undefined) {
    throw new RotationError('INVALID_INPUT', '--cron and --every: give one of them (a cron expression, or an interval such as "12 hours"), not both.');
  }
  if (flags.every !== undefined) return { everyMs: parseDuration(flags.every, '--every') };
  if (flags.cron !== undefined) return { cron: parseCron(flags.cron) };
  return undefined;
}


// ---------------------------------------------------------------- rendering a description

const FULL: Record<'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'dayOfWeek', [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [0, 6],
};

function cronField(ranges: Range<number>[], full: [number, number] | null): string {
  if (ranges.length === 0) return '*';
  return ranges
    .map(({ start, end, step }) => {
      const every = step > 1 ? `/${step}` : '';
      if (full && start === full[0] && end === full[1]) return `*${every}`;
      return start === end ? `${start}` : `${start}-${end}${every}`;
    })
    .join(',');
}

function numbered<T>(ranges: Range<T>[], names: readonly T[], base: number): Range<number>[] {
  return ranges.map((r) => ({ start: names.indexOf(r.start) + base, end: names.indexOf(r.end) + base, step: r.step }));
}

/** A calendar as a cron expression: "0 6 * * *"; seconds first and year last only when used. */
export function calendarAsCron(calendar: CalendarSpecDescription): string {
  const seconds = cronField(calendar.second, FULL.second);
  const fields = [
    cronField(calendar.minute, FULL.minute),
    cronField(calendar.hour, FULL.hour),
    cronField(calendar.dayOfMonth, FULL.dayOfMonth),
    cronField(numbered(calendar.month, MONTHS, 1), FULL.month),
    cronField(numbered(calendar.dayOfWeek, DAYS_OF_WEEK, 0), FULL.dayOfWeek),
  ];
  if (seconds !== '0') fields.unshift(seconds);
  if (calendar.year.length > 0) fields.push(cronField(calendar.year, null));
  return fields.join(' ');
}

export function describeWhen(spec: ScheduleDescription['spec']): string {
  const times = [
    ...(spec.calendars ?? []).map((calendar) => `cron "${calendarAsCron(calendar)}"`),
    ...(spec.intervals ?? []).map((i) => `every ${formatDuration(i.every)}${i.offset ? ` (offset ${formatDuration(i.offset)})` : ''}`),
  ];
  return times.join('; ') || '(no spec)';
}

/** What an operator can change with `certrot schedule update`, one readable line each. */
export function scheduleSettings(description: ScheduleDescription): Record<string, string> {
  const { spec, policies, state, action } = description;
  const input = action.args?.[0] as { orgs?: string[] } | undefined;
  return {
    when: describeWhen(spec),
    'time zone': spec.timezone ?? 'UTC',
    jitter: spec.jitter ? formatDuration(spec.jitter) : 'none',
    'catch-up window': formatDuration(policies.catchupWindow),
    orgs: input?.orgs?.join(', ') ?? 'every inventory org',
    'task queue': action.taskQueue,
    state: state.paused ? 'paused' : 'active',
    note: state.note ?? '-',
  };
}

/** "  when: cron "0 6 * * *" → cron "30 7 * * *"" for each setting that differs. */
export function settingChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(after)
    .filter((key) => before[key] !== after[key])
    .map((key) => `  ${key}: ${before[key] ?? '-'} → ${after[key]}`);
}

// ---------------------------------------------------------------- update: keep what is not given

export interface ScheduleUpdateFlags {
  cron?: string;
  every?: string;
  timeZone?: string;
  jitter?: string;
  catchupWindow?: string;
  org?: string[];
  allOrgs?: boolean;
  taskQueue?: string;
  paused?: boolean;
  unpaused?: boolean;
  note?: string;
}

/** The options `certrot schedule update` takes, in the order its error lists them. */
export const UPDATE_OPTIONS = ['--cron', '--every', '--time-zone', '--jitter', '--catchup-window', '--org', '--all-orgs', '--task-queue', '--paused', '--unpaused', '--note'] as const;

/** A parsed `update`: each field given replaces the schedule's own, each absent one keeps it. */
export interface ScheduleChange {
  times?: SweepTimes;
  timeZone?: string;
  jitterMs?: number;
  catchupWindowMs?: number;
  /** `'all'`: every inventory org again (no org list in the sweep input). */
  orgs?: string[] | 'all';
  taskQueue?: string;
  paused?: boolean;
  note?: string;
}

function oneOf(flags: ScheduleUpdateFlags, a: keyof ScheduleUpdateFlags, b: keyof ScheduleUpdateFlags, names: string): void {
  if (flags[a] !== undefined && flags[b] !== undefined) throw new RotationError('INVALID_INPUT', `${names}: give one of them, not both.`);
}

export function parseScheduleChange(flags: ScheduleUpdateFlags): ScheduleChange {
  oneOf(flags, 'org', 'allOrgs', '--org and --all-orgs');
  oneOf(flags, 'paused', 'unpaused', '--paused and --unpaused');
  const times = parseSweepTimes(flags);
  const change: ScheduleChange = {
    ...(times ? { times } : {}),
    ...(flags.timeZone !== undefined ? { timeZone: parseTimeZone(flags.timeZone) } : {}),
    ...(flags.jitter !== undefined ? { jitterMs: parseJitter(flags.jitter) } : {}),
    ...(flags.catchupWindow !== undefined ? { catchupWindowMs: parseDuration(flags.catchupWindow, '--catchup-window') } : {}),
    ...(flags.org ? { orgs: flags.org } : flags.allOrgs ? { orgs: 'all' as const } : {}),
    ...(flags.taskQueue !== undefined ? { taskQueue: flags.taskQueue } : {}),
    ...(flags.paused ? { paused: true } : flags.unpaused ? { paused: false } : {}),
    ...(flags.note !== undefined ? { note: flags.note } : {}),
  };
  if (Object.keys(change).length === 0) {
    throw new RotationError('INVALID_INPUT', `nothing to update: give at least one of ${UPDATE_OPTIONS.join(', ')} (see \`certrot schedule update --help\`).`);
  }
  return change;
}

/** The options `ScheduleHandle.update` sends: the previous schedule with the change applied. */
export function applyScheduleChange(previous: ScheduleDescription, change: ScheduleChange): ScheduleUpdateOptions {
  const { calendars, intervals, ...rest } = previous.spec;
  const times = change.times === undefined ? { calendars, intervals } : 'cron' in change.times ? { cronExpressions: [change.times.cron] } : { intervals: [{ every: change.times.everyMs }] };
  const spec: ScheduleSpec = {
    ...rest,
    ...times,
    ...(change.timeZone !== undefined ? { timezone: change.timeZone } : {}),
    ...(change.jitterMs !== undefined ? { jitter: change.jitterMs } : {}),
  };
  const input = { ...((previous.action.args?.[0] ?? {}) as Record<string, unknown>) };
  if (change.orgs === 'all') delete input.orgs;
  else if (change.orgs) input.orgs = change.orgs;
  return {
    spec,
    action: { ...previous.action, args: [input], ...(change.taskQueue !== undefined ? { taskQueue: change.taskQueue } : {}) },
    policies: { ...previous.policies, ...(change.catchupWindowMs !== undefined ? { catchupWindow: change.catchupWindowMs } : {}) },
    state: {
      paused: change.paused ?? previous.state.paused,
      ...(previous.state.remainingActions !== undefined ? { remainingActions: previous.state.remainingActions } : {}),
      ...(change.note !== undefined ? { note: change.note } : previous.state.note !== undefined ? { note: previous.state.note } : {}),
    },
  };
}
