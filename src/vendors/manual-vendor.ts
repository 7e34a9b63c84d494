/**
 * The `manual` vendor adapter: a vendor with no key-registry API, only a provisioning team
 * reached by email and/or a webhook (chat channel, ticketing system).
 *
 * What it can and cannot do, honestly:
 * - `stageKey` sends the team the certificate, its fingerprint, the window and the exact
 *   approve/reject commands. The team's approval arrives later as a workflow signal.
 * - `activateKey` / `retireKey` / `restoreKey` only *ask* the team; nothing is trusted or
 *   retired until the team confirms and the workflow feeds that confirmation back through
 *   `recordConfirmation`.
 * - `listKeys` and `verifySignature` therefore answer from what was confirmed, not from the
 *   vendor's systems. `verifySignature` checks against the certificates confirmed active,
 *   which proves the org's key matches what the team said they installed; the real proof
 *   that the vendor trusts it is the org-side probe (a signed call to the vendor's
 *   endpoint, or the two-way-TLS probe) run in `verifying`.
 * - Confirmations live in this adapter's memory. The workflow is the durable record: a
 *   worker that restarts must be fed the confirmations again (recordConfirmation is cheap
 *   and idempotent).
 *
 * Secrets (SMTP password, webhook URL and headers) stay inside the channels.
 */
import { z } from 'zod';
import { normalizeFingerprint, spkiFingerprint, verifyRsaSha256 } from '../certificates';
import { RotationError } from '../domain/errors';
import { EmailChannel, emailChannelConfigSchema } from './email-channel';
import { composeVendorNotice, type VendorNotice } from './notification-message';
import type {
  ActivateKeyOptions,
  CancellationNotice,
  SignatureVerification,
  StageKeyOptions,
  VendorCallContext,
  VendorCapabilities,
  VendorKey,
  VendorKeyRegistry,
  VendorKeyState,
} from './vendor-port';
import { WebhookChannel, webhookChannelConfigSchema } from './webhook-channel';

export const manualVendorConfigSchema = z
  .object({
    vendorName: z.string().min(1).default('vendor'),
    /** Can the vendor's integration trust two keys at once? (decides the strategy) */
    multipleActiveKeys: z.boolean().default(false),
    email: emailChannelConfigSchema.optional(),
    webhook: webhookChannelConfigSchema.optional(),
    /** How the team runs the CLI in the commands we send, e.g. "npx certrot". */
    cliCommand: z.string().min(1).default('certrot'),
    temporalNamespace: z.string().min(1).optional(),
  })
  .refine((c) => c.email !== undefined || c.webhook !== undefined, {
    message: 'configure email or webhook (or both): a manual vendor must be told somehow',
    path: ['email'],
  });
export type ManualVendorConfig = z.input<typeof manualVendorConfigSchema>;

interface NoticeChannel {
  describe(): string;
  deliver(notice: ReturnType<typeof composeVendorNotice>): Promise<void>;
}

export class ManualVendor implements VendorKeyRegistry {
  private readonly config: z.output<typeof manualVendorConfigSchema>;
  private readonly channels: Array<{ name: 'email' | 'webhook'; channel: NoticeChannel }> = [];
  private readonly email: EmailChannel | undefined;
  private readonly keys = new Map<string, Map<string, VendorKey>>();
  /** Notice ids already delivered per channel: a retried activity does not re-send. */
  private readonly delivered = new Set<string>();
  private readonly clock: () => Date;

