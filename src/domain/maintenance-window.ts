/**
 * Maintenance windows written the way operators write them:
 *
 *   "Saturdays 02:00-04:00 Europe/London"
 *   "daily 01:00-03:00 UTC"
 *   "Mon,Wed 22:00-02:00 America/New_York"     (crosses midnight: ends Tue/Thu 02:00)
 *   "weekdays 09:00-17:00 Europe/Berlin"        ("weekends", "Mon-Fri", "Sat,Sun" too)
 *
 * The days are the local days a window STARTS on. Times are local wall-clock times in the
 * named IANA time zone; an end at or before the start means the window ends the next day.
 *
 * Workflow-safe: time-zone math goes through Intl.DateTimeFormat with an explicit timeZone,
 * which is deterministic for a given Node build. No clock is read here.
 *
 * Daylight-saving choices (the window's real length can then differ from its nominal one):
 * - A local time that does not exist (skipped by a spring-forward change) becomes the first
 *   valid local time after it, i.e. the instant of the change: on 2027-03-28 a 01:30-03:00
 *   Europe/London window runs 02:00-03:00 BST (one hour, not one and a half).
 * - A local time that happens twice (repeated by a fall-back change) is its FIRST
 *   occurrence, for the start and for the end alike: on 2027-10-31 a 01:30-03:00
 *   Europe/London window runs from 01:30 BST to 03:00 GMT (two and a half hours).
 * - A window that falls entirely inside a skipped hour has no real time that day and is
 *   skipped (the next window follows).
 */
import { RotationError } from './errors';

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export type DayName = (typeof DAY_NAMES)[number];

/** Plain data, safe to carry in workflow inputs and history. */
export interface WindowPolicy {
  /** Local days on which a window starts, Monday first. */
  readonly days: readonly DayName[];
  /** Local "HH:MM", 00:00-23:59. */
  readonly start: string;
  /** Local "HH:MM", 00:00-24:00; at or before `start` means the next day. */
  readonly end: string;
  /** IANA time zone, e.g. "Europe/London", or "UTC". */
  readonly timeZone: string;
}

