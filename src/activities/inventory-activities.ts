/**
 * The renewal sweep's activities: read the inventory configuration, take one org's
 * inventory (certificates and the references naming them) in ONE activity call, and send
 * drift alerts. The sweep decides everything else in workflow code from that data.
 *
 * Salesforce API calls per `inventoryOrg` (the sandbox org counts them the same way; see
 * test/renewals/drift.test.ts):
 *
 *   2                                listCertificatesWithDeleted (Tooling query +
 *                                    listMetadata; the deleted certificates the Tooling
 *                                    query still returns come with it)
 *   + 1 + 2·S   when discovering     discoverReferenceTargets, given the names just listed
 *                                    (no list of its own): describeGlobal (1), describe + one
 *                                    query per custom setting / Custom Metadata Type /
 *                                    configured custom object (S of them; 1 for one without
 *                                    text fields)
 *   + O + C + F·⌈K/100⌉              findReferencesToAny, for every name at once: one describe
 *     + 1 + ⌈N/10⌉ + ≤2              per target object (O: filterable? hierarchy? readable?);
 *                                    one query per certificate field among the targets (C:
 *                                    every value wanted, see below) and per other target field
 *                                    (F) per 100 names searched (K: the live certificates'
 *                                    Unique Names and labels, the deleted ones', the
 *                                    integrations' missing names); named credentials of both
 *                                    models: list (1) and read (⌈N/10⌉); owner names (≤2)
 *   + ⌈U/10⌉                         readValidity: the content of every usable certificate
 *                                    (U of them), 10 per Metadata read
 *
 * (In real Salesforce a query answering more than 2,000 rows adds one call per further
 * 2,000: jsforce fetches the next pages. The sandbox answers in one page.)
 *
 * A reference to a certificate that does not exist is found whatever its name, for the
 * same calls: certificate fields — every named credential's certificate places, every
 * configured target, every discovered field whose API name or label says it holds a
 * certificate (src/salesforce/certificate-fields.ts; never one named for a password, key
 * or content) — give every value, and a value naming no certificate is a reference to that
 * name (`absent: 'unknown-name'`); deleted certificates still listed are searched by name
 * in every target (`absent: 'deleted'`). The sweep's drift audit reports both as
 * missing-certificate.
 *
 * Validity is read, never guessed: a certificate's lifetime depends on its key size AND on
 * the CA/Browser Forum maximum of the day it was created (398, 200, 100, then 47 days), so
 * notBefore and the exact notAfter come from each usable certificate's own content. Only
 * where that read finds nothing (a certificate gone since the listing) is notBefore null
 * (the renewal policy then uses its days-before-expiry rule) and the expiry the listing's
 * date (Tooling `ExpirationDate`), taken as that day 00:00Z: up to a day early, never late.
 *
 * Nothing is done once per certificate: the list, discovery, the reference search and the
 * content reads (10 certificates per call) are done once per org.
 */
import { Context, log } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { asActivity } from './failures';
import { recordCertificateExpiry } from './metrics';
import { RotationError } from '../domain/errors';
import { parseInventoryConfig, type InventoryConfig } from '../domain/inventory-config';
import { inventoryRoomProblems } from '../domain/renewal/room';
import { rotationWorkflowId, type ReferenceTarget } from '../domain/rotation';
import type { DriftAlertInput, DriftAlertResult, InventoryActivities, InventoryCertificate, InventoryOutline, InventoryReference, OrgInventory, RunningRotation } from '../domain/renewal/inventory-contract';
import { SEARCH_ATTRIBUTE_KEYS } from '../domain/search-attributes';
import { composeDriftAlert, createAlertChannel, type AlertChannel } from '../notifications';
import type { SalesforceOrg } from '../salesforce/org-port';
import type { WorkerConfig } from '../workers/config';
import type { ActivityDeps } from './rotation-activities';

/** Rotation descriptions asked of Temporal at once by `rotationsRunning`. */
const DESCRIBES_AT_ONCE = 20;

// ---- the worker's inventory and alert channel (src/notifications/drift-alert.ts) -----------

export interface InventoryDeps {
  /** null: no automatic renewals configured (the sweep then has nothing to do). */
  readonly inventory: InventoryConfig | null;
  readonly alerts: AlertChannel | null;
}

/**
 * The inventory part of the worker configuration, checked at start-up: the inventory
 * itself (again, for what zod alone cannot see: overlapping integrations) and that every
 * org and vendor it names is configured in this worker.
 */
