/**
 * renewalSweep: one pass over every org in the inventory that starts the rotations that
 * are due, so that no certificate reaches its expiry because nobody started one. A Temporal
 * Schedule runs it daily (`certrot schedule create`); `certrot expiring` runs it with
 * `dryRun` to print the inventory.
 *
 * It reads like the runbook: load the inventory configuration, say which policies leave no
 * room for a renewal, then sweep each org in its own child workflow (`renewalOrgSweep`:
 * gather → decide → budget → start → alert), a few orgs at a time, and keep per-org
 * summaries. Every decision is a pure function in src/domain/renewal.
 *
 * Overlap safety: a rotation's id is a function of its certificate, so two sweeps (or a
 * sweep and an operator) never start two rotations of one certificate; a running rotation
 * refuses the start, and the per-org budget counts what runs.
 *
 * History: each org's inventory and rows stay in its child's history; this workflow keeps
 * summaries and at most MAX_SWEEP_DETAILS details of each kind, and continues as new (at
 * an org boundary) when Temporal suggests it or its history passes
 * `continueAsNewAfterEvents` events, carrying the orgs still to do and the result so far.
 *
 * Bounded (#15, 'renewal-sweep-bounded'): the sweep never holds the inventory configuration
 * (≈0.4 KB an org): its first run reads only the org aliases and the room warnings
 * (`inventoryOutline`), each child reads its own org's configuration, and each child's result
 * counts everything but lists at most MAX_ORG_DETAILS of each kind. Continued runs read
 * nothing: the orgs still to do and the result so far come with the input.
 *
 * Versions: sweeps started before this shape (no 'renewal-sweep-v2' marker) replay through
 * renewal-sweep-v1.ts.
 */
import { continueAsNew, executeChild, log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { InventoryConfig } from '../domain/inventory-config';
import type { InventoryActivities } from '../domain/renewal/inventory-contract';
import { inventoryRoomProblems } from '../domain/renewal/room';
import { MAX_SWEEP_DETAILS, orgCounts, type DetailLimits, type OrgSummary, type OrgSweepResult, type RenewalSweepResult } from '../domain/renewal/sweep-result';
import { describeFailure, renewalOrgSweep, SWEEP_BOUNDED_PATCH } from './renewal-org-sweep';
import { legacyRenewalSweep, type SweepIterationV1 } from './renewal-sweep-v1';

export type { CertificateRow, OrgSummary, OrgSweepResult, RenewalSweepResult, SkippedCertificate, StartedRotation } from '../domain/renewal/sweep-result';

const inventory = proxyActivities<InventoryActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4 },
});

/** The marker of this shape of the sweep (see renewal-sweep-v1.ts for the one before). */
export const SWEEP_V2_PATCH = 'renewal-sweep-v2';
/** Default history length at which a sweep continues as new (Temporal warns at 10K events). */
export const SWEEP_CONTINUE_AS_NEW_EVENTS = 2_000;
/** History bytes at which a sweep continues as new: below the 4 MiB a default gRPC client receives, so any tool can read each run's history (Temporal's limit is 50 MB). */
const SWEEP_CONTINUE_AS_NEW_BYTES = 3_000_000;
/** Orgs swept at once: each is one inventory (about 14 Salesforce calls) in its own org. */
export const ORGS_AT_ONCE = 5;

/** What one execution hands the next through continue-as-new. */
export interface SweepIteration {
  readonly version: 2;
  readonly number: number;
  readonly pendingOrgs: readonly string[];
  readonly result: RenewalSweepResult;
}

export interface RenewalSweepInput {
  /** Never given: the sweep reads the workflow's clock, which replays exactly. */
  readonly now?: never;
  /** List what would start and what drifted; start nothing, alert nobody. */
  readonly dryRun?: boolean;
  /** Only these org aliases (default: every org in the inventory). */
  readonly orgs?: readonly string[];
  /** Continue-as-new once the history has this many events (default 2000). */
  readonly continueAsNewAfterEvents?: number;
  /** Orgs swept at once (1 to 50; default ORGS_AT_ONCE). */
  readonly orgsAtOnce?: number;
  /** Set by the sweep itself when it continues as new. */
  readonly iteration?: SweepIteration | SweepIterationV1;
}

function isV1Iteration(iteration: RenewalSweepInput['iteration']): iteration is SweepIterationV1 {
  return iteration !== undefined && (iteration as Partial<SweepIteration>).version !== 2;
}

function keep<T>(into: T[], items: readonly T[], result: RenewalSweepResult): void {
  const room = MAX_SWEEP_DETAILS - into.length;
  if (items.length > room) result.truncated = true;
  into.push(...items.slice(0, Math.max(0, room)));
}

function summary(org: OrgSweepResult): OrgSummary {
  const counts = orgCounts(org);
  return {
    org: org.org,
    workflowId: org.workflowId,
    certificates: counts.certificates,
    references: org.references,
    started: counts.started,
    queued: counts.queued,
    running: org.running,
    drift: counts.drift,
    alert: org.alert,
    error: org.error,
  };
}

/**
 * The sweep. A sweep started before this version (no marker in its history), or continued
 * from one, finishes as it began and returns the v1 result it promised (renewal-sweep-v1.ts).
 */
