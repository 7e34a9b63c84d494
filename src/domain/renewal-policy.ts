/**
 * When a certificate should be renewed, as a pure function of the certificate, the policy
 * and a clock passed in — the way cert-manager decides renewal. The renewal sweep runs this
 * inside workflow code, so it must be deterministic: no clock, no randomness, no Node APIs.
 *
 * The decision is a chain of small checks; the first that applies decides and says why in
 * words an operator can act on.
 */
import { RotationError } from './errors';

export interface RenewalCertificate {
  readonly uniqueName: string;
  /** ISO-8601; null when the inventory does not know it (then the lifetime rule cannot apply). */
  readonly notBefore: string | null;
  /** ISO-8601. */
  readonly expiresAt: string;
  /**
   * In [0, 1): drawn ONCE per certificate with `drawJitterFraction` and stored with the
   * certificate's renewal state. Absent means no jitter.
   */
  readonly jitterFraction?: number;
}

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
  /** Renew up to this many hours earlier, by the certificate's stored jitter fraction. */
  readonly jitterMaxHours?: number;
  readonly freezePeriods?: readonly FreezePeriod[];
}

export interface RenewalDecision {
  readonly due: boolean;
  /** ISO-8601: when the policy wants the renewal (jitter included, freezes not). */
  readonly renewAt: string;
  readonly reason: string;
  readonly blockedBy?: 'freeze';
  /** Whole days until expiry, truncated toward zero; negative once expired. */
  readonly daysLeft: number;
  readonly expired: boolean;
}

/** Exactly two thirds, like cert-manager's default (written 66.67 in configuration). */
export const DEFAULT_RENEW_BEFORE_PERCENT = 200 / 3;
/** Used only when neither rule can apply: no renewBeforeDays and no notBefore. */
export const FALLBACK_RENEW_BEFORE_DAYS = 30;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Draws a certificate's jitter fraction. Call this ONCE per certificate (inside a
 * workflow, with the workflow's deterministic Math.random) and store the result with the
 * certificate's renewal state; pass the stored value to every later evaluation. Drawing it
 * again at each sweep would move the renewal time at every sweep.
 */