export function inventoryDepsFromConfig(config: WorkerConfig): InventoryDeps {
  if (!config.inventory) return { inventory: null, alerts: null };
  const { alerts, ...raw } = config.inventory;
  const inventory = parseInventoryConfig(raw);
  const problems: string[] = [];
  for (const [alias, org] of Object.entries(inventory.orgs)) {
    if (!config.orgs[alias]) problems.push(`inventory.orgs.${alias}: no org "${alias}" in "orgs"`);
    org.integrations.forEach((integration, i) => {
      if (!config.vendors[integration.vendor]) problems.push(`inventory.orgs.${alias}.integrations[${i}].vendor: no vendor "${integration.vendor}" in "vendors"`);
    });
  }
  // A policy that leaves no room for a renewal of today's certificates is a mistake; one that
  // will not for the shorter lifetimes the CA/Browser Forum schedule brings is a warning.
  const room = inventoryRoomProblems(inventory, new Date());
  for (const finding of room) if (finding.severity === 'error') problems.push(`inventory.${finding.message}`);
  if (problems.length > 0) throw new RotationError('CONFIG_INVALID', `Worker configuration: ${problems.join('; ')}`);
  for (const finding of room) if (finding.severity === 'warning') Runtime.instance().logger.warn(`Worker configuration: inventory.${finding.message}`);
  return { inventory, alerts: createAlertChannel(alerts) };
}

// ---- the activities -------------------------------------------------------------------------

function targetKey(target: { object: string; field: string }): string {
  return `${target.object.toLowerCase()}.${target.field.toLowerCase()}`;
}