export async function renewalSweep(input: RenewalSweepInput = {}): Promise<RenewalSweepResult> {
  if (isV1Iteration(input.iteration) || !patched(SWEEP_V2_PATCH)) {
    const legacy = await legacyRenewalSweep({ ...input, iteration: isV1Iteration(input.iteration) ? input.iteration : undefined });
    return legacy as unknown as RenewalSweepResult;
  }
  const info = workflowInfo();
  const dryRun = input.dryRun === true;
  const threshold = input.continueAsNewAfterEvents ?? SWEEP_CONTINUE_AS_NEW_EVENTS;
  const atOnce = Math.min(50, Math.max(1, Math.trunc(input.orgsAtOnce ?? ORGS_AT_ONCE) || ORGS_AT_ONCE));
  const carried = input.iteration;
  const bounded = patched(SWEEP_BOUNDED_PATCH);
  // Before 'renewal-sweep-bounded' every run read the whole configuration; now only the first
  // reads the aliases (and the warnings), and each child its own org's configuration.
  const config: InventoryConfig | null = bounded ? null : await inventory.loadInventory();
  const outline = bounded && !carried ? await inventory.inventoryOutline({ at: new Date().toISOString(), maxWarnings: MAX_SWEEP_DETAILS }) : null;
  const warnings = (): string[] => {
    if (config) return inventoryRoomProblems(config, new Date()).map((p) => p.message);
    if (!outline) return [];
    return outline.warningsLeftOut > 0 ? [...outline.warnings, `… and ${outline.warningsLeftOut} more such policies (see the worker's start-up warnings)`] : [...outline.warnings];
  };
  const known = (org: string): boolean => (config ? config.orgs[org] !== undefined : (outline?.orgs.includes(org) ?? false));

  const result: RenewalSweepResult = carried
    ? { ...carried.result, runs: carried.result.runs + 1 }
    : {
        version: 2,
        sweptAt: new Date().toISOString(),
        dryRun,
        runs: 1,
        orgs: [],
        totals: { certificates: 0, started: 0, skipped: 0, drift: 0 },
        started: [],
        skipped: [],
        drift: [],
        certificates: [],
        truncated: false,
        warnings: warnings(),
      };
  const wanted = input.orgs ? new Set(input.orgs) : null;
  const all = config ? Object.keys(config.orgs) : [...(outline?.orgs ?? [])];
  const pending = carried ? [...carried.pendingOrgs] : all.filter((org) => wanted === null || wanted.has(org)).sort();
  if (!carried && wanted) {
    for (const org of wanted) if (!known(org)) result.skipped.push({ org, certificate: '*', kind: 'config-error', reason: `org "${org}" is not in the inventory` });
  }

  const historyIsLong = (): boolean => {
    const now = workflowInfo();
    return now.continueAsNewSuggested || now.historyLength >= threshold || now.historySize >= SWEEP_CONTINUE_AS_NEW_BYTES;
  };

  // A real sweep asks each org only for the rows and routine (not-due) skips its own result
  // still keeps — the rest is counted; starts, queued and failed ones and drift are always
  // listed. A dry run (`certrot expiring`) lists up to MAX_ORG_DETAILS of each per org.
  const room = (list: readonly unknown[]): number => Math.max(0, MAX_SWEEP_DETAILS - list.length);
  const listUpTo = (): { listUpTo: DetailLimits } | null =>
    bounded && !dryRun ? { listUpTo: { certificates: room(result.certificates), notDue: room(result.skipped) } } : null;

  const sweepOrg = async (org: string): Promise<void> => {
    let swept: OrgSweepResult;
    try {
      swept = await executeChild(renewalOrgSweep, {
        workflowId: `${info.workflowId}/${org}`,
        // bounded: the child reads its own org's configuration (orgConfig)
        args: [{ org, ...(config ? { config: { orgs: { [org]: config.orgs[org]! } } } : {}), sweepWorkflowId: info.workflowId, sweptAt: result.sweptAt, dryRun, ...(listUpTo() ?? {}) }],
        staticSummary: `${dryRun ? 'Dry run: ' : ''}renewals of org ${org} (sweep ${info.workflowId})`,
      });
    } catch (error) {
      const reason = describeFailure(error);
      result.orgs.push({ org, workflowId: null, certificates: 0, references: 0, started: 0, queued: 0, running: 0, drift: 1, alert: null, error: reason });
      keep(result.drift, [{ org, problem: 'inventory-failed', certificate: '*', detail: `the sweep of org ${org} failed, so nothing there was renewed or audited: ${reason}` }], result);
      return;
    }
    const counts = orgCounts(swept);
    result.orgs.push(summary(swept));
    result.totals.certificates += counts.certificates;
    result.totals.started += counts.started;
    result.totals.skipped += counts.skipped;
    result.totals.drift += counts.drift;
    if (swept.truncated) result.truncated = true;
    keep(result.started, swept.started, result);
    keep(result.skipped, swept.skipped, result);
    keep(result.drift, swept.drift, result);
    keep(result.certificates, swept.certificates, result);
  };

  while (pending.length > 0) {
    const batch = pending.splice(0, atOnce);
    await Promise.all(batch.map(sweepOrg));
    if (pending.length > 0 && historyIsLong()) {
      log.info('renewal sweep continues as new', { run: result.runs, pendingOrgs: pending.length, historyLength: workflowInfo().historyLength });
      return continueAsNew<typeof renewalSweep>({
        ...(input.dryRun !== undefined ? { dryRun: input.dryRun } : {}),
        ...(input.orgs ? { orgs: input.orgs } : {}),
        ...(input.continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents: input.continueAsNewAfterEvents } : {}),
        ...(input.orgsAtOnce !== undefined ? { orgsAtOnce: input.orgsAtOnce } : {}),
        iteration: { version: 2, number: (carried?.number ?? 0) + 1, pendingOrgs: pending, result },
      });
    }
  }
  result.orgs.sort((a, b) => a.org.localeCompare(b.org));
  return result;
}
