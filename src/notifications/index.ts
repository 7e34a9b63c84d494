/**
 * Telling people things: one notification shape (./notification.ts), two channels (SMTP
 * email, a JSON webhook), and a fan-out that sends on every channel and remembers what was
 * delivered. Composers decide the content: vendor notices (src/vendors/notification-message.ts,
 * sent by the manual vendor) and drift alerts (./drift-alert.ts, sent by the renewal sweep).
 *
 *   const channels = new NotificationFanOut([new EmailChannel(email), new WebhookChannel(webhook)]);
 *   const outcome = await channels.deliver({ noticeId, subject, text, attachments: [] });
 *   const error = undeliveredError('The notice', outcome);
 *   if (error) throw error;
 */
export type { Notification, NotificationAttachment, NotificationChannel, Personalization, WebhookFields } from './notification';
export { EmailChannel, emailChannelConfigSchema } from './email-channel';
export type { EmailChannelConfig } from './email-channel';
export { WebhookChannel, webhookBodyOf, webhookChannelConfigSchema } from './webhook-channel';
export type { WebhookChannelConfig } from './webhook-channel';
export { NotificationFanOut, undeliveredError } from './fan-out';
export type { FanOutOutcome } from './fan-out';
export { composeDriftAlert, createAlertChannel, DRIFT_ALERT_EVENT } from './drift-alert';
export type { AlertChannel, AlertsConfig } from './drift-alert';