export function drawJitterFraction(random: () => number): number {
  const value = random();
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    throw new RotationError('INVALID_INPUT', `drawJitterFraction: random() returned ${value}; it must return a number in [0, 1).`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------
// Policy validation

export interface ResolvedRenewalPolicy {
  readonly renewBeforeDays: number | null;
  readonly renewBeforePercent: number;
  readonly percentGiven: boolean;
  readonly jitterMaxHours: number;
  readonly freezePeriods: readonly { start: number; end: number; reason: string }[];
}

function invalid(field: string, message: string): RotationError {
  return new RotationError('INVALID_INPUT', `${field}: ${message}`, { details: { field } });
}

function instant(value: string, field: string): number {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid(field, `${JSON.stringify(value)} is not an ISO-8601 instant such as "2027-01-10T00:00:00Z".`);
  return ms;
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

// ---------------------------------------------------------------------------------------
// Renewal time

export type RenewalRule = 'days' | 'percent' | 'fallback-days';

export interface RenewalTime {
  /** Jitter included. */
  readonly renewAt: Date;
  /** The rule that gave the (earlier) time. */
  readonly rule: RenewalRule;
  /** How far the stored jitter moved the renewal earlier. */
  readonly jitterMs: number;
  /** Words for the rule, e.g. "two thirds of its 365-day lifetime". */
  readonly describe: string;
  /** Anything the operator should know about how the rule was chosen. */
  readonly note: string | null;
  readonly expiresAt: Date;
}

function percentWords(percent: number): string {
  return Math.abs(percent - DEFAULT_RENEW_BEFORE_PERCENT) < 0.01 ? 'two thirds' : `${round(percent, 2)}%`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * The renewal time: the earlier of "renewBeforeDays before expiry" and "renewBeforePercent
 * of the lifetime", minus the stored jitter.
 *
 * - Only renewBeforeDays given: that rule alone (the two-thirds default would otherwise
 *   always win for long certificates and make the setting meaningless).
 * - Neither given: two thirds of the lifetime.
 * - renewBeforeDays covering the whole lifetime is ignored in favour of the percentage, as
 *   cert-manager does: otherwise every new certificate would be due the moment it exists.
 * - notBefore unknown: the lifetime rule cannot apply; renewBeforeDays, or 30 days.
 */
export function renewalTime(cert: RenewalCertificate, policy: RenewalPolicy): RenewalTime {
  const resolved = resolveRenewalPolicy(policy);
  return computeRenewalTime(cert, resolved);
}

function computeRenewalTime(cert: RenewalCertificate, policy: ResolvedRenewalPolicy): RenewalTime {
  const expiresAt = instant(cert.expiresAt, 'cert.expiresAt');
  const notBefore = cert.notBefore === null ? null : instant(cert.notBefore, 'cert.notBefore');
  if (notBefore !== null && notBefore >= expiresAt) {
    throw invalid('cert.notBefore', `${cert.notBefore} is not before expiresAt ${cert.expiresAt} for "${cert.uniqueName}".`);
  }
  const fraction = cert.jitterFraction ?? 0;
  if (!(Number.isFinite(fraction) && fraction >= 0 && fraction < 1)) {
    throw invalid('cert.jitterFraction', `${fraction} must be in [0, 1); draw it once with drawJitterFraction and store it.`);
  }

  type Candidate = { at: number; rule: RenewalRule; describe: string; note?: string };
  const candidates: Candidate[] = [];
  const lifetime = notBefore === null ? null : expiresAt - notBefore;
  const days = policy.renewBeforeDays;
  const daysFitLifetime = days !== null && (lifetime === null || days * DAY_MS < lifetime);
  if (days !== null && daysFitLifetime) {
    candidates.push({ at: expiresAt - Math.round(days * DAY_MS), rule: 'days', describe: `${plural(days, 'day')} before expiry` });
  }
  const usePercent = lifetime !== null && notBefore !== null && (days === null || policy.percentGiven || !daysFitLifetime);
  if (usePercent) {
    const lifetimeDays = Math.round(lifetime / DAY_MS);
    candidates.push({
      at: notBefore + Math.round((lifetime * policy.renewBeforePercent) / 100),
      rule: 'percent',
      describe: `${percentWords(policy.renewBeforePercent)} of its ${lifetimeDays}-day lifetime`,
      ...(days !== null && !daysFitLifetime ? { note: `renewBeforeDays ${days} ignored: it covers the whole lifetime` } : {}),
    });
  }
  if (candidates.length === 0) {
    // No notBefore and no renewBeforeDays: nothing the policy says can apply.
    candidates.push({
      at: expiresAt - FALLBACK_RENEW_BEFORE_DAYS * DAY_MS,
      rule: 'fallback-days',
      describe: `${FALLBACK_RENEW_BEFORE_DAYS} days before expiry`,
      note: 'the fallback: notBefore is unknown, so the lifetime rule cannot apply',
    });
  }
  const earliest = candidates.reduce((a, b) => (b.at < a.at ? b : a));
  const jitterMs = Math.round(fraction * policy.jitterMaxHours * HOUR_MS);
  return {
    renewAt: new Date(earliest.at - jitterMs),
    rule: earliest.rule,
    jitterMs,
    describe: earliest.describe,
    note: earliest.note ?? null,
    expiresAt: new Date(expiresAt),
  };
}

// ---------------------------------------------------------------------------------------
// The decision: a chain of checks, the first that applies decides

interface Facts {
  readonly now: number;
  readonly time: RenewalTime;
  readonly expiresAt: number;
  readonly daysLeft: number;
  readonly freeze: { names: string[]; end: number } | null;
  readonly renewBeforeDays: number | null;
}

type Check = (facts: Facts) => RenewalDecision | null;

function decision(facts: Facts, due: boolean, reason: string, blockedBy?: 'freeze'): RenewalDecision {
  return {
    due,
    renewAt: facts.time.renewAt.toISOString(),
    reason,
    ...(blockedBy ? { blockedBy } : {}),
    daysLeft: facts.daysLeft,
    expired: facts.now >= facts.expiresAt,
  };
}

/** The rule's note and the jitter, as the end of a reason. */
function notes(facts: Facts, prefix: string[] = []): string {
  const hours = facts.time.jitterMs / HOUR_MS;
  const all = [...prefix, ...(facts.time.note ? [facts.time.note] : []), ...(hours > 0 ? [`${round(hours, 2)} h earlier by its stored jitter`] : [])];
  return all.length > 0 ? ` (${all.join('; ')})` : '';
}

function freezeWords(freeze: { names: string[] }): string {
  return freeze.names.map((n) => `'${n}'`).join(' then ');
}

const expired: Check = (facts) => {
  if (facts.now < facts.expiresAt) return null;
  const ago = Math.trunc((facts.now - facts.expiresAt) / DAY_MS);
  const when = ago === 0 ? 'less than a day ago' : `${plural(ago, 'day')} ago`;
  const override = facts.freeze ? ` (overrides freeze period ${freezeWords(facts.freeze)})` : '';
  return decision(facts, true, `expired ${when} — rotate now${override}`);
};

const notYetDue: Check = (facts) => {
  if (facts.now >= facts.time.renewAt.getTime()) return null;
  return decision(facts, false, `renews at ${facts.time.renewAt.toISOString()}${notes(facts, [facts.time.describe])}`);
};

function dueWords(facts: Facts): string {
  if (facts.time.rule === 'percent') {
    return `due: ${facts.time.describe} passed at ${facts.time.renewAt.toISOString()}${notes(facts)}`;
  }
  const setting = facts.time.rule === 'days' ? `renewBeforeDays ${facts.renewBeforeDays}` : `${FALLBACK_RENEW_BEFORE_DAYS} days`;
  return `due: ${plural(facts.daysLeft, 'day')} left ≤ ${setting}${notes(facts)}`;
}

const freezeOverriddenByExpiry: Check = (facts) => {
  if (!facts.freeze || facts.expiresAt > facts.freeze.end) return null;
  return decision(
    facts,
    true,
    `${dueWords(facts)}; freeze period ${freezeWords(facts.freeze)} is overridden: the certificate expires at ` +
      `${new Date(facts.expiresAt).toISOString()}, before the freeze ends at ${new Date(facts.freeze.end).toISOString()}`,
  );
};

const blockedByFreeze: Check = (facts) => {
  if (!facts.freeze) return null;
  return decision(
    facts,
    false,
    `due but in freeze period ${freezeWords(facts.freeze)} until ${new Date(facts.freeze.end).toISOString()}`,
    'freeze',
  );
};

const due: Check = (facts) => decision(facts, true, dueWords(facts));

const CHECKS: readonly Check[] = [expired, notYetDue, freezeOverriddenByExpiry, blockedByFreeze, due];

/**
 * The freeze in force at `now`, with freezes that overlap or follow on without a gap
 * merged, so "until" is when renewing really becomes possible again.
 */
function activeFreeze(freezes: ResolvedRenewalPolicy['freezePeriods'], now: number): { names: string[]; end: number } | null {
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

/** Decides whether `cert` is due for renewal at `now` under `policy`. */
export function evaluateRenewal(cert: RenewalCertificate, policy: RenewalPolicy, now: Date): RenewalDecision {
  const resolved = resolveRenewalPolicy(policy);
  const time = computeRenewalTime(cert, resolved);
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw invalid('now', 'is not a valid date.');
  const expiresAt = time.expiresAt.getTime();
  const facts: Facts = {
    now: nowMs,
    time,
    expiresAt,
    daysLeft: Math.trunc((expiresAt - nowMs) / DAY_MS) || 0,
    freeze: activeFreeze(resolved.freezePeriods, nowMs),
    renewBeforeDays: resolved.renewBeforeDays,
  };
  for (const check of CHECKS) {
    const result = check(facts);
    if (result) return result;
  }
  /* c8 ignore next */
  throw new Error('unreachable: the last renewal check always decides');
}
