/**
 * Delivers a notification as a JSON POST: Slack-compatible `text` (subject and text), the
 * `noticeId`, and the notification's structured webhook fields. A webhook URL usually *is*
 * the secret (Slack's path holds the token), so it is described by origin only, and extra
 * headers (e.g. a token) are never echoed. A personal notification has one recipient here,
 * `webhook <host>` (the host of the URL, never its path).
 */
import { z } from 'zod';
import { RotationError } from '../domain/errors';
import { isAllowedEndpoint, sendHttpRequest } from '../vendors/http-transport';
import { describeEndpoint, safeErrorMessage } from '../vendors/redact';
import type { Notification, NotificationChannel } from './notification';

export const webhookChannelConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/ }).refine(isAllowedEndpoint, 'must be an https: URL (plain http: only for 127.0.0.1/localhost)'),
  /** e.g. { authorization: 'Bearer ...' }; treated as secrets. */
  headers: z.record(z.string(), z.string()).default({}),
  caPem: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().default(15_000),
});
export type WebhookChannelConfig = z.input<typeof webhookChannelConfigSchema>;

/** The JSON body: the channel's own `text` and `noticeId`, then what the composer adds. */
export function webhookBodyOf(notification: Notification): Record<string, unknown> {
  return { text: notification.webhookText ?? `${notification.subject}\n\n${notification.text}`, noticeId: notification.noticeId, ...notification.webhookFields };
}

export class WebhookChannel implements NotificationChannel {
  private readonly config: z.output<typeof webhookChannelConfigSchema>;

  constructor(config: WebhookChannelConfig) {
    this.config = webhookChannelConfigSchema.parse(config);
  }

  describe(): string {
    return `webhook ${describeEndpoint(this.config.url)}`;
  }

  /** The one recipient of a personal notification: `webhook <host>`. */
  recipients(): readonly string[] {
    return [`webhook ${new URL(this.config.url).host}`];
  }

  async deliver(notification: Notification): Promise<void> {
    const secrets = [this.config.url, ...Object.values(this.config.headers), ...(notification.secrets ?? [])];
    let status: number;
    try {
      const response = await sendHttpRequest({
        method: 'POST',
        url: new URL(this.config.url),
        headers: {
          ...this.config.headers,
          'content-type': 'application/json',
          // Receivers that de-duplicate can use it; the same notification always has the same id.
          'idempotency-key': notification.noticeId,
        },
        body: JSON.stringify(webhookBodyOf(notification)),
        timeoutMs: this.config.timeoutMs,
        tls: { caPem: this.config.caPem },
      });
      status = response.status;
    } catch (error) {
      throw new RotationError('NOTIFICATION_FAILED', `Could not reach the ${this.describe()}: ${safeErrorMessage(error, secrets)}. The notice will be sent again on retry.`, {
        retryable: true,
        details: { channel: 'webhook', endpoint: describeEndpoint(this.config.url) },
      });
    }
    if (status < 200 || status >= 300) {
      throw new RotationError(
        'NOTIFICATION_FAILED',
        `The ${this.describe()} answered HTTP ${status}. ${status === 401 || status === 403 || status === 404 ? 'Check the webhook URL and its token in the configuration.' : 'The notice will be sent again on retry.'}`,
        { retryable: status >= 500 || status === 429, details: { channel: 'webhook', endpoint: describeEndpoint(this.config.url), status } },
      );
    }
  }

  /** Nothing to release: every request has its own connection. */
  close(): void {}
}
