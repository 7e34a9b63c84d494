/**
 * The renewal sweep's activities: read the inventory configuration, take one org's
 * inventory (certificates and the references naming them) in ONE activity call, and send
 * drift alerts. The sweep decides everything else in workflow code from that data.
 *
 * Salesforce API calls per `inventoryOrg` (the sandbox org counts them the same way; see
 * test/renewals/drift.test.ts):
 *
 *   2                                listCertificates (Tooling query + listMetadata)
 *   + 3 + 2·S   when discovering     discoverReferenceTargets: its own certificate list (2),
 *                                    describeGlobal (1), describe + one query per custom
 *                                    setting / Custom Metadata Type / configured custom
 *                                    object (S of them; 1 for one without text fields)
 *   + O + T + 1 + ⌈N/10⌉ + ≤2        findReferencesToAny, for every certificate at once: one
 *                                    describe per target object (O: filterable? hierarchy?
 *                                    readable?) and one query per target field (T; per 100
 *                                    names), named credentials of both models: list (1) and
 *                                    read (⌈N/10⌉), owner names (≤2)
 *   + ⌈U/10⌉                         readValidity: the content of every usable certificate
 *                                    (U of them), 10 per Metadata read
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
import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import { asActivity } from './failures';
import { recordCertificateExpiry } from './metrics';
import { RotationError } from '../domain/errors';
import { parseInventoryConfig, type InventoryConfig } from '../domain/inventory-config';
import type { ReferenceTarget } from '../domain/rotation';
import type { DriftAlertInput, DriftAlertResult, DriftFinding, InventoryActivities, InventoryCertificate, InventoryReference, OrgInventory } from '../domain/renewal/inventory-contract';
import type { SalesforceOrg } from '../salesforce/org-port';
import { EmailChannel, type EmailChannelConfig } from '../vendors/email-channel';
import { isAllowedEndpoint, sendHttpRequest } from '../vendors/http-transport';
import type { ComposedNotice, WebhookPayload } from '../vendors/notification-message';
import { describeEndpoint, safeErrorMessage } from '../vendors/redact';
import type { WebhookChannelConfig } from '../vendors/webhook-channel';
import type { WorkerConfig } from '../workers/config';
import type { ActivityDeps } from './rotation-activities';

// ---- the alert channel ----------------------------------------------------------------------

export interface DriftAlert {
  readonly noticeId: string;
  readonly subject: string;
  readonly text: string;
  readonly findings: readonly DriftFinding[];
}

export interface AlertChannel {
  describe(): string;
  send(alert: DriftAlert): Promise<void>;
}

export interface AlertsConfig {
  readonly webhook?: WebhookChannelConfig;
  readonly email?: EmailChannelConfig;
}

/** A Slack-compatible POST (`text`) with the findings as structured data for automation. */
class WebhookAlertChannel implements AlertChannel {
  constructor(private readonly config: WebhookChannelConfig) {
    if (!isAllowedEndpoint(config.url)) throw new RotationError('CONFIG_INVALID', 'inventory.alerts.webhook.url: must be an https: URL (plain http: only for 127.0.0.1/localhost)');
  }

  describe(): string {
    return `webhook ${describeEndpoint(this.config.url)}`;
  }

  async send(alert: DriftAlert): Promise<void> {
    const headers = this.config.headers ?? {};
    const secrets = [this.config.url, ...Object.values(headers)];
    let status: number;
    try {
      const response = await sendHttpRequest({
        method: 'POST',
        url: new URL(this.config.url),
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': alert.noticeId },
        body: JSON.stringify({ text: `${alert.subject}\n\n${alert.text}`, event: 'certrot.inventory.drift', noticeId: alert.noticeId, findings: alert.findings }),
        timeoutMs: this.config.timeoutMs ?? 15_000,
        tls: { caPem: this.config.caPem },
      });
      status = response.status;
    } catch (error) {
      throw new RotationError('NOTIFICATION_FAILED', `Could not reach the ${this.describe()}: ${safeErrorMessage(error, secrets)}.`, { retryable: true });
    }
    if (status < 200 || status >= 300) {
      throw new RotationError('NOTIFICATION_FAILED', `The ${this.describe()} answered HTTP ${status}.`, { retryable: status >= 500 || status === 429 });
    }
  }
}

/** Email through the manual vendor's SMTP channel (same settings, same scrubbing). */
class EmailAlertChannel implements AlertChannel {
  private readonly channel: EmailChannel;

  constructor(config: EmailChannelConfig) {
    this.channel = new EmailChannel(config);
  }

  describe(): string {
    return this.channel.describe();
  }

