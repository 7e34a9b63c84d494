/**
 * A renewal policy as an integration configures it (`renewal:` in the inventory), checked
 * and with its defaults filled: when to renew (days before expiry, or a part of the
 * lifetime used), how much jitter, and the freeze periods during which nothing starts.
 * Pure and workflow-safe.
 */
import { RotationError } from '../errors';

export interface FreezePeriod {
  /** ISO-8601 instants; the freeze is [start, end). */
  readonly start: string;
  readonly end: string;
  readonly reason: string;
}

export interface RenewalPolicy {
  /** Renew this many days before expiry. */
  readonly renewBeforeDays?: number;
  /**
   * Renew once this percentage of the lifetime (notBefore -> expiresAt) has passed.
   * Note the direction: this is the part of the lifetime *used*, so 66.67 renews at two
   * thirds, leaving one third (cert-manager's `renewBeforePercentage` counts the part left).
   */
  readonly renewBeforePercent?: number;
  /** Renew up to this many hours earlier, by the certificate's jitter fraction (a hash of its identity: jitter.ts). */
  readonly jitterMaxHours?: number;
  readonly freezePeriods?: readonly FreezePeriod[];
}

/** Exactly two thirds, like cert-manager's default (written 66.67 in configuration). */
export const DEFAULT_RENEW_BEFORE_PERCENT = 200 / 3;
/** Used only when neither rule can apply: no renewBeforeDays and no notBefore. */
export const FALLBACK_RENEW_BEFORE_DAYS = 30;


export function invalid(field: string, message: string): RotationError {
  return new RotationError('INVALID_INPUT', `${field}: ${message}`, { details: { field } });
}

export function instant(value: string, field: string): number {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid(field, `${JSON.stringify(value)} is not an ISO-8601 instant such as "2027-01-10T00:00:00Z".`);
  return ms;
}

export interface ResolvedRenewalPolicy {
  readonly renewBeforeDays: number | null;
  readonly renewBeforePercent: number;
  readonly percentGiven: boolean;
  readonly jitterMaxHours: number;
  readonly freezePeriods: readonly { start: number; end: number; reason: string }[];
}

/** More jitter than a week spreads renewals past any sensible window. */
export const MAX_JITTER_HOURS = 168;
/** Ten years: longer than any certificate lives (a bigger number is a typo). */
export const MAX_RENEW_BEFORE_DAYS = 3650;

/** Checks the policy and fills its defaults; throws INVALID_INPUT naming the field. */
export function resolveRenewalPolicy(policy: RenewalPolicy): ResolvedRenewalPolicy {
  const { renewBeforeDays, renewBeforePercent, jitterMaxHours } = policy;
  if (renewBeforeDays !== undefined && !(Number.isFinite(renewBeforeDays) && renewBeforeDays >= 0 && renewBeforeDays <= MAX_RENEW_BEFORE_DAYS)) {
    throw invalid('renewBeforeDays', `${renewBeforeDays} must be a number of days from 0 to ${MAX_RENEW_BEFORE_DAYS} (ten years).`);
  }
  if (renewBeforePercent !== undefined && !(Number.isFinite(renewBeforePercent) && renewBeforePercent > 0 && renewBeforePercent < 100)) {
    throw invalid('renewBeforePercent', `${renewBeforePercent} must be greater than 0 and less than 100 (66.67 renews at two thirds of the lifetime).`);
  }
  if (jitterMaxHours !== undefined && !(Number.isFinite(jitterMaxHours) && jitterMaxHours >= 0 && jitterMaxHours <= MAX_JITTER_HOURS)) {
    throw invalid('jitterMaxHours', `${jitterMaxHours} must be a number of hours from 0 to ${MAX_JITTER_HOURS} (a week).`);
  }
  const freezePeriods = (policy.freezePeriods ?? []).map((freeze, i) => {
    const field = `freezePeriods[${i}]`;
    const start = instant(freeze.start, `${field}.start`);
    const end = instant(freeze.end, `${field}.end`);
    if (end <= start) throw invalid(`${field}.end`, `${freeze.end} must be after the start ${freeze.start}.`);
    if (typeof freeze.reason !== 'string' || freeze.reason.trim() === '') {
      throw invalid(`${field}.reason`, 'say why the freeze exists, e.g. "year-end freeze".');
    }
    return { start, end, reason: freeze.reason };
  });
  return {
    renewBeforeDays: renewBeforeDays ?? null,
    renewBeforePercent: renewBeforePercent ?? DEFAULT_RENEW_BEFORE_PERCENT,
    percentGiven: renewBeforePercent !== undefined,
    jitterMaxHours: jitterMaxHours ?? 0,
    freezePeriods,
  };
}

/**
 * The freeze in force at `now`, with freezes that overlap or follow on without a gap
 * merged, so "until" is when renewing really becomes possible again.
 */
export function activeFreeze(freezes: ResolvedRenewalPolicy['freezePeriods'], now: number): { names: string[]; end: number } | null {
  const containing = freezes.filter((f) => f.start <= now && now < f.end);
  if (containing.length === 0) return null;
  const names = containing.map((f) => f.reason);
  let end = Math.max(...containing.map((f) => f.end));
  for (let extended = true; extended; ) {
    extended = false;
    for (const f of freezes) {
      if (f.start <= end && f.end > end) {
        end = f.end;
        if (!names.includes(f.reason)) names.push(f.reason);
        extended = true;
      }
    }
  }
  return { names, end };
}
