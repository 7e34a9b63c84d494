/**
 * What certrot tells people, in one shape for every channel: a subject, a plain text, files
 * to attach, and an id that stays the same for the same content. Each channel renders it its
 * own way (./email-channel.ts, ./webhook-channel.ts); what a notification is *about* (a
 * vendor's key, drift in an org) is the composer's business, carried only as optional
 * webhook fields and mail headers, so no channel needs to know the kinds of notification.
 *
 * A notification may be personal: with `personalize`, each recipient of a channel (each
 * email address, the webhook) gets their own copy, e.g. with their own approval link. The
 * fan-out (./fan-out.ts) then delivers and remembers each recipient separately.
 */

export interface NotificationAttachment {
  readonly filename: string;
  readonly content: string;
  readonly contentType: string;
}

/**
 * Fields the webhook's JSON body carries besides `text` and `noticeId`, which the channel
 * sets itself (so the body's `noticeId` is always the Idempotency-Key). Values are sent
 * with JSON.stringify.
 */
export type WebhookFields = Readonly<Record<string, unknown>> & { readonly text?: never; readonly noticeId?: never };

export interface Notification {
  /**
   * Derived from the content, never random: the same notification re-sent after a retry
   * has the same Message-ID and Idempotency-Key, so the receiving side can recognise it.
   */
  readonly noticeId: string;
  readonly subject: string;
  readonly text: string;
  readonly attachments: readonly NotificationAttachment[];
  /** Structured data for automation on the webhook side, e.g. `event` and what it is about. */
  readonly webhookFields?: WebhookFields;
  /** Extra `X-Certrot-...` mail headers next to `X-Certrot-Notice-Id`, e.g. a key's fingerprint. */
  readonly emailHeaders?: Readonly<Record<string, string>>;
  /** The webhook's `text` when it is not `subject` + `text` as they are (e.g. escaped for Slack). */
  readonly webhookText?: string;
  /**
   * Text the channel keeps out of its error messages (an approval link in the body): a
   * relay or endpoint that echoes what it was sent does not carry it into a result or log.
   */
  readonly secrets?: readonly string[];
  /**
   * Each recipient gets their own copy: called with a channel's recipient (see
   * `NotificationChannel.recipients`), it returns what differs for them. Must be
   * deterministic: a retry re-sends the same copy under the same id.
   */
  readonly personalize?: (recipient: string) => Personalization;
}

/** What one recipient's copy of a personal notification has of its own. */
export interface Personalization {
  readonly text: string;
  readonly webhookText?: string;
  readonly webhookFields?: WebhookFields;
  readonly secrets?: readonly string[];
}

/** One way of reaching people. Secrets (passwords, webhook URLs, tokens) stay inside it. */
export interface NotificationChannel {
  /** Where it goes, for messages and results: never a credential or a URL's path. */
  describe(): string;
  /**
   * The separate recipients a personal notification is delivered to, one copy each: every
   * email address, or the webhook as `webhook <host>`. Without it the channel has one.
   */
  recipients?(): readonly string[];
  /**
   * Rejects with a RotationError `NOTIFICATION_FAILED` whose message holds no secret. With
   * `recipient` (one of `recipients()`), delivers the notification to that recipient only.
   */
  deliver(notification: Notification, recipient?: string): Promise<void>;
  /** Releases connections; the channel opens new ones if used again. */
  close(): void;
}
