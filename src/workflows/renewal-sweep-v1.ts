/**
 * The renewal sweep as released before the per-org budget (certrot ≤ 0.x, "v1"): one
 * inventory activity per org and every decision inline, carrying the whole inventory and
 * every certificate's row through continue-as-new. Kept, unchanged in behaviour, only to
 * replay sweeps that were running when the new sweep shipped (`renewalSweep` runs it for a
 * history without the 'renewal-sweep-v2' marker, or for a v1 iteration carried by
 * continue-as-new); its decisions come from src/domain/renewal, whose functions give the
 * same answers they gave then. Do not change it; test/replay proves it still replays.
 */
import {
  continueAsNew,
  log,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { matchIntegration, type InventoryConfig, type InventoryIntegration } from '../domain/inventory-config';
import { evaluateRenewal } from '../domain/renewal/decision';
import { auditReferences } from '../domain/renewal/drift-audit';
import type { DriftAlertResult, DriftFinding, InventoryActivities, InventoryCertificate, OrgInventory } from '../domain/renewal/inventory-contract';
import { certificateJitterFraction } from '../domain/renewal/jitter';
import { rotationRequest } from '../domain/renewal/renewal-request';
import { chooseWindow } from '../domain/renewal/window-choice';
import { rotationWorkflowId, type RotationWindow } from '../domain/rotation';
import { describeFailure, isAlreadyStarted } from './renewal-org-sweep';
import { rotateCertificate } from './rotate-certificate';

const inventory = proxyActivities<InventoryActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4 },
});

const SWEEP_CONTINUE_AS_NEW_EVENTS = 2_000;
const DAY_MS = 86_400_000;

type SkipKind =
  | 'not-due'
  | 'frozen'
  | 'already-running'
  | 'no-integration'
  | 'unusable'
  | 'missing'
  | 'superseded'
  | 'config-error'
  | 'start-failed';

interface SkippedCertificate {
  readonly org: string;
  readonly certificate: string;
  readonly kind: SkipKind;
  readonly reason: string;
}

interface StartedRotation {
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
interface CertificateRow {
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
  /** What the sweep decided, in words. */
  readonly decision: string;
}

interface OrgSummary {
  readonly org: string;
  readonly certificates: number;
  readonly references: number;
  readonly error: string | null;
}

interface RenewalSweepResultV1 {
  readonly sweptAt: string;
  readonly dryRun: boolean;
  /** Executions this sweep took (continue-as-new adds one each time). */
  readonly runs: number;
  readonly orgs: OrgSummary[];
  readonly started: StartedRotation[];
  readonly skipped: SkippedCertificate[];
  readonly drift: DriftFinding[];
  /** null: nothing to report, or dryRun. */
  alert: DriftAlertResult | null;
  readonly certificates: CertificateRow[];
}

/** What one execution hands the next through continue-as-new. */
export interface SweepIterationV1 {
  readonly number: number;
  readonly pendingOrgs: readonly string[];
  /** The org in progress: its inventory (never taken twice) and the next certificate to consider. */
  readonly current: { readonly inventory: OrgInventory; readonly next: number } | null;
  readonly result: RenewalSweepResultV1;
}

interface RenewalSweepInputV1 {
  /** Never given: the sweep reads the workflow's clock, which replays exactly. */
  readonly now?: never;
  /** List what would start and what drifted; start nothing, alert nobody. */
  readonly dryRun?: boolean;
  /** Only these org aliases (default: every org in the inventory). */
  readonly orgs?: readonly string[];
  /** Continue-as-new once the history has this many events (default 2000). */
  readonly continueAsNewAfterEvents?: number;
  /** Set by the sweep itself when it continues as new. */
  readonly iteration?: SweepIterationV1;
}

// ---- the workflow ------------------------------------------------------------------------------

export async function legacyRenewalSweep(input: RenewalSweepInputV1): Promise<RenewalSweepResultV1> {
  const info = workflowInfo();
  const dryRun = input.dryRun === true;
  const threshold = input.continueAsNewAfterEvents ?? SWEEP_CONTINUE_AS_NEW_EVENTS;
  const config: InventoryConfig = await inventory.loadInventory();

  const carried = input.iteration;
  const result: RenewalSweepResultV1 = carried
    ? { ...carried.result, runs: carried.result.runs + 1 }
    : { sweptAt: new Date().toISOString(), dryRun, runs: 1, orgs: [], started: [], skipped: [], drift: [], alert: null, certificates: [] };
  const wanted = input.orgs ? new Set(input.orgs) : null;
  const pending = carried ? [...carried.pendingOrgs] : Object.keys(config.orgs).filter((org) => wanted === null || wanted.has(org)).sort();
  if (!carried && wanted) {
    for (const org of wanted) if (!config.orgs[org]) result.skipped.push({ org, certificate: '*', kind: 'config-error', reason: `org "${org}" is not in the inventory` });
  }
  let current = carried?.current ?? null;

  const historyIsLong = (): boolean => {
    const now = workflowInfo();
    return now.continueAsNewSuggested || now.historyLength >= threshold;
  };
  const continueLater = (next: SweepIterationV1['current']): Promise<never> => {
    log.info('renewal sweep continues as new', { run: result.runs, pendingOrgs: pending.length, historyLength: workflowInfo().historyLength });
    return continueAsNew<typeof legacyRenewalSweep>({
      ...(input.dryRun !== undefined ? { dryRun: input.dryRun } : {}),
      ...(input.orgs ? { orgs: input.orgs } : {}),
      ...(input.continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents: input.continueAsNewAfterEvents } : {}),
      iteration: { number: (carried?.number ?? 0) + 1, pendingOrgs: pending, current: next, result },
    });
  };

