/**
 * The renewal sweep's drift alert: references to certificates Salesforce cannot use, told to
 * the operators on the worker's `inventory.alerts` channels (a webhook and/or email, set up
 * exactly like a manual vendor's). The sweep calls the `sendDriftAlert` activity
 * (src/activities/inventory-activities.ts), which composes the alert here and sends it on
 * the channel the worker built at start-up with `createAlertChannel`.
 *
 * An alert is about an org, not a key: it carries no fingerprint. The webhook gets the
 * findings as structured data (`event: 'certrot.inventory.drift'`, `findings`).
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { RotationError } from '../domain/errors';
import type { DriftAlertInput } from '../domain/renewal/inventory-contract';
import { EmailChannel, emailChannelConfigSchema, type EmailChannelConfig } from './email-channel';
import { NotificationFanOut, undeliveredError } from './fan-out';
import type { Notification, NotificationChannel } from './notification';
import { WebhookChannel, webhookChannelConfigSchema, type WebhookChannelConfig } from './webhook-channel';

/** The worker configuration's `inventory.alerts`. */
export interface AlertsConfig {
  readonly webhook?: WebhookChannelConfig;
  readonly email?: EmailChannelConfig;
}

export interface AlertChannel {
  /** Where alerts go (without secrets); the activity's result reports it. */
  describe(): string;
  /** Every configured channel is tried; rejects with NOTIFICATION_FAILED if any failed. */
  send(alert: Notification): Promise<void>;
}

export const DRIFT_ALERT_EVENT = 'certrot.inventory.drift';

/** Alert subject and text: one line per finding, what holds what and what is wrong. */
export function composeDriftAlert(input: DriftAlertInput): Notification {
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
  return { noticeId, subject, text, attachments: [], webhookFields: { event: DRIFT_ALERT_EVENT, findings: input.findings } };
}

/** The configured channels as one, or null when `inventory.alerts` names none. */
export function createAlertChannel(config: AlertsConfig | undefined): AlertChannel | null {
  const channels: NotificationChannel[] = [];
  if (config?.webhook) channels.push(new WebhookChannel(checked(webhookChannelConfigSchema, config.webhook, 'inventory.alerts.webhook')));
  if (config?.email) channels.push(new EmailChannel(checked(emailChannelConfigSchema, config.email, 'inventory.alerts.email')));
  if (channels.length === 0) return null;
  const fanOut = new NotificationFanOut(channels);
  return {
    describe: () => fanOut.describe(),
    send: async (alert) => {
      let outcome;
      try {
        outcome = await fanOut.deliver(alert);
      } finally {
        // Alerts are rare: no SMTP connection is kept open between sweeps.
        fanOut.close();
      }
      const error = undeliveredError(`The drift alert ${alert.noticeId}`, outcome, { noticeId: alert.noticeId });
      if (error) throw error;
    },
  };
}

/** A channel's settings, or CONFIG_INVALID naming the key (the worker config was parsed already; direct callers may not have). */
function checked<S extends z.ZodType>(schema: S, value: unknown, key: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${key}.${issue.path.join('.')}` : key;
  throw new RotationError('CONFIG_INVALID', `${where}: ${issue?.message ?? 'invalid'}`, { details: { key: where } });
}
