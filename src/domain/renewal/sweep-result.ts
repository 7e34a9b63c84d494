/**
 * What a renewal sweep reports: per org (the child workflow `renewalOrgSweep` returns it
 * whole) and for the whole sweep (`renewalSweep`: per-org summaries, and details only up
 * to MAX_SWEEP_DETAILS of each kind, so its history stays bounded whatever the fleet size;
 * `certrot expiring` reads each org's own result for all of them). Plain data.
 */
import type { RotationWindow } from '../rotation';
import type { RenewalReason } from './decision';
import type { DriftAlertResult, DriftFinding } from './inventory-contract';

/** Details of each kind the whole-sweep result keeps (each org's result keeps all of its own). */
export const MAX_SWEEP_DETAILS = 200;

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
