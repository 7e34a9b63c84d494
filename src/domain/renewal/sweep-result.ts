/**
 * What a renewal sweep reports: per org (the child workflow `renewalOrgSweep` returns it,
 * counts of everything and details up to MAX_ORG_DETAILS of each kind) and for the whole
 * sweep (`renewalSweep`: per-org summaries, and details only up to MAX_SWEEP_DETAILS of each
 * kind, so its history stays bounded whatever the fleet size; `certrot expiring` reads each
 * org's own result for the rest). Plain data.
 */
import type { RotationWindow } from '../rotation';
import type { RenewalReason } from './decision';
import type { DriftAlertResult, DriftFinding } from './inventory-contract';

/** Details of each kind the whole-sweep result keeps (each org's result keeps all of its own). */
export const MAX_SWEEP_DETAILS = 200;

/**
 * Details of each kind one org's result keeps (since 'renewal-sweep-bounded', #15): its rows,
 * starts, skips and findings past this many are only counted (`counts`, `truncated`), so an
 * org's result — which its parent's history records too — stays far below Temporal's
 * payload limits however many certificates the org holds (≈100 × 1.8 KB at most). A real
 * (not dry-run) sweep asks each org for no more than its own result still keeps
 * (MAX_SWEEP_DETAILS): past the first orgs, an org's result is its counts.
 */
export const MAX_ORG_DETAILS = 100;

/** How many of each an org's sweep saw, whatever its result lists (`MAX_ORG_DETAILS`). */
export interface OrgSweepCounts {
  readonly certificates: number;
  readonly started: number;
  readonly skipped: number;
  readonly drift: number;
  /** Rotations due but held by the org's budget (skipped, kind over-budget). */
  readonly queued: number;
  /** Every certificate row by its reason (decision.ts), e.g. { 'not-due': 14, due: 6 }. */
  readonly byReason: Readonly<Partial<Record<RenewalReason, number>>>;
}

/**
 * What a caller may list less of: the certificate rows, and the routine skips (not due).
 * Starts, the other skips (queued, held, failed) and drift findings are always listed up to
 * MAX_ORG_DETAILS: they are what someone must act on.
 */
export type DetailKind = 'certificates' | 'notDue';
export type DetailLimits = Readonly<Partial<Record<DetailKind, number>>>;

/**
 * Caps an org's result at MAX_ORG_DETAILS of each kind — or fewer where `limits` asks (a
 * real sweep's parent asks only for the room its own result has left) — counting
 * everything first. Pure.
 */
export function boundedOrgResult(result: OrgSweepResult, limits: DetailLimits = {}): OrgSweepResult {
  const byReason: Partial<Record<RenewalReason, number>> = {};
  for (const row of result.certificates) byReason[row.reason] = (byReason[row.reason] ?? 0) + 1;
  const counts: OrgSweepCounts = {
    certificates: result.certificates.length,
    started: result.started.length,
    skipped: result.skipped.length,
    drift: result.drift.length,
    queued: result.skipped.filter((s) => s.kind === 'over-budget').length,
    byReason,
  };
  const cap = (kind: DetailKind): number => Math.max(0, Math.min(MAX_ORG_DETAILS, Math.trunc(limits[kind] ?? MAX_ORG_DETAILS)));
  let notDue = 0;
  let others = 0;
  const skipped = result.skipped.filter((s) => (s.kind === 'not-due' ? ++notDue <= cap('notDue') : ++others <= MAX_ORG_DETAILS));
  const kept = {
    certificates: result.certificates.slice(0, cap('certificates')),
    started: result.started.slice(0, MAX_ORG_DETAILS),
    skipped,
    drift: result.drift.slice(0, MAX_ORG_DETAILS),
  };
  const truncated = kept.certificates.length < counts.certificates || kept.started.length < counts.started || kept.skipped.length < counts.skipped || kept.drift.length < counts.drift;
  return { ...result, ...kept, counts, truncated };
}

/** An org's counts: recorded (bounded results), else counted from its lists (older results hold every detail). */
export function orgCounts(result: OrgSweepResult): OrgSweepCounts {
  return result.counts ?? boundedOrgResult(result).counts!;
}

export type SkipKind = Exclude<RenewalReason, 'due' | 'expired'>;

export interface SkippedCertificate {
  readonly org: string;
  readonly certificate: string;
  readonly kind: SkipKind;
  readonly reason: string;
}

export interface StartedRotation {
  readonly org: string;
  readonly certificate: string;
  readonly workflowId: string;
  readonly vendor: string;
  readonly strategy: 'overlap' | 'simultaneous';
  /** The maintenance window the rotation applies in; null: on approval (see `urgent`). */
  readonly window: RotationWindow | null;
  /** No window opens before the certificate expires: the rotation applies on approval. */
  readonly urgent: boolean;
  readonly renewAt: string;
  readonly reason: string;
  /** dryRun: listed, not started. */
  readonly dryRun: boolean;
}

/** One certificate as the sweep saw it: what `certrot expiring` prints. */
export interface CertificateRow {
  readonly org: string;
  readonly uniqueName: string;
  readonly label: string;
  readonly keySize: number;
  readonly usable: boolean;
  readonly expiresAt: string | null;
  /** Whole days, truncated toward zero; negative once expired; null without an expiry. */
  readonly daysLeft: number | null;
  readonly vendor: string | null;
  readonly renewAt: string | null;
  readonly references: number;
  /** The chain's reason constant (decision.ts), or the budget's. */
  readonly reason: RenewalReason;
  /** What the sweep decided, in words. */
  readonly decision: string;
  /** The policy leaves too little room before expiry (room.ts); null when it fits. */
  readonly room: string | null;
}

export interface OrgSweepResult {
  readonly org: string;
  /** The child workflow that swept this org (its result is this object). */
  readonly workflowId: string;
  readonly certificates: CertificateRow[];
  references: number;
  readonly started: StartedRotation[];
  readonly skipped: SkippedCertificate[];
  readonly drift: DriftFinding[];
  /** Rotations of this org running when the sweep looked (its budget counts them). */
  running: number;
  readonly maxActiveRotations: number;
  /** null: nothing to report, or dryRun. */
  alert: DriftAlertResult | null;
  /** The inventory failed: nothing was renewed or audited. */
  readonly error: string | null;
  /** Bounded results (#15): how many of each there were; absent in older results, which list all. */
  readonly counts?: OrgSweepCounts | undefined;
  /** Some lists stop at MAX_ORG_DETAILS (see `counts`). */
  readonly truncated?: boolean;
}

export interface OrgSummary {
  readonly org: string;
  readonly workflowId: string | null;
  readonly certificates: number;
  readonly references: number;
  readonly started: number;
  readonly queued: number;
  readonly running: number;
  readonly drift: number;
  readonly alert: DriftAlertResult | null;
  readonly error: string | null;
}

export interface RenewalSweepResult {
  readonly version: 2;
  readonly sweptAt: string;
  readonly dryRun: boolean;
  /** Executions this sweep took (continue-as-new adds one each time). */
  readonly runs: number;
  readonly orgs: OrgSummary[];
  readonly totals: { certificates: number; started: number; skipped: number; drift: number };
  /** Details up to MAX_SWEEP_DETAILS each; `truncated` when some were left out (see each org's result). */
  readonly started: StartedRotation[];
  readonly skipped: SkippedCertificate[];
  readonly drift: DriftFinding[];
  readonly certificates: CertificateRow[];
  truncated: boolean;
  /** Policies that leave no room for a renewal (room.ts), at the sweep's time. */
  readonly warnings: string[];
}