export function createInventoryActivities(deps: ActivityDeps & InventoryDeps): InventoryActivities {
  const inventory: InventoryConfig = deps.inventory ?? { orgs: {} };

  function salesforceOf(alias: string): SalesforceOrg {
    const found = deps.orgs.get(alias);
    if (!found) {
      throw new RotationError(
        'CONFIG_INVALID',
        `org "${alias}" is in the inventory but not configured in this worker (configured: ${[...deps.orgs.keys()].join(', ') || 'none'}).`,
      );
    }
    return found.org;
  }

  function loadInventory(): Promise<InventoryConfig> {
    // Plain data without secrets: the alert channel stays in the worker.
    return Promise.resolve(inventory);
  }

  function inventoryOutline(input: { at: string; maxWarnings: number }): Promise<InventoryOutline> {
    // The sweep's own clock (`at`), as when the sweep computed these itself.
    const warnings = inventoryRoomProblems(inventory, new Date(input.at)).map((p) => p.message);
    const kept = Math.max(0, input.maxWarnings);
    return Promise.resolve({ orgs: Object.keys(inventory.orgs).sort(), warnings: warnings.slice(0, kept), warningsLeftOut: Math.max(0, warnings.length - kept) });
  }

  function orgConfig(input: { org: string }): Promise<InventoryConfig> {
    const org = inventory.orgs[input.org];
    return Promise.resolve({ orgs: org ? { [input.org]: org } : {} });
  }

  async function inventoryOrg(input: { org: string }): Promise<OrgInventory> {
    const salesforce = salesforceOf(input.org);
    const integrations = inventory.orgs[input.org]?.integrations ?? [];
    // Deleted certificates come with the same listing, where Salesforce still shows them.
    const { certificates, deleted } = await salesforce.listCertificatesWithDeleted();
    const orgNames = [...certificates.map((c) => ({ uniqueName: c.uniqueName, label: c.label })), ...deleted];

    // One set of targets for the whole org: every integration's, plus discovered fields.
    const targets = new Map<string, ReferenceTarget>();
    for (const integration of integrations) for (const t of integration.references?.targets ?? []) targets.set(targetKey(t), { ...t });
    const configured = [...targets.values()];
    const discover = integrations.some((i) => i.references?.discover ?? (i.references?.targets?.length ?? 0) === 0);
    if (discover) {
      const configuredObjects = [...new Set(configured.filter((t) => t.kind === 'custom-object').map((t) => t.object))];
      for (const found of await salesforce.discoverReferenceTargets(configuredObjects, orgNames)) {
        if (!targets.has(targetKey(found))) targets.set(targetKey(found), { object: found.object, field: found.field, kind: found.kind });
      }
    }

    // Every certificate of the org (live and deleted), plus names the integrations give that the org lacks.
    const listed = new Set(certificates.map((c) => c.uniqueName.toLowerCase()));
    const gone = new Set(deleted.map((c) => c.uniqueName.toLowerCase()));
    const missing = [
      ...new Set(
        integrations
          .map((i) => i.certificate)
          .filter((name): name is string => name !== undefined && !listed.has(name.toLowerCase())),
      ),
    ];
    // One search for every name at once: the cost does not grow with their number. Certificate
    // fields (named credentials', fields named for a certificate, the configured targets) give
    // every value, so a reference to a certificate the org never had is found by its own name.
    const wanted = [...orgNames, ...missing.filter((name) => !gone.has(name.toLowerCase())).map((uniqueName) => ({ uniqueName, label: null }))];
    const absentOf = (name: string) => (listed.has(name.toLowerCase()) ? null : gone.has(name.toLowerCase()) ? ('deleted' as const) : ('unknown-name' as const));
    const found = await salesforce.findReferencesToAny(wanted, [...targets.values()], { dangling: { declaredFields: configured } });
    const references: InventoryReference[] = found.map((r) => {
      const absent = absentOf(r.certificate);
      return {
        certificate: r.certificate,
        object: r.object,
        field: r.field,
        recordId: r.recordId,
        scope: r.scope,
        owner: r.owner,
        value: r.value,
        matchedBy: r.matchedBy,
        ...(absent ? { absent } : {}),
      };
    });

    // Each usable certificate's own notBefore/notAfter (a CSR has none yet), 10 per read.
    const validity = new Map((await salesforce.readValidity(certificates.filter((c) => c.usable).map((c) => c.uniqueName))).map((v) => [v.uniqueName.toLowerCase(), v]));
    const result: InventoryCertificate[] = [];
    const observedAt = deps.clock?.() ?? new Date();
    for (const c of certificates) {
      const read = validity.get(c.uniqueName.toLowerCase());
      const expiresAt = read?.notAfter ?? c.expiresAt;
      recordCertificateExpiry(deps.metrics, input.org, c.uniqueName, expiresAt, observedAt);
      result.push({
        uniqueName: c.uniqueName,
        label: c.label,
        keySize: c.keySize,
        caSigned: c.caSigned,
        usable: c.usable,
        expiresAt,
        notBefore: read?.notBefore ?? null,
        notBeforeSource: read ? 'certificate' : null,
      });
    }
    const dangling = references.filter((r) => r.absent !== undefined).length;
    log.info('took the inventory', { org: input.org, certificates: result.length, references: references.length, dangling, targets: targets.size, missing: missing.length });
    return { org: input.org, takenAt: new Date().toISOString(), certificates: result, references, missing, targets: [...targets.values()] };
  }

  async function sendDriftAlert(input: DriftAlertInput): Promise<DriftAlertResult> {
    if (input.findings.length === 0) return { sent: false, detail: 'nothing to report' };
    if (!deps.alerts) {
      log.warn('certificate reference drift found, but no alert channel is configured (inventory.alerts)', { findings: input.findings.length });
      return { sent: false, detail: 'no alert channel configured (add inventory.alerts to the worker configuration)' };
    }
    await deps.alerts.send(composeDriftAlert(input));
    return { sent: true, detail: deps.alerts.describe() };
  }

  /** Describes each canonical rotation id (no visibility query: no lag, and every server answers it). */
  async function rotationsRunning(input: { org: string; certificates: readonly string[] }): Promise<RunningRotation[]> {
    const client = Context.current().client;
    const running: RunningRotation[] = [];
    const names = [...new Set(input.certificates)];
    for (let i = 0; i < names.length; i += DESCRIBES_AT_ONCE) {
      await Promise.all(
        names.slice(i, i + DESCRIBES_AT_ONCE).map(async (name) => {
          try {
            const described = await client.workflow.getHandle(rotationWorkflowId(input.org, name)).describe();
            if (described.status.name === 'RUNNING') running.push({ certificate: name, phase: described.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.RotationPhase) ?? null });
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          }
        }),
      );
      Context.current().heartbeat({ described: Math.min(names.length, i + DESCRIBES_AT_ONCE) });
    }
    return running.sort((a, b) => a.certificate.localeCompare(b.certificate));
  }

  return {
    loadInventory: asActivity(loadInventory),
    inventoryOutline: asActivity(inventoryOutline),
    orgConfig: asActivity(orgConfig),
    inventoryOrg: asActivity(inventoryOrg),
    sendDriftAlert: asActivity(sendDriftAlert),
    rotationsRunning: asActivity(rotationsRunning),
  };
}
