/**
 * What certrot tells people, in one shape for every channel: a subject, a plain text, files
 * to attach, and an id that stays the same for the same content. Each channel renders it its
 * own way (./email-channel.ts, ./webhook-channel.ts); what a notification is *about* (a
 * vendor's key, drift in an org) is the composer's business, carried only as optional
 * webhook fields and mail headers, so no channel needs to know the kinds of notification.
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
}

/** One way of reaching people. Secrets (passwords, webhook URLs, tokens) stay inside it. */
export interface NotificationChannel {
  /** Where it goes, for messages and results: never a credential or a URL's path. */
  describe(): string;
  /** Rejects with a RotationError `NOTIFICATION_FAILED` whose message holds no secret. */
  deliver(notification: Notification): Promise<void>;
  /** Releases connections; the channel opens new ones if used again. */
  close(): void;
}
