/**
 * How long a certificate that Salesforce creates lasts: one year for 2048 and 3072 bits,
 * two years for 4096 (Help "Generate a Self-Signed Certificate"), capped by the CA/Browser
 * Forum maximum lifespan in force on the day it is created ("Certificates in Salesforce"):
 *
 *   created before 2026-03-15   398 days
 *   from 2026-03-15             200 days
 *   from 2027-03-15             100 days
 *   from 2029-03-15              47 days
 *
 * The sandbox org dates the certificates it makes with this. certrot itself never relies on
 * it: a rotation and the renewal sweep read the expiry Salesforce reports. A year is counted
 * as 365 days (unconfirmed whether Salesforce counts a leap day; it matters only where the
 * cap does not apply, i.e. never from 2026-03-15 on).
 *
 * Pure and workflow-safe: the creation instant is passed in.
 */
import { KEY_SIZES, isKeySize, type KeySize } from './certificate';
import { RotationError } from './errors';

const DAY_MS = 86_400_000;
const DAYS_PER_YEAR = 365;

/** The CA/Browser Forum schedule, latest first: from `from` (UTC midnight) on, at most `days`. */
const MAXIMUM_LIFESPAN: readonly { from: number; days: number }[] = [
  { from: Date.UTC(2029, 2, 15), days: 47 },
  { from: Date.UTC(2027, 2, 15), days: 100 },
  { from: Date.UTC(2026, 2, 15), days: 200 },
  { from: Number.NEGATIVE_INFINITY, days: 398 },
];

function checkedInstant(createdAt: Date): number {
  const ms = createdAt instanceof Date ? createdAt.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RotationError('INVALID_INPUT', `createdAt: "${String(createdAt)}" is not a valid date.`);
  return ms;
}

/** The CA/Browser Forum maximum lifespan, in days, of a certificate created at `createdAt`. */
export function maximumLifetimeDays(createdAt: Date): number {
  const ms = checkedInstant(createdAt);
  const rule = MAXIMUM_LIFESPAN.find((r) => ms >= r.from);
  /* c8 ignore next */
  if (!rule) throw new Error('unreachable: the last lifespan rule applies to every instant');
  return rule.days;
}

/** Whole days Salesforce makes a certificate of `keySize` last when created at `createdAt`. */
export function salesforceLifetimeDays(keySize: KeySize, createdAt: Date): number {
  if (!isKeySize(keySize)) {
    throw new RotationError('INVALID_INPUT', `keySize ${String(keySize)}: Salesforce creates certificates of ${KEY_SIZES.slice(0, -1).join(', ')} or ${KEY_SIZES[KEY_SIZES.length - 1]} bits.`, {
      details: { keySize: String(keySize) },
    });
  }
  const years = keySize === 4096 ? 2 : 1;
  return Math.min(years * DAYS_PER_YEAR, maximumLifetimeDays(createdAt));
}

/** When a certificate of `keySize` created at `createdAt` expires (its notAfter). */
export function salesforceExpiry(keySize: KeySize, createdAt: Date): Date {
  return new Date(checkedInstant(createdAt) + salesforceLifetimeDays(keySize, createdAt) * DAY_MS);
}

/** The maximum lifespans in force from `now` on: today's, then each later step of the schedule. */
export function maximumLifetimesFrom(now: Date): readonly { readonly from: Date; readonly days: number }[] {
  const ms = checkedInstant(now);
  const later = MAXIMUM_LIFESPAN.filter((r) => r.from > ms)
    .map((r) => ({ from: new Date(r.from), days: r.days }))
    .reverse();
  return [{ from: new Date(ms), days: maximumLifetimeDays(now) }, ...later];
}