export interface WindowInstance {
  readonly start: Date;
  readonly end: Date;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const FULL_DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
/** Monday-first order, as operators read a week. */
const WEEK_ORDER: readonly DayName[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const WEEKDAYS: readonly DayName[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'];
const WEEKENDS: readonly DayName[] = ['Sat', 'Sun'];
const EXAMPLE = 'write "<days> <HH:MM>-<HH:MM> <time zone>", e.g. "Saturdays 02:00-04:00 Europe/London"';

function invalid(text: string, problem: string): RotationError {
  return new RotationError('INVALID_INPUT', `Window policy "${text}": ${problem}`);
}

// ---------------------------------------------------------------------------------------
// Parsing and formatting

const DAY_WORDS: Readonly<Record<string, readonly DayName[]>> = (() => {
  const words: Record<string, readonly DayName[]> = {
    daily: WEEK_ORDER,
    everyday: WEEK_ORDER,
    'every day': WEEK_ORDER,
    weekdays: WEEKDAYS,
    weekday: WEEKDAYS,
    weekends: WEEKENDS,
    weekend: WEEKENDS,
    tues: ['Tue'],
    weds: ['Wed'],
    thur: ['Thu'],
    thurs: ['Thu'],
  };
  DAY_NAMES.forEach((short, i) => {
    const full = FULL_DAY_NAMES[i]!.toLowerCase();
    words[short.toLowerCase()] = [short];
    words[full] = [short];
    words[`${full}s`] = [short];
  });
  return words;
})();

function parseDayWord(word: string, text: string): readonly DayName[] {
  const days = DAY_WORDS[word.toLowerCase()];
  if (days) return days;
  const range = /^([A-Za-z]+)-([A-Za-z]+)$/.exec(word);
  if (range) {
    const from = DAY_WORDS[range[1]!.toLowerCase()];
    const to = DAY_WORDS[range[2]!.toLowerCase()];
    if (from?.length === 1 && to?.length === 1) {
      const a = WEEK_ORDER.indexOf(from[0]!);
      const b = WEEK_ORDER.indexOf(to[0]!);
      // "Fri-Mon" wraps round the weekend.
      const span = (b - a + 7) % 7;
      return Array.from({ length: span + 1 }, (_, k) => WEEK_ORDER[(a + k) % 7]!);
    }
  }
  throw invalid(text, `unknown day "${word}"; use day names (Mon, Saturday, Saturdays), ranges (Mon-Fri), "daily", "weekdays" or "weekends".`);
}

function parseTime(value: string, which: 'start' | 'end', text: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  const ok = match !== null && minutes < 60 && (hours < 24 || (which === 'end' && hours === 24 && minutes === 0));
  if (!ok) {
    throw invalid(text, `bad ${which} time "${value}"; write 24-hour HH:MM such as "02:00" or "22:30"${which === 'end' ? ' ("24:00" for midnight)' : ''}.`);
  }
  return hours * 60 + minutes;
}

function formatTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const ZONE_EXAMPLES = 'use an IANA name such as "Europe/London", "America/New_York" or "UTC"';

/**
 * The zone's own spelling, with its case corrected when Intl knows it under that name.
 * Bare abbreviations are refused even where Intl accepts them: ICU reads "BST" as
 * Asia/Dhaka (UTC+6), not British Summer Time, and "IST" as India — a silent trap.
 */
function checkTimeZone(zone: string, text: string): string {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw invalid(text, `unknown time zone "${zone}"; ${ZONE_EXAMPLES}.`);
  }
  if (!zone.includes('/') && zone.toUpperCase() !== 'UTC') {
    throw invalid(text, `time zone "${zone}" is an abbreviation, not an IANA name (Intl would read it as ${resolved}); ${ZONE_EXAMPLES}.`);
  }
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
}

/** Parses an operator's window policy; throws INVALID_INPUT naming what is wrong. */
export function parseWindowPolicy(text: string): WindowPolicy {
  if (typeof text !== 'string' || text.trim() === '') throw invalid(String(text), `it is empty; ${EXAMPLE}.`);
  const tokens = text.trim().split(/\s+/);
  const zone = tokens.pop()!;
  if (/^\d/.test(zone)) throw invalid(text, `the time zone is missing; ${EXAMPLE}.`);
  // The time range is the last token ("02:00-04:00") or the last three ("02:00 - 04:00").
  let range: [string, string];
  if (tokens.length >= 3 && tokens[tokens.length - 2] === '-') {
    const to = tokens.pop()!;
    tokens.pop();
    range = [tokens.pop()!, to];
  } else {
    const last = tokens.pop() ?? '';
    const parts = last.split('-');
    if (parts.length !== 2 || !/\d/.test(last)) throw invalid(text, `no time range such as "02:00-04:00" before the time zone; ${EXAMPLE}.`);
    range = [parts[0]!, parts[1]!];
  }
  const start = parseTime(range[0], 'start', text);
  const end = parseTime(range[1], 'end', text);
  if (start === end) throw invalid(text, `the window starts and ends at ${formatTime(start)}; give it a length.`);

  const dayText = tokens.join(' ').trim();
  if (dayText === '') throw invalid(text, `no days; start with "daily", "weekdays", "weekends" or day names such as "Mon,Wed".`);
  const days = new Set<DayName>();
  const words = /^every\s+day$/i.test(dayText) ? ['every day'] : dayText.split(/\s*,\s*|\s+/).filter((w) => w !== '');
  for (const word of words) for (const day of parseDayWord(word, text)) days.add(day);

  return {
    days: WEEK_ORDER.filter((d) => days.has(d)),
    start: formatTime(start),
    end: formatTime(end),
    timeZone: checkTimeZone(zone, text),
  };
}

function sameDays(a: readonly DayName[], b: readonly DayName[]): boolean {
  return a.length === b.length && b.every((d) => a.includes(d));
}

/** The canonical text; `parseWindowPolicy(formatWindowPolicy(p))` gives `p` back. */
export function formatWindowPolicy(policy: WindowPolicy): string {
  const days = WEEK_ORDER.filter((d) => policy.days.includes(d));
  let dayText: string;
  if (days.length === 7) dayText = 'daily';
  else if (sameDays(days, WEEKDAYS)) dayText = 'weekdays';
  else if (sameDays(days, WEEKENDS)) dayText = 'weekends';
  else if (days.length === 1) dayText = `${FULL_DAY_NAMES[DAY_NAMES.indexOf(days[0]!)]!}s`;
  else dayText = days.join(',');
  return `${dayText} ${policy.start}-${policy.end} ${policy.timeZone}`;
}

// ---------------------------------------------------------------------------------------
// Time-zone math: local wall-clock times are handled as "local milliseconds", the number
// Date.UTC would give for that wall-clock reading.

interface CompiledPolicy {
  readonly days: ReadonlySet<number>; // 0 = Sunday
  readonly startMinutes: number;
  readonly endMinutes: number; // > startMinutes; may exceed 1440 (ends the next day)
  readonly timeZone: string;
}

/** Compiled policies by their text: parsing (a time-zone check included) costs far more than a lookup, and a sweep asks for the same few policies thousands of times. Pure: the same text always compiles the same. */
const compiled = new Map<string, CompiledPolicy>();

function compile(policy: WindowPolicy): CompiledPolicy {
  const text = formatWindowPolicy(policy);
  let found = compiled.get(text);
  if (!found) {
    found = compileText(text);
    compiled.set(text, found);
  }
  return found;
}

function compileText(text: string): CompiledPolicy {
  const parsed = parseWindowPolicy(text); // re-validates hand-made policies
  const startMinutes = parseTime(parsed.start, 'start', text);
  let endMinutes = parseTime(parsed.end, 'end', text);
  if (endMinutes <= startMinutes) endMinutes += 1440;
  return {
    days: new Set(parsed.days.map((d) => DAY_NAMES.indexOf(d))),
    startMinutes,
    endMinutes,
    timeZone: parsed.timeZone,
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading at `instant` in `timeZone`, as local milliseconds (whole seconds). */
function localMs(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const hour = parts.hour === 24 ? 0 : (parts.hour ?? 0);
  return Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, hour, parts.minute ?? 0, parts.second ?? 0);
}

/** UTC offset in milliseconds at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return localMs(whole, timeZone) - whole;
}

/**
 * The instant a wall-clock reading happens in `timeZone`: the first occurrence when the
 * reading happens twice, the first valid instant after it when it does not happen at all.
 * Assumes at most one offset change within a day of the reading (true of every real zone).
 */
function instantOf(local: number, timeZone: string): number {
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  const candidates = [local - before, local - after]
    .filter((t) => localMs(t, timeZone) === local)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // A gap (spring forward): the change happens between these two instants; find it.
  let lo = Math.min(local - before, local - after); // still on the old offset
  let hi = Math.max(local - before, local - after); // already on the new one
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

function windowStartingOn(localDay: number, policy: CompiledPolicy): WindowInstance | null {
  const start = instantOf(localDay + policy.startMinutes * MINUTE_MS, policy.timeZone);
  const end = instantOf(localDay + policy.endMinutes * MINUTE_MS, policy.timeZone);
  // Entirely inside a skipped hour: no real time that day.
  return end > start ? { start: new Date(start), end: new Date(end) } : null;
}

/** How many local days ahead to look: two weeks, plus room for a window lost to a DST gap. */
const SEARCH_DAYS = 16;

/**
 * The next window whose end is after `after`. When `after` is inside a window, that window
 * (with its real start, before `after`). Windows are half-open: [start, end).
 */
export function nextWindow(policy: WindowPolicy, after: Date): WindowInstance {
  const compiled = compile(policy);
  const at = after.getTime();
  if (Number.isNaN(at)) throw new RotationError('INVALID_INPUT', 'nextWindow: `after` is not a valid date.');
  const today = Math.floor(localMs(at, compiled.timeZone) / DAY_MS) * DAY_MS;
  // Start a day early: a window that began yesterday may still be open.
  for (let k = -1; k <= SEARCH_DAYS; k += 1) {
    const day = today + k * DAY_MS;
    if (!compiled.days.has(new Date(day).getUTCDay())) continue;
    const window = windowStartingOn(day, compiled);
    if (window && window.end.getTime() > at) return window;
  }
  throw new RotationError('INVALID_INPUT', `Window policy "${formatWindowPolicy(policy)}" has no window in the ${SEARCH_DAYS} days after ${after.toISOString()}.`);
}

/** Whether `at` falls inside one of the policy's windows. */
export function windowContains(policy: WindowPolicy, at: Date): boolean {
  const window = nextWindow(policy, at);
  return window.start.getTime() <= at.getTime();
}