  for (;;) {
    if (current === null) {
      const org = pending.shift();
      if (org === undefined) break;
      try {
        const taken = await inventory.inventoryOrg({ org });
        current = { inventory: taken, next: 0 };
        result.orgs.push({ org, certificates: taken.certificates.length, references: taken.references.length, error: null });
        result.drift.push(...auditReferences(taken, Date.now()));
        for (const name of taken.missing) {
          result.skipped.push({ org, certificate: name, kind: 'missing', reason: `the inventory names ${name}, but the org has no such certificate` });
        }
      } catch (error) {
        const reason = describeFailure(error);
        result.orgs.push({ org, certificates: 0, references: 0, error: reason });
        result.drift.push({ org, problem: 'inventory-failed', certificate: '*', detail: `the inventory of org ${org} failed, so nothing there was renewed or audited: ${reason}` });
        if (historyIsLong()) return continueLater(null);
        continue;
      }
    }

    const inv = current.inventory;
    // The most urgent first, so a continue-as-new never delays them.
    const ordered = [...inv.certificates].sort((a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999') || a.uniqueName.localeCompare(b.uniqueName));
    for (let i = current.next; i < ordered.length; i += 1) {
      const cert = ordered[i]!;
      await consider(inv, cert, ordered);
      if (historyIsLong() && i + 1 < ordered.length) return continueLater({ inventory: inv, next: i + 1 });
    }
    current = null;
    if (historyIsLong() && pending.length > 0) return continueLater(null);
  }

  if (!dryRun && result.drift.length > 0) {
    try {
      result.alert = await inventory.sendDriftAlert({ workflowId: info.workflowId, sweptAt: result.sweptAt, findings: result.drift });
    } catch (error) {
      result.alert = { sent: false, detail: `the alert could not be sent: ${describeFailure(error)}` };
    }
  }
  return result;

  // ---- one certificate: decide, and start its rotation when due ------------------------------
  async function consider(inv: OrgInventory, cert: InventoryCertificate, all: readonly InventoryCertificate[]): Promise<void> {
    const org = inv.org;
    const now = Date.now();
    const references = inv.references.filter((r) => r.certificate.toLowerCase() === cert.uniqueName.toLowerCase()).length;
    const daysLeft = cert.expiresAt === null ? null : Math.trunc((Date.parse(cert.expiresAt) - now) / DAY_MS) || 0;
    const row = (vendor: string | null, renewAt: string | null, decision: string): void => {
      result.certificates.push({
        org,
        uniqueName: cert.uniqueName,
        label: cert.label,
        keySize: cert.keySize,
        usable: cert.usable,
        expiresAt: cert.expiresAt,
        daysLeft,
        vendor,
        renewAt,
        references,
        decision,
      });
    };
    const skip = (kind: SkipKind, reason: string, vendor: string | null = null, renewAt: string | null = null): void => {
      result.skipped.push({ org, certificate: cert.uniqueName, kind, reason });
      row(vendor, renewAt, `skipped (${kind}): ${reason}`);
    };

    let integration: InventoryIntegration | null;
    try {
      integration = matchIntegration(config, org, cert.uniqueName);
    } catch (error) {
      return skip('config-error', describeFailure(error));
    }
    if (!integration) return skip('no-integration', 'no integration in the inventory matches it');
    if (!cert.usable || cert.expiresAt === null) return skip('unusable', 'not usable yet (a CA-signed certificate waiting for its chain)', integration.vendor);

    let decision;
    try {
      decision = evaluateRenewal(
        { uniqueName: cert.uniqueName, notBefore: cert.notBefore, expiresAt: cert.expiresAt, jitterFraction: certificateJitterFraction(org, cert.uniqueName, cert.expiresAt) },
        integration.renewal ?? {},
        new Date(now),
      );
    } catch (error) {
      return skip('config-error', describeFailure(error), integration.vendor);
    }
    if (!decision.due) {
      if (decision.blockedBy === 'freeze') return skip('frozen', decision.reason, integration.vendor, decision.renewAt);
      return skip('not-due', `not due until ${decision.renewAt}: ${decision.reason}`, integration.vendor, decision.renewAt);
    }

    // A certificate nothing names any more while a newer one of the same integration exists
    // is a finished rotation's leftover (in its grace period, or its clean-up failed).
    const newer = all.find(
      (other) =>
        other !== cert &&
        other.expiresAt !== null &&
        Date.parse(other.expiresAt) > Date.parse(cert.expiresAt!) &&
        safeMatch(org, other.uniqueName) === integration,
    );
    if (references === 0 && newer) {
      return skip('superseded', `nothing names it any more and ${newer.uniqueName} (expires ${newer.expiresAt}) replaces it; delete it when its rotation is done`, integration.vendor, decision.renewAt);
    }

    const expiresAt = Date.parse(cert.expiresAt);
    let window: RotationWindow | null;
    try {
      window = chooseWindow(integration, expiresAt, now);
    } catch (error) {
      return skip('config-error', describeFailure(error), integration.vendor, decision.renewAt);
    }
    const workflowId = rotationWorkflowId(org, cert.uniqueName);
    const urgent = window === null;
    const reason = urgent ? `${decision.reason}; no maintenance window opens before it expires, so it applies on approval` : decision.reason;
    const entry: StartedRotation = {
      org,
      certificate: cert.uniqueName,
      workflowId,
      vendor: integration.vendor,
      strategy: integration.strategy,
      window,
      urgent,
      renewAt: decision.renewAt,
      reason,
      dryRun,
    };
    if (dryRun) {
      result.started.push(entry);
      row(integration.vendor, decision.renewAt, `would start ${workflowId}${window ? ` for the window ${window.start} → ${window.end}` : ' (urgent: on approval)'}: ${decision.reason}`);
      return;
    }
    try {
      await startChild(rotateCertificate, {
        workflowId,
        args: [rotationRequest(org, cert, integration, window, now)],
        // The rotation outlives the sweep by weeks (approval, window, grace period).
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // A running rotation refuses the start; a closed one (rolled back) may be retried.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        staticSummary: `Renew ${cert.uniqueName} in ${org} (started by the renewal sweep ${info.workflowId})`,
      });
    } catch (error) {
      if (isAlreadyStarted(error)) return skip('already-running', `rotation already running (${workflowId})`, integration.vendor, decision.renewAt);
      return skip('start-failed', `could not start ${workflowId}: ${describeFailure(error)}`, integration.vendor, decision.renewAt);
    }
    result.started.push(entry);
    row(integration.vendor, decision.renewAt, `started ${workflowId}: ${reason}`);
  }

  function safeMatch(org: string, uniqueName: string): InventoryIntegration | null {
    try {
      return matchIntegration(config, org, uniqueName);
    } catch {
      return null;
    }
  }
}
