/**
 * Whether the sweep renews a certificate now: ONE chain of checks, the first that applies
 * decides, with a reason constant (what `certrot expiring --json` and the sweep's result
 * carry) and words an operator can act on. Pure and workflow-safe: the clock is passed in.
 *
 *   noIntegration  no integration of the inventory covers the certificate
 *   unusable       a CA-signed certificate still waiting for its chain
 *   notYetDue      the policy's renewal time has not come
 *   frozen         due, but inside a freeze period that ends before the certificate expires
 *   superseded     nothing names it and a newer certificate of the same integration exists
 *   expired        past its notAfter: rotate now (overrides a freeze)
 *   due            the renewal time has passed (a freeze ending after expiry is overridden)
 *
 * After the chain, the org's budget (budget.ts) turns some `due` ones into `alreadyRunning`
 * or `overBudget`; a policy the sweep cannot evaluate is `configError`.
 */
import { isRotationError } from '../errors';
import { activeFreeze, FALLBACK_RENEW_BEFORE_DAYS, invalid, resolveRenewalPolicy, type RenewalPolicy, type ResolvedRenewalPolicy } from './policy';
import { computeRenewalTime, plural, round, type RenewalCertificate, type RenewalTime } from './renewal-time';

export const RenewalReason = {
  noIntegration: 'no-integration',
  unusable: 'unusable',
  notYetDue: 'not-due',
  frozen: 'frozen',
  superseded: 'superseded',
  expired: 'expired',
  due: 'due',
  alreadyRunning: 'already-running',
  overBudget: 'over-budget',
  missing: 'missing',
  configError: 'config-error',
  startFailed: 'start-failed',
} as const;
export type RenewalReason = (typeof RenewalReason)[keyof typeof RenewalReason];

export interface CertificateFacts {
  readonly uniqueName: string;
  readonly usable: boolean;
  /** ISO-8601 notAfter; null while a CA-signed certificate has no chain. */
  readonly expiresAt: string | null;
  readonly notBefore: string | null;
  readonly jitterFraction: number;
  /** The covering integration's policy; null: no integration covers it. */
  readonly policy: RenewalPolicy | null;
  /** References naming it (the drift audit and `superseded` read this). */
  readonly references: number;
  /** A newer certificate of the same integration, if any. */
  readonly newer: { readonly uniqueName: string; readonly expiresAt: string } | null;
}

