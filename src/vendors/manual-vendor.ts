/**
 * The `manual` vendor adapter: a vendor with no key-registry API, only a provisioning team
 * reached by email and/or a webhook (chat channel, ticketing system).
 *
 * certrot can only tell these people things, so this adapter only delivers notices: the
 * certificate to install, the switch, the retirement, a rollback, a cancellation, a missed
 * window. What the team did arrives later as their own confirmation, an update to the
 * workflow, and is reported as theirs.
 *
 * With the approval service configured (`approvalLinks`, built from the worker's `approvals`
 * section), a notice that asks for a decision (stage, window-missed) goes to each recipient
 * in a copy of their own carrying their own signed link: one email per address, one post to
 * the webhook (`webhook <host>`). The link is deterministic per notice and recipient (see
 * ./approval-links.ts), so a re-send carries the same link; it is minted here, at delivery,
 * and never appears in what `notify` resolves to, nor in its errors. There is
 * deliberately no key list and no signature check here: nothing on this side can observe
 * what the vendor trusts, so nothing here pretends to.
 *
 * Delivery is idempotent per channel (and recipient): a channel that delivered a notice is not asked again
 * when the activity is retried, so a retry only repeats what failed. The notice id includes
 * the rotation run, so a later run's identical notice (restore the same old key, say) is
 * delivered anew. The memory of deliveries lives in this process; a worker that restarted
 * may send a notice again, with the same Message-ID / Idempotency-Key so the receiving side
 * can recognise it.
 *
 * Secrets (SMTP password, webhook URL and headers) stay inside the channels, which are the
 * shared ones of src/notifications (the renewal sweep's drift alerts use them too).
 */
import { z } from 'zod';
import { normalizeFingerprint, spkiFingerprint } from '../certificates';
import { RotationError } from '../domain/errors';
import { EmailChannel, emailChannelConfigSchema, NotificationFanOut, undeliveredError, WebhookChannel, webhookChannelConfigSchema, type NotificationChannel } from '../notifications';
import type { ApprovalLinkMinter } from './approval-links';
import { asksForDecision, composeVendorNotice, toNotification, toPersonalNotification, type VendorNotice } from './notification-message';
import type { ProvisioningTeam, TeamNotice } from './vendor-port';

export const manualVendorConfigSchema = z
  .object({
    /** Shown in notices and messages; `createVendor` defaults it to the vendor's id. */
    vendorName: z.string().min(1).optional(),
    /** Can the vendor's integration trust two keys at once? (decides the strategy) */
    multipleActiveKeys: z.boolean().default(false),
    email: emailChannelConfigSchema.optional(),
    webhook: webhookChannelConfigSchema.optional(),
  })
  .refine((c) => c.email !== undefined || c.webhook !== undefined, {
    message: 'configure email or webhook (or both): a manual vendor must be told somehow',
    path: ['email'],
  });
export type ManualVendorConfig = z.input<typeof manualVendorConfigSchema>;

export interface ManualVendorDeps {
  /** Mints each recipient's signed approval link; none = notices carry no link (approval on the team's word). */
  readonly approvalLinks?: ApprovalLinkMinter;
}

export class ManualVendor implements ProvisioningTeam {
  readonly kind = 'team';
  readonly name: string;
  readonly multipleActiveKeys: boolean;
  private readonly approvalLinks: ApprovalLinkMinter | undefined;
  /** Remembers what each channel delivered: a retried activity does not re-send it. */
  private readonly channels: NotificationFanOut;

  constructor(config: ManualVendorConfig, deps: ManualVendorDeps = {}) {
    const parsed = manualVendorConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? issue.path.join('.') || '(root)' : '(root)';
      throw new RotationError('CONFIG_INVALID', `Manual vendor configuration: "${where}" ${issue?.message ?? 'is invalid'}.`, {
        details: { field: where },
      });
    }
    this.approvalLinks = deps.approvalLinks;
    this.name = parsed.data.vendorName ?? 'vendor';
    this.multipleActiveKeys = parsed.data.multipleActiveKeys;
    const channels: NotificationChannel[] = [];
    if (parsed.data.email) channels.push(new EmailChannel(parsed.data.email));
    if (parsed.data.webhook) channels.push(new WebhookChannel(parsed.data.webhook));
    this.channels = new NotificationFanOut(channels);
  }

  /**
   * Sends on every channel; a channel that fails does not stop the others, and a channel
   * that already delivered this notice is skipped. Resolves to the channels that have it.
   */
  async notify(notice: TeamNotice): Promise<string[]> {
    const fingerprint = checkedFingerprint(notice);
    const base: VendorNotice = { ...notice, fingerprint, vendorName: this.name };
    const composed = composeVendorNotice(base);
    const mint = this.approvalLinks;
    const approval = notice.approval;
    const notification =
      mint && approval && asksForDecision(notice.kind)
        ? toPersonalNotification(composed, (sentTo) =>
            composeVendorNotice({
              ...base,
              approvalLink: { sentTo, url: mint({ noticeId: composed.noticeId, workflowId: approval.workflowId, expiresAt: approval.expiresAt, fingerprint, sentTo }) },
            }),
          )
        : toNotification(composed);
    const outcome = await this.channels.deliver(notification);
    const error = undeliveredError(`The ${notice.kind} notice to ${this.name} for org "${notice.orgId}" (key ${fingerprint})`, outcome, {
      vendor: this.name,
      orgId: notice.orgId,
      fingerprint,
      kind: notice.kind,
    });
    if (error) throw error;
    return [...outcome.sent];
  }

  /** Releases the SMTP connection; call when the worker shuts down. */
  close(): void {
    this.channels.close();
  }
}

/**
 * The notice's key in canonical form; a certificate sent with it (`stage`) must be that key,
 * or the team would be asked to approve one fingerprint while installing another.
 */
function checkedFingerprint(notice: TeamNotice): string {
  const fingerprint = normalizeFingerprint(notice.fingerprint);
  if (notice.kind === 'stage' && notice.certificatePem === undefined) {
    throw new RotationError('INVALID_INPUT', `A stage notice for org "${notice.orgId}" needs the certificate: the team cannot install key ${fingerprint} without it.`, {
      details: { orgId: notice.orgId, fingerprint },
    });
  }
  if (notice.certificatePem !== undefined && spkiFingerprint(notice.certificatePem) !== fingerprint) {
    throw new RotationError('INVALID_INPUT', `The certificate sent with the ${notice.kind} notice for org "${notice.orgId}" has the key ${spkiFingerprint(notice.certificatePem)}, not ${fingerprint}; send the certificate of the key the notice is about.`, {
      details: { orgId: notice.orgId, fingerprint },
    });
  }
  return fingerprint;
}
