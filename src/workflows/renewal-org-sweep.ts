/**
 * renewalOrgSweep: the renewal sweep for ONE org, as a child of `renewalSweep`, so that an
 * org's inventory and its rows live in this workflow's history and never in the fleet's.
 * It reads like the runbook:
 *
 *   1. gather   ONE inventory activity: certificates and the references naming them;
 *   2. decide   pure functions (src/domain/renewal): the chain per certificate, the window,
 *               the room, the drift audit;
 *   3. budget   which rotations of the org run now (by their canonical ids; one in its grace
 *               period does not count), then the due ones start in window order while the
 *               org's maxActiveRotations has room;
 *   4. start    a `rotateCertificate` child per start, id `rotate/<org>/<certificate>`,
 *               abandoned when this workflow closes (a rotation lasts weeks);
 *   5. alert    one drift alert for the org's findings (not in a dry run).
 *
 * Bounded (#15, 'renewal-sweep-bounded'): the org's configuration is read by an activity
 * when the parent does not pass it (the parent no longer holds the fleet's), and the result
 * counts everything but lists at most MAX_ORG_DETAILS of each kind — the parent's history
 * records every child's result, so none may grow with the org.
 */
import { ActivityFailure, ApplicationFailure, ParentClosePolicy, patched, proxyActivities, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { InventoryConfig } from '../domain/inventory-config';
import { activeCount, applyBudget } from '../domain/renewal/budget';
import { RenewalReason, type RenewalReason as Reason } from '../domain/renewal/decision';
import type { InventoryActivities, OrgInventory, RunningRotation } from '../domain/renewal/inventory-contract';
import { planOrg, type PlannedCertificate } from '../domain/renewal/org-plan';
import { rotationRequest } from '../domain/renewal/renewal-request';
import { boundedOrgResult, type CertificateRow, type DetailLimits, type OrgSweepResult, type SkipKind, type StartedRotation } from '../domain/renewal/sweep-result';
import { rotationWorkflowId } from '../domain/rotation';
import { rotateCertificate } from './rotate-certificate';

const inventory = proxyActivities<InventoryActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4 },
});

/** The marker of bounded org results (and of the configuration read here when not given). */
export const SWEEP_BOUNDED_PATCH = 'renewal-sweep-bounded';

export interface RenewalOrgSweepInput {
  readonly org: string;
  /** The inventory configuration of this org only; absent: read by the orgConfig activity. */
  readonly config?: InventoryConfig;
  readonly sweepWorkflowId: string;
  readonly sweptAt: string;
  readonly dryRun: boolean;
  /** How many of each kind of detail to list at most (default MAX_ORG_DETAILS); everything is counted. */
  readonly listUpTo?: DetailLimits;
}