export interface CertificateDecision {
  readonly reason: RenewalReason;
  readonly due: boolean;
  readonly message: string;
  /** ISO-8601: when the policy wants the renewal (jitter included, freezes not); null when the policy does not apply. */
  readonly renewAt: string | null;
  /** Whole days until expiry, truncated toward zero; negative once expired; null without an expiry. */
  readonly daysLeft: number | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface Facts {
  readonly cert: CertificateFacts;
  readonly now: number;
  readonly policy: ResolvedRenewalPolicy | null;
  readonly time: RenewalTime | null;
  readonly expiresAt: number | null;
  readonly daysLeft: number | null;
  readonly freeze: { names: string[]; end: number } | null;
}

type Check = (facts: Facts) => CertificateDecision | null;

function decided(facts: Facts, reason: RenewalReason, message: string): CertificateDecision {
  const due = reason === RenewalReason.due || reason === RenewalReason.expired;
  return { reason, due, message, renewAt: facts.time ? facts.time.renewAt.toISOString() : null, daysLeft: facts.daysLeft };
}

/** The rule's note and the jitter, as the end of a reason. */
function notes(time: RenewalTime, prefix: string[] = []): string {
  const hours = time.jitterMs / HOUR_MS;
  const all = [...prefix, ...(time.note ? [time.note] : []), ...(hours > 0 ? [`${round(hours, 2)} h earlier by its jitter`] : [])];
  return all.length > 0 ? ` (${all.join('; ')})` : '';
}

function freezeWords(freeze: { names: string[] }): string {
  return freeze.names.map((n) => `'${n}'`).join(' then ');
}

function dueWords(time: RenewalTime, daysLeft: number, renewBeforeDays: number | null): string {
  if (time.rule === 'percent') return `due: ${time.describe} passed at ${time.renewAt.toISOString()}${notes(time)}`;
  const setting = time.rule === 'days' ? `renewBeforeDays ${renewBeforeDays}` : `${FALLBACK_RENEW_BEFORE_DAYS} days`;
  return `due: ${plural(daysLeft, 'day')} left ≤ ${setting}${notes(time)}`;
}

const isExpired = (f: Facts): boolean => f.expiresAt !== null && f.now >= f.expiresAt;

const noIntegration: Check = (f) => (f.cert.policy === null ? decided(f, RenewalReason.noIntegration, 'no integration in the inventory matches it') : null);

const unusable: Check = (f) =>
  !f.cert.usable || f.expiresAt === null ? decided(f, RenewalReason.unusable, 'not usable yet (a CA-signed certificate waiting for its chain)') : null;

const notYetDue: Check = (f) => {
  if (!f.time || isExpired(f) || f.now >= f.time.renewAt.getTime()) return null;
  return decided(f, RenewalReason.notYetDue, `renews at ${f.time.renewAt.toISOString()}${notes(f.time, [f.time.describe])}`);
};

const frozen: Check = (f) => {
  if (!f.freeze || isExpired(f) || f.expiresAt! <= f.freeze.end) return null;
  return decided(f, RenewalReason.frozen, `due but in freeze period ${freezeWords(f.freeze)} until ${new Date(f.freeze.end).toISOString()}`);
};

const superseded: Check = (f) => {
  const newer = f.cert.newer;
  if (f.cert.references > 0 || !newer) return null;
  return decided(f, RenewalReason.superseded, `nothing names it any more and ${newer.uniqueName} (expires ${newer.expiresAt}) replaces it; delete it when its rotation is done`);
};

const expired: Check = (f) => {
  if (!isExpired(f)) return null;
  const ago = Math.trunc((f.now - f.expiresAt!) / DAY_MS);
  const when = ago === 0 ? 'less than a day ago' : `${plural(ago, 'day')} ago`;
  const override = f.freeze ? ` (overrides freeze period ${freezeWords(f.freeze)})` : '';
  return decided(f, RenewalReason.expired, `expired ${when} — rotate now${override}`);
};

const due: Check = (f) => {
  const words = dueWords(f.time!, f.daysLeft ?? 0, f.policy!.renewBeforeDays);
  if (!f.freeze) return decided(f, RenewalReason.due, words);
  return decided(
    f,
    RenewalReason.due,
    `${words}; freeze period ${freezeWords(f.freeze)} is overridden: the certificate expires at ${new Date(f.expiresAt!).toISOString()}, ` +
      `before the freeze ends at ${new Date(f.freeze.end).toISOString()}`,
  );
};

/** The chain, in order: the first check that applies decides. */
export const RENEWAL_CHECKS: readonly Check[] = [noIntegration, unusable, notYetDue, frozen, superseded, expired, due];

/** Decides one certificate at `now`. Never throws: a policy that cannot be evaluated is `configError`. */
export function decideCertificate(cert: CertificateFacts, now: number): CertificateDecision {
  const expiresAt = cert.expiresAt === null ? null : Date.parse(cert.expiresAt);
  const daysLeft = expiresAt === null || Number.isNaN(expiresAt) ? null : Math.trunc((expiresAt - now) / DAY_MS) || 0;
  const base: Facts = { cert, now, policy: null, time: null, expiresAt: expiresAt !== null && Number.isNaN(expiresAt) ? null : expiresAt, daysLeft, freeze: null };
  let facts = base;
  if (cert.policy !== null && cert.usable && cert.expiresAt !== null) {
    try {
      const policy = resolveRenewalPolicy(cert.policy);
      const renewal: RenewalCertificate = { uniqueName: cert.uniqueName, notBefore: cert.notBefore, expiresAt: cert.expiresAt, jitterFraction: cert.jitterFraction };
      facts = { ...base, policy, time: computeRenewalTime(renewal, policy), freeze: activeFreeze(policy.freezePeriods, now) };
    } catch (error) {
      if (!isRotationError(error)) throw error;
      return { reason: RenewalReason.configError, due: false, message: error.message, renewAt: null, daysLeft };
    }
  }
  for (const check of RENEWAL_CHECKS) {
    const result = check(facts);
    if (result) return result;
  }
  /* c8 ignore next */
  throw new Error('unreachable: the last renewal check always decides');
}

/** The time part of the chain, for one covered and usable certificate (its policy's view). */
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

/**
 * Whether `cert` is due at `now` under `policy`: the same chain, for a certificate an
 * integration covers and that is usable. Throws INVALID_INPUT naming the field when the
 * policy or the certificate's dates cannot be evaluated.
 */
export function evaluateRenewal(cert: RenewalCertificate, policy: RenewalPolicy, now: Date): RenewalDecision {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw invalid('now', 'is not a valid date.');
  computeRenewalTime(cert, resolveRenewalPolicy(policy)); // throws on what decideCertificate would call a config error
  const decision = decideCertificate(
    { uniqueName: cert.uniqueName, usable: true, expiresAt: cert.expiresAt, notBefore: cert.notBefore, jitterFraction: cert.jitterFraction ?? 0, policy, references: 1, newer: null },
    nowMs,
  );
  return {
    due: decision.due,
    renewAt: decision.renewAt!,
    reason: decision.message,
    ...(decision.reason === RenewalReason.frozen ? { blockedBy: 'freeze' as const } : {}),
    daysLeft: decision.daysLeft!,
    expired: nowMs >= Date.parse(cert.expiresAt),
  };
}
