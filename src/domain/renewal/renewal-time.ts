/**
 * When a certificate should be renewed, from its own validity (notBefore/notAfter read from
 * its content) and the policy: the earlier of "renewBeforeDays before expiry" and
 * "renewBeforePercent of the lifetime", minus its jitter — the way cert-manager decides.
 * Pure and workflow-safe.
 */
import { DEFAULT_RENEW_BEFORE_PERCENT, FALLBACK_RENEW_BEFORE_DAYS, instant, invalid, resolveRenewalPolicy, type RenewalPolicy, type ResolvedRenewalPolicy } from './policy';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface RenewalCertificate {
  readonly uniqueName: string;
  /** ISO-8601; null when the inventory does not know it (then the lifetime rule cannot apply). */
  readonly notBefore: string | null;
  /** ISO-8601. */
  readonly expiresAt: string;
  /** In [0, 1): the certificate's jitter fraction (`certificateJitterFraction`); absent means no jitter. */
  readonly jitterFraction?: number;
}

export type RenewalRule = 'days' | 'percent' | 'fallback-days';

export interface RenewalTime {
  /** Jitter included. */
  readonly renewAt: Date;
  /** The rule that gave the (earlier) time. */
  readonly rule: RenewalRule;
  /** How far the certificate's jitter (jitter.ts) moved the renewal earlier. */
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

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * The renewal time: the earlier of "renewBeforeDays before expiry" and "renewBeforePercent
 * of the lifetime", minus the certificate's jitter (jitter.ts).
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

export function computeRenewalTime(cert: RenewalCertificate, policy: ResolvedRenewalPolicy): RenewalTime {
  const expiresAt = instant(cert.expiresAt, 'cert.expiresAt');
  const notBefore = cert.notBefore === null ? null : instant(cert.notBefore, 'cert.notBefore');
  if (notBefore !== null && notBefore >= expiresAt) {
    throw invalid('cert.notBefore', `${cert.notBefore} is not before expiresAt ${cert.expiresAt} for "${cert.uniqueName}".`);
  }
  const fraction = cert.jitterFraction ?? 0;
  if (!(Number.isFinite(fraction) && fraction >= 0 && fraction < 1)) {
    throw invalid('cert.jitterFraction', `${fraction} must be in [0, 1) (certificateJitterFraction gives it).`);
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