/** A failure in words: an activity's ApplicationFailure with its type, else the message. */
export function describeFailure(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return `${error.cause.type ?? 'ERROR'}: ${error.cause.message}`;
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isAlreadyStarted(error: unknown): boolean {
  return error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError';
}

export async function renewalOrgSweep(input: RenewalOrgSweepInput): Promise<OrgSweepResult> {
  const bounded = patched(SWEEP_BOUNDED_PATCH);
  const swept = await sweepOrg(input);
  return bounded ? boundedOrgResult(swept, input.listUpTo) : swept;
}

async function sweepOrg(input: RenewalOrgSweepInput): Promise<OrgSweepResult> {
  const { org, dryRun } = input;
  const workflowId = workflowInfo().workflowId;
  const failed = (result: OrgSweepResult, error: unknown): OrgSweepResult => {
    const reason = describeFailure(error);
    return {
      ...result,
      error: reason,
      drift: [{ org, problem: 'inventory-failed', certificate: '*', detail: `the inventory of org ${org} failed, so nothing there was renewed or audited: ${reason}` }],
    };
  };
  // 1. gather (the org's configuration, when not given, is read in the same workflow task)
  const [configured, inventoried] = await Promise.allSettled([input.config ?? inventory.orgConfig({ org }), inventory.inventoryOrg({ org })]);
  const config: InventoryConfig = configured.status === 'fulfilled' ? configured.value : { orgs: {} };
  const budget = config.orgs[org]?.maxActiveRotations ?? 1;
  const result: OrgSweepResult = { org, workflowId, certificates: [], references: 0, started: [], skipped: [], drift: [], running: 0, maxActiveRotations: budget, alert: null, error: null };
  if (configured.status === 'rejected') return failed(result, configured.reason);
  if (inventoried.status === 'rejected') return failed(result, inventoried.reason);
  const taken: OrgInventory = inventoried.value;

  // 2. decide
  const now = Date.now();
  const plan = planOrg(config, taken, now);
  result.drift.push(...plan.drift);
  const rows = new Map<PlannedCertificate, { reason: Reason; decision: string }>();
  const skip = (p: PlannedCertificate, kind: SkipKind, reason: string): void => {
    result.skipped.push({ org, certificate: p.cert.uniqueName, kind, reason });
    rows.set(p, { reason: kind, decision: `skipped (${kind}): ${reason}` });
  };
  for (const name of taken.missing) {
    result.skipped.push({ org, certificate: name, kind: RenewalReason.missing, reason: `the inventory names ${name}, but the org has no such certificate` });
  }
  const due = plan.certificates.filter((p) => p.decision.due);
  for (const p of plan.certificates) if (!p.decision.due) skip(p, p.decision.reason as SkipKind, p.decision.message);

  // 3. budget: the org's running rotations, by the canonical ids of the certificates it covers
  let running: RunningRotation[] = [];
  if (due.length > 0) {
    const covered = plan.certificates.filter((p) => p.integration !== null).map((p) => p.cert.uniqueName);
    running = await inventory.rotationsRunning({ org, certificates: covered });
  }
  const budgeted = applyBudget(org, due, new Set(running.map((r) => r.certificate.toLowerCase())), activeCount(running), budget);
  result.running = running.length;
  for (const held of budgeted.held) skip(held.planned, held.reason, held.message);

  // 4. start
  for (const p of budgeted.start) {
    const integration = p.integration!;
    const id = rotationWorkflowId(org, p.cert.uniqueName);
    const reason = p.urgent ? `${p.decision.message}; no maintenance window opens before it expires, so it applies on approval` : p.decision.message;
    const entry: StartedRotation = { org, certificate: p.cert.uniqueName, workflowId: id, vendor: integration.vendor, strategy: integration.strategy, window: p.window, urgent: p.urgent, renewAt: p.decision.renewAt!, reason, dryRun };
    if (dryRun) {
      result.started.push(entry);
      rows.set(p, { reason: p.decision.reason, decision: `would start ${id}${p.window ? ` for the window ${p.window.start} → ${p.window.end}` : ' (urgent: on approval)'}: ${p.decision.message}` });
      continue;
    }
    try {
      await startChild(rotateCertificate, {
        workflowId: id,
        args: [rotationRequest(org, p.cert, integration, p.window, now)],
        // The rotation outlives the sweep by weeks (approval, window, grace period).
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // A running rotation refuses the start; a closed one (rolled back) may be retried.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        staticSummary: `Renew ${p.cert.uniqueName} in ${org} (started by the renewal sweep ${input.sweepWorkflowId})`,
      });
    } catch (error) {
      if (isAlreadyStarted(error)) skip(p, RenewalReason.alreadyRunning, `rotation already running (${id})`);
      else skip(p, RenewalReason.startFailed, `could not start ${id}: ${describeFailure(error)}`);
      continue;
    }
    result.started.push(entry);
    rows.set(p, { reason: p.decision.reason, decision: `started ${id}: ${reason}` });
  }

  for (const p of plan.certificates) {
    const row = rows.get(p)!;
    result.certificates.push(certificateRow(org, p, row.reason, row.decision));
  }
  result.references = taken.references.length;

  // 5. alert
  if (!dryRun && result.drift.length > 0) {
    try {
      result.alert = await inventory.sendDriftAlert({ workflowId, sweptAt: input.sweptAt, findings: result.drift });
    } catch (error) {
      result.alert = { sent: false, detail: `the alert could not be sent: ${describeFailure(error)}` };
    }
  }
  return result;
}

function certificateRow(org: string, p: PlannedCertificate, reason: Reason, decision: string): CertificateRow {
  return {
    org,
    uniqueName: p.cert.uniqueName,
    label: p.cert.label,
    keySize: p.cert.keySize,
    usable: p.cert.usable,
    expiresAt: p.cert.expiresAt,
    daysLeft: p.decision.daysLeft,
    vendor: p.integration?.vendor ?? null,
    renewAt: p.decision.renewAt,
    references: p.references,
    reason,
    decision,
    room: p.room,
  };
}
