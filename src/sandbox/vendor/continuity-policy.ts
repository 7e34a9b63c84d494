/**
 * The sandbox vendor's standing approval for key continuity rotations: what a vendor and a
 * customer agreed once ("continuity rotations of this org are approved on weekdays 02:00-05:00
 * Berlin time"), so that a verified statement whose proposed window lies within an agreed
 * window is approved without a person. Schema documented in FIXTURE.md.
 *
 * The rule (pure, no I/O): `windows: "any"` agrees to every window, and to a statement
 * without one; otherwise a proposed window is agreed when it lies, start to end, within one
 * slot of one day (same local date, a listed weekday, from <= start and end <= to, in the
 * slot's time zone). A statement without a proposed window is not agreed (pending): the
 * vendor cannot tell when the switch would happen.
 */
import { z } from 'zod';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const slotSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1, 'must name at least one day (sun, mon, ... sat)'),
    from: z.string().regex(TIME, 'must be HH:MM (00:00-23:59)'),
    to: z.string().regex(TIME, 'must be HH:MM (00:01-24:00)'),
    timeZone: z.string().refine(validTimeZone, 'must be an IANA time zone such as "UTC" or "Europe/Berlin"').default('UTC'),
  })
  .strict()
  .refine((slot) => minutesOf(slot.from) < minutesOf(slot.to), { message: '"to" must be later than "from" on the same day', path: ['to'] });

export const continuityPolicySchema = z
  .object({
    /** The vendor's name for the agreement, returned as the verdict's `policy`. */
    name: z.string().min(1).max(200),
    windows: z.union([z.literal('any'), z.array(slotSchema).min(1)]),
  })
  .strict();

export type ContinuityPolicy = z.output<typeof continuityPolicySchema>;
export type PolicySlot = Exclude<ContinuityPolicy['windows'], 'any'>[number];

/** Does the policy agree to a switch in `window` (null: none proposed)? */
export function policyAgrees(policy: ContinuityPolicy, window: { start: string; end: string } | null): boolean {
  if (policy.windows === 'any') return true;
  if (window === null) return false;
  const start = new Date(window.start);
  const end = new Date(window.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start) return false;
  return policy.windows.some((slot) => withinSlot(slot, start, end));
}

function withinSlot(slot: PolicySlot, start: Date, end: Date): boolean {
  const a = localTime(start, slot.timeZone);
  const b = localTime(end, slot.timeZone);
  // An end exactly at local midnight belongs to the day before (a slot may run to 24:00).
  const endsAtMidnight = b.minutes === 0 && b.date !== a.date && end.getTime() - start.getTime() < 86_400_000;
  const endMinutes = endsAtMidnight ? 24 * 60 : b.minutes;
  if (!endsAtMidnight && a.date !== b.date) return false;
  return slot.days.includes(a.weekday) && minutesOf(slot.from) <= a.minutes && endMinutes <= minutesOf(slot.to);
}

interface LocalTime {
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight, with seconds as a fraction. */
  minutes: number;
}

function localTime(instant: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = part('weekday').slice(0, 3).toLowerCase() as Weekday;
  const minutes = Number(part('hour')) * 60 + Number(part('minute')) + Number(part('second')) / 60 + instant.getUTCMilliseconds() / 60_000;
  return { date: `${part('year')}-${part('month')}-${part('day')}`, weekday, minutes };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