  async send(alert: DriftAlert): Promise<void> {
    // The email channel reads only subject, text, attachments, noticeId and a fingerprint
    // header from a vendor notice; a drift alert has no key, so that header stays empty.
    const notice: ComposedNotice = {
      noticeId: alert.noticeId,
      subject: alert.subject,
      text: alert.text,
      attachments: [],
      webhook: { fingerprint: '' } as WebhookPayload,
    };
    try {
      await this.channel.deliver(notice);
    } finally {
      this.channel.close();
    }
  }
}

export function createAlertChannel(config: AlertsConfig | undefined): AlertChannel | null {
  const channels: AlertChannel[] = [];
  if (config?.webhook) channels.push(new WebhookAlertChannel(config.webhook));
  if (config?.email) channels.push(new EmailAlertChannel(config.email));
  if (channels.length === 0) return null;
  return {
    describe: () => channels.map((c) => c.describe()).join(' and '),
    send: async (alert) => {
      for (const channel of channels) await channel.send(alert);
    },
  };
}

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
  if (problems.length > 0) throw new RotationError('CONFIG_INVALID', `Worker configuration: ${problems.join('; ')}`);
  return { inventory, alerts: createAlertChannel(alerts) };
}

// ---- the activities -------------------------------------------------------------------------

function targetKey(target: { object: string; field: string }): string {
  return `${target.object.toLowerCase()}.${target.field.toLowerCase()}`;
}

/** Alert subject and text: one line per finding, what holds what and what is wrong. */
export function composeDriftAlert(input: DriftAlertInput): DriftAlert {
  const orgs = [...new Set(input.findings.map((f) => f.org))];
  const subject = `[certrot] ${input.findings.length} certificate reference problem(s) in org ${orgs.join(', ')}`;
  const lines = input.findings.map((f) => `- ${f.org}: ${f.detail}`);
  const text = [
    `The renewal sweep ${input.workflowId} at ${input.sweptAt} found settings that name a certificate Salesforce cannot use.`,
    'Each is an outage waiting for the next call that uses it:',
    '',
    ...lines,
    '',
    'Put the Unique Name of an existing, usable, unexpired certificate in each (Setup > Certificate and Key Management shows it).',
  ].join('\n');
  // Same findings from the same sweep (an activity retry) -> the same id, for receivers that de-duplicate.
  const noticeId = createHash('sha256').update(JSON.stringify([input.workflowId, input.findings])).digest('hex').slice(0, 32);
  return { noticeId, subject, text, findings: input.findings };
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

  async function inventoryOrg(input: { org: string }): Promise<OrgInventory> {
    const salesforce = salesforceOf(input.org);
    const integrations = inventory.orgs[input.org]?.integrations ?? [];
    const certificates = await salesforce.listCertificates();

    // One set of targets for the whole org: every integration's, plus discovered fields.
    const targets = new Map<string, ReferenceTarget>();
    for (const integration of integrations) for (const t of integration.references?.targets ?? []) targets.set(targetKey(t), { ...t });
    const discover = integrations.some((i) => i.references?.discover ?? (i.references?.targets?.length ?? 0) === 0);
    if (discover) {
      const configuredObjects = [...new Set([...targets.values()].filter((t) => t.kind === 'custom-object').map((t) => t.object))];
      for (const found of await salesforce.discoverReferenceTargets(configuredObjects)) {
        if (!targets.has(targetKey(found))) targets.set(targetKey(found), { object: found.object, field: found.field, kind: found.kind });
      }
    }

    // Every certificate of the org, plus names the integrations give that the org lacks.
    const listed = new Set(certificates.map((c) => c.uniqueName.toLowerCase()));
    const missing = [
      ...new Set(
        integrations
          .map((i) => i.certificate)
          .filter((name): name is string => name !== undefined && !listed.has(name.toLowerCase())),
      ),
    ];
    // One search for every certificate at once: the cost does not grow with their number.
    const wanted = [...certificates.map((c) => ({ uniqueName: c.uniqueName, label: c.label })), ...missing.map((uniqueName) => ({ uniqueName, label: null }))];
    const references: InventoryReference[] = (await salesforce.findReferencesToAny(wanted, [...targets.values()])).map((r) => ({
      certificate: r.certificate,
      object: r.object,
      field: r.field,
      recordId: r.recordId,
      scope: r.scope,
      owner: r.owner,
      value: r.value,
      matchedBy: r.matchedBy,
    }));

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
    log.info('took the inventory', { org: input.org, certificates: result.length, references: references.length, targets: targets.size, missing: missing.length });
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

  return {
    loadInventory: asActivity(loadInventory),
    inventoryOrg: asActivity(inventoryOrg),
    sendDriftAlert: asActivity(sendDriftAlert),
  };
}
