/**
 * renewalSweep: one pass over every org in the inventory that starts the rotations that
 * are due, so that no certificate reaches its expiry date because nobody started one.
 * A Temporal Schedule runs it daily (`certrot schedule create`); `certrot expiring` runs
 * it with `dryRun` to print the inventory.
 *
 * Per org: ONE inventory activity (certificates + the references naming them), then, in
 * workflow code and from that data only:
 *   - renewal: for each certificate an integration covers, `evaluateRenewal` (stored
 *     jitter, freeze periods); when due, a `rotateCertificate` child with the deterministic
 *     id `rotate/<org>/<certificate>`, abandoned when the sweep closes, carrying the
 *     integration's vendor/strategy/references/approvers and the next maintenance window;
 *   - drift audit: references naming a certificate that does not exist, is expired or
 *     unusable, or holding a label instead of a Unique Name -> one alert per sweep.
 *
 * Jitter: the fraction is a hash of (org, Unique Name, expiry), not a random draw. A
 * scheduled sweep is a fresh execution each day, so a drawn value would need a store the
 * sweep does not have; the hash is the same at every sweep, in every overlapping sweep and
 * after a reset, so it is drawn once per certificate in effect and never re-drawn. A renewed
 * certificate has another expiry, hence its own fraction.
 *
 * Overlap safety: the child id is a function of the certificate, the id reuse policy lets a
 * rolled-back rotation be retried by a later sweep, and a running rotation refuses the
 * start (WorkflowExecutionAlreadyStarted) — reported as "already running", never duplicated.
 *
 * History: a sweep over many orgs continues-as-new (at an org or certificate boundary)
 * when Temporal suggests it or the history passes `continueAsNewAfterEvents`, carrying the
 * orgs still to do, the inventory of the org in progress (so it is never taken twice) and
 * the result so far.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  log,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type {
  DriftAlertResult,
  DriftFinding,
  InventoryActivities,
  InventoryCertificate,
  InventoryReference,
  OrgInventory,
} from '../domain/renewal/inventory-contract';
import { KEY_SIZES, isKeySize, type KeySize } from '../domain/certificate';
import { matchIntegration, type InventoryConfig, type InventoryIntegration } from '../domain/inventory-config';
import { nextWindow } from '../domain/maintenance-window';
import { drawJitterFraction, evaluateRenewal } from '../domain/renewal-policy';
import { rotationWorkflowId, type RotationRequest, type RotationWindow } from '../domain/rotation';
import { rotateCertificate } from './rotate-certificate';

const inventory = proxyActivities<InventoryActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4 },
});

/** Default history length at which a sweep continues as new (Temporal warns at 10K events). */
export const SWEEP_CONTINUE_AS_NEW_EVENTS = 2_000;
/** A window must open at least this long after the sweep: time to share the key and get it approved. */
export const APPROVAL_LEAD_MS = 24 * 3_600_000;
/** Windows considered before giving up on finding one (ones in a freeze are passed over). */
const MAX_WINDOWS_TRIED = 60;
const DAY_MS = 86_400_000;

export type SkipKind =
  | 'not-due'
  | 'frozen'
  | 'already-running'
  | 'no-integration'
  | 'unusable'
  | 'missing'
  | 'superseded'
  | 'config-error'
  | 'start-failed';

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
  /** What the sweep decided, in words. */
  readonly decision: string;
}

export interface OrgSummary {
  readonly org: string;
  readonly certificates: number;
  readonly references: number;
  readonly error: string | null;
}