  constructor(config: ManualVendorConfig, deps: { clock?: () => Date } = {}) {
    const parsed = manualVendorConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? issue.path.join('.') || '(root)' : '(root)';
      throw new RotationError('CONFIG_INVALID', `Manual vendor configuration: "${where}" ${issue?.message ?? 'is invalid'}.`, {
        details: { field: where },
      });
    }
    this.config = parsed.data;
    this.clock = deps.clock ?? (() => new Date());
    if (parsed.data.email) {
      this.email = new EmailChannel(parsed.data.email);
      this.channels.push({ name: 'email', channel: this.email });
    }
    if (parsed.data.webhook) this.channels.push({ name: 'webhook', channel: new WebhookChannel(parsed.data.webhook) });
  }

  capabilities(_orgId?: string): Promise<VendorCapabilities> {
    return Promise.resolve({ multipleActiveKeys: this.config.multipleActiveKeys, automated: false });
  }

  listKeys(orgId: string): Promise<VendorKey[]> {
    return Promise.resolve([...(this.keys.get(orgId)?.values() ?? [])].map((k) => ({ ...k })));
  }

  async stageKey(orgId: string, certificatePem: string, options: StageKeyOptions = {}): Promise<string> {
    const fingerprint = spkiFingerprint(certificatePem);
    await this.notify({ kind: 'stage', orgId, fingerprint, certificatePem, workflowId: options.workflowId, window: options.proposedWindow });
    const org = this.org(orgId);
    if (!org.has(fingerprint)) {
      org.set(fingerprint, { fingerprint, state: 'staged', certificatePem, stagedAt: this.clock().toISOString() });
    }
    return fingerprint;
  }

  async activateKey(orgId: string, fingerprint: string, options: ActivateKeyOptions = {}): Promise<void> {
    await this.notify({ kind: 'activate', orgId, fingerprint: normalizeFingerprint(fingerprint), workflowId: options.workflowId, window: options.window, replace: options.replace });
  }

  async retireKey(orgId: string, fingerprint: string, options: VendorCallContext = {}): Promise<void> {
    await this.notify({ kind: 'retire', orgId, fingerprint: normalizeFingerprint(fingerprint), workflowId: options.workflowId });
  }

  async restoreKey(orgId: string, fingerprint: string, options: ActivateKeyOptions = {}): Promise<void> {
    await this.notify({ kind: 'restore', orgId, fingerprint: normalizeFingerprint(fingerprint), workflowId: options.workflowId, window: options.window, replace: options.replace });
  }

  /** Rollback: tell the team not to activate (and to remove) the staged key. */
  async sendCancellation(orgId: string, notice: CancellationNotice): Promise<void> {
    await this.notify({ kind: 'cancel', orgId, fingerprint: normalizeFingerprint(notice.fingerprint), workflowId: notice.workflowId, reason: notice.reason });
  }

  /**
   * What the provisioning team confirmed (fed by the workflow). `certificatePem` is needed
   * for keys this adapter has not staged itself (e.g. the key trusted before the first
   * rotation, or after a worker restart); without it such a key is listed but cannot
   * verify signatures. On a single-key vendor, a key confirmed active retires the others.
   */
  recordConfirmation(orgId: string, fingerprint: string, state: VendorKeyState, certificatePem?: string): void {
    const canonical = normalizeFingerprint(fingerprint);
    if (certificatePem !== undefined && spkiFingerprint(certificatePem) !== canonical) {
      throw new RotationError('INVALID_INPUT', `The certificate given with the confirmation for ${canonical} has a different public key (${spkiFingerprint(certificatePem)}); pass the certificate of the key the team confirmed.`, {
        details: { orgId, fingerprint: canonical },
      });
    }
    const org = this.org(orgId);
    const now = this.clock().toISOString();
    const existing = org.get(canonical);
    const key: VendorKey = existing ?? { fingerprint: canonical, state, stagedAt: now };
    if (certificatePem !== undefined) key.certificatePem = certificatePem;
    if (state === 'active' && key.state !== 'active') {
      key.activatedAt = now;
      delete key.retiredAt;
    } else if (state === 'active' && key.activatedAt === undefined) {
      key.activatedAt = now;
    }
    if (state === 'retired' && key.state !== 'retired') key.retiredAt = now;
    key.state = state;
    org.set(canonical, key);
    if (state === 'active' && !this.config.multipleActiveKeys) {
      for (const other of org.values()) {
        if (other !== key && other.state === 'active') {
          other.state = 'retired';
          other.retiredAt = now;
        }
      }
    }
  }

  verifySignature(orgId: string, nonce: string, signatureBase64: string): Promise<SignatureVerification> {
    for (const key of this.keys.get(orgId)?.values() ?? []) {
      if (key.state !== 'active' || key.certificatePem === undefined) continue;
      if (verifyRsaSha256(key.certificatePem, nonce, signatureBase64)) {
        return Promise.resolve({ valid: true, matchedFingerprint: key.fingerprint });
      }
    }
    return Promise.resolve({ valid: false, matchedFingerprint: null });
  }

  /** Releases the SMTP connection; call when the worker shuts down. */
  close(): void {
    this.email?.close();
  }

  /**
   * Sends on every channel; a channel that fails does not stop the others, and a channel
   * that already delivered this notice is skipped, so a retry only repeats what failed.
   */
  private async notify(notice: Omit<VendorNotice, 'vendorName' | 'cliCommand' | 'temporalNamespace'>): Promise<void> {
    const composed = composeVendorNotice({
      ...notice,
      vendorName: this.config.vendorName,
      cliCommand: this.config.cliCommand,
      temporalNamespace: this.config.temporalNamespace,
    });
    const failures: RotationError[] = [];
    for (const { name, channel } of this.channels) {
      const deliveryId = `${name}:${composed.noticeId}`;
      if (this.delivered.has(deliveryId)) continue;
      try {
        await channel.deliver(composed);
        this.delivered.add(deliveryId);
      } catch (error) {
        failures.push(
          error instanceof RotationError
            ? error
            : new RotationError('NOTIFICATION_FAILED', `Could not send the notice by ${channel.describe()}.`, { retryable: true }),
        );
      }
    }
    if (failures.length > 0) {
      const sent = this.channels.filter(({ name }) => this.delivered.has(`${name}:${composed.noticeId}`)).map(({ name }) => name);
      throw new RotationError(
        'NOTIFICATION_FAILED',
        `The ${notice.kind} notice for org "${notice.orgId}" (key ${notice.fingerprint}) was not delivered: ${failures.map((f) => f.message).join(' ')}${sent.length > 0 ? ` (already delivered by ${sent.join(' and ')}; that is not repeated on retry)` : ''}`,
        {
          retryable: failures.every((f) => f.retryable),
          details: { orgId: notice.orgId, fingerprint: notice.fingerprint, kind: notice.kind, delivered: sent.join(',') },
        },
      );
    }
  }

  private org(orgId: string): Map<string, VendorKey> {
    let org = this.keys.get(orgId);
    if (!org) {
      org = new Map();
      this.keys.set(orgId, org);
    }
    return org;
  }
}