export interface RenewalSweepResult {
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
export interface SweepIteration {
  readonly number: number;
  readonly pendingOrgs: readonly string[];
  /** The org in progress: its inventory (never taken twice) and the next certificate to consider. */
  readonly current: { readonly inventory: OrgInventory; readonly next: number } | null;
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
  /** Set by the sweep itself when it continues as new. */
  readonly iteration?: SweepIteration;
}

// ---- pure helpers ----------------------------------------------------------------------------

/** FNV-1a, 32 bits: a stable, well-spread hash; fraction in [0, 1). */
function hashFraction(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

/** The certificate's jitter fraction: fixed by its identity, so never re-drawn (see the header). */
export function certificateJitterFraction(org: string, uniqueName: string, expiresAt: string): number {
  return drawJitterFraction(() => hashFraction(`${org.toLowerCase()}/${uniqueName.toLowerCase()}/${expiresAt}`));
}

function describeError(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return `${error.cause.type ?? 'ERROR'}: ${error.cause.message}`;
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

function isAlreadyStarted(error: unknown): boolean {
  return error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError';
}

function scopeWords(ref: Pick<InventoryReference, 'object' | 'field' | 'scope' | 'owner' | 'recordId'>): string {
  const who = ref.owner ? ` ${ref.owner}` : '';
  return ref.object === 'NamedCredential' ? `named credential ${ref.recordId}` : `${ref.object}.${ref.field} (${ref.scope}${who}, ${ref.recordId})`;
}

/** References that will fail: the drift audit, from the inventory alone. */
export function auditReferences(inv: OrgInventory, now: number): DriftFinding[] {
  const byName = new Map(inv.certificates.map((c) => [c.uniqueName.toLowerCase(), c]));
  const findings: DriftFinding[] = [];
  for (const ref of inv.references) {
    const { certificate: name, ...reference } = ref;
    const cert = byName.get(name.toLowerCase());
    const where = scopeWords(ref);
    const finding = (problem: DriftFinding['problem'], detail: string): void => {
      findings.push({ org: inv.org, problem, certificate: cert?.uniqueName ?? name, reference, detail });
    };
    if (!cert) finding('missing-certificate', `${where} names certificate "${ref.value}", which does not exist in this org (a refreshed sandbox?)`);
    else if (ref.matchedBy === 'label') finding('label-not-unique-name', `${where} holds the label "${ref.value}" of certificate ${cert.uniqueName}; it must hold the Unique Name ${cert.uniqueName}`);
    else if (!cert.usable) finding('unusable-certificate', `${where} names ${cert.uniqueName}, which is not usable (a CA-signed certificate waiting for its chain)`);
    else if (cert.expiresAt !== null && Date.parse(cert.expiresAt) <= now) finding('expired-certificate', `${where} names ${cert.uniqueName}, which expired at ${cert.expiresAt}`);
  }
  return findings;
}

function overlapsFreeze(window: { start: Date; end: Date }, integration: InventoryIntegration): boolean {
  return (integration.renewal?.freezePeriods ?? []).some((f) => window.start.getTime() < Date.parse(f.end) && Date.parse(f.start) < window.end.getTime());
}

/**
 * The first whole maintenance window opening at least APPROVAL_LEAD_MS from now, outside
 * any freeze, before the certificate expires; null when there is none before expiry.
 */
export function chooseWindow(integration: InventoryIntegration, expiresAt: number, now: number): RotationWindow | null {
  let after = new Date(now + APPROVAL_LEAD_MS);
  for (let i = 0; i < MAX_WINDOWS_TRIED; i += 1) {
    const window = nextWindow(integration.windowPolicy, after);
    if (window.start.getTime() >= expiresAt) return null;
    if (window.start.getTime() < after.getTime() || overlapsFreeze(window, integration)) {
      after = window.end;
      continue;
    }
    return { start: window.start.toISOString(), end: window.end.toISOString() };
  }
  return null;
}

/**
 * The key size of the renewed certificate: the certificate's own (2048, 3072 or 4096). An
 * imported key of a size Salesforce cannot create becomes the nearest size it can that is
 * no weaker (1024 -> 2048), else its largest (8192 -> 4096).
 */
export function renewalKeySize(keySize: number): KeySize {
  if (isKeySize(keySize)) return keySize;
  return KEY_SIZES.find((size) => size >= keySize) ?? KEY_SIZES[KEY_SIZES.length - 1]!;
}

/** The renewal's request: the integration's settings, the window, and the certificate's own kind and key size. */
export function rotationRequest(org: string, cert: InventoryCertificate, integration: InventoryIntegration, window: RotationWindow | null, now: number): RotationRequest {
  // Approving after the window closed is useless: the approval waits until the window's end.
  const approvalMinutes = window ? Math.max(60, Math.ceil((Date.parse(window.end) - now) / 60_000)) : null;
  return {
    org,
    certificate: cert.uniqueName,
    vendor: integration.vendor,
    strategy: integration.strategy,
    keySize: renewalKeySize(cert.keySize),
    caSigned: cert.caSigned,
    ...(integration.references ? { references: integration.references } : {}),
    approval: {
      ...(integration.approvers ? { approvers: integration.approvers } : {}),
      ...(approvalMinutes !== null ? { timeout: `${approvalMinutes} minutes` } : {}),
    },
    window: window ? { mode: 'fixed', start: window.start, end: window.end } : { mode: 'on-approval', duration: '2 hours' },
  };
}

// ---- the workflow ------------------------------------------------------------------------------

export async function renewalSweep(input: RenewalSweepInput = {}): Promise<RenewalSweepResult> {
  const info = workflowInfo();
  const dryRun = input.dryRun === true;
  const threshold = input.continueAsNewAfterEvents ?? SWEEP_CONTINUE_AS_NEW_EVENTS;
  const config: InventoryConfig = await inventory.loadInventory();

  const carried = input.iteration;
  const result: RenewalSweepResult = carried
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
  const continueLater = (next: SweepIteration['current']): Promise<never> => {
    log.info('renewal sweep continues as new', { run: result.runs, pendingOrgs: pending.length, historyLength: workflowInfo().historyLength });
    return continueAsNew<typeof renewalSweep>({
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
        const reason = describeError(error);
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
      result.alert = { sent: false, detail: `the alert could not be sent: ${describeError(error)}` };
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
      return skip('config-error', describeError(error));
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
      return skip('config-error', describeError(error), integration.vendor);
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
      return skip('config-error', describeError(error), integration.vendor, decision.renewAt);
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
      return skip('start-failed', `could not start ${workflowId}: ${describeError(error)}`, integration.vendor, decision.renewAt);
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
