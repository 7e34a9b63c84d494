/**
 * Sends one notification on several channels: a channel that fails does not stop the
 * others, and a channel that already delivered a notification is not asked again, so a
 * retried activity only repeats what failed. The memory of deliveries lives in this object
 * (keep one per configured set of channels for the worker's lifetime); a worker that
 * restarted may send a notification again, with the same Message-ID / Idempotency-Key so
 * the receiving side can recognise it. A personal notification (`personalize`) is delivered
 * and remembered per recipient of each channel.
 *
 *   const fanOut = new NotificationFanOut([emailChannel, webhookChannel]);
 *   const outcome = await fanOut.deliver(notification);
 *   const error = undeliveredError('The drift alert', outcome, { ... });
 *   if (error) throw error;
 */
import { RotationError } from '../domain/errors';
import { currentSignal } from '../runtime/call-context';
import { abortReasonOf } from '../vendors/http-transport';
import type { Notification, NotificationChannel } from './notification';

export interface FanOutOutcome {
  /** Every channel that has the notification now (in channel order), from this call or an earlier one. */
  readonly sent: readonly string[];
  /** What failed in this call; empty when every channel has it. */
  readonly failures: readonly RotationError[];
}

export class NotificationFanOut {
  /** `<channel>\n<recipient or empty>\n<noticeId>` of every delivery made. */
  private readonly delivered = new Set<string>();

  constructor(private readonly channels: readonly NotificationChannel[]) {}

  /** e.g. `webhook https://hooks.example.com and email via smtp.example.com:587 to ...`. */
  describe(): string {
    return this.channels.map((channel) => channel.describe()).join(' and ');
  }

  /**
   * Never rejects for a channel's failure (see `failures`); rejects when the activity is
   * cancelled. A personal notification is delivered, and remembered, per recipient: one
   * recipient's failure does not stop the next, and a retry repeats only the recipients
   * that did not get it.
   */
  async deliver(notification: Notification): Promise<FanOutOutcome> {
    const failures: RotationError[] = [];
    for (const channel of this.channels) {
      for (const recipient of recipientsOf(channel, notification)) {
        const delivery = deliveryKey(channel, recipient, notification);
        if (this.delivered.has(delivery)) continue;
        try {
          await channel.deliver(copyFor(notification, recipient), recipient);
          this.delivered.add(delivery);
        } catch (error) {
          // The activity was cancelled: stop here and let its reason travel up.
          const signal = currentSignal();
          if (signal?.aborted) throw abortReasonOf(signal);
          failures.push(
            error instanceof RotationError
              ? error
              : new RotationError('NOTIFICATION_FAILED', `Could not send the notice by ${channel.describe()}.`, { retryable: true }),
          );
        }
      }
    }
    const sent = this.channels
      .filter((channel) => recipientsOf(channel, notification).every((recipient) => this.delivered.has(deliveryKey(channel, recipient, notification))))
      .map((channel) => channel.describe());
    return { sent, failures };
  }

  close(): void {
    for (const channel of this.channels) channel.close();
  }
}

/** A personal notification's recipients on a channel; `undefined` = the channel's one delivery. */
function recipientsOf(channel: NotificationChannel, notification: Notification): ReadonlyArray<string | undefined> {
  if (!notification.personalize || !channel.recipients) return [undefined];
  return channel.recipients();
}

function deliveryKey(channel: NotificationChannel, recipient: string | undefined, notification: Notification): string {
  return `${channel.describe()}\n${recipient ?? ''}\n${notification.noticeId}`;
}

/** The recipient's own copy: same id, subject and attachments, their own text and fields. */
function copyFor(notification: Notification, recipient: string | undefined): Notification {
  if (recipient === undefined || !notification.personalize) return notification;
  const own = notification.personalize(recipient);
  return {
    noticeId: notification.noticeId,
    subject: notification.subject,
    attachments: notification.attachments,
    ...(notification.emailHeaders ? { emailHeaders: notification.emailHeaders } : {}),
    text: own.text,
    ...(own.webhookText !== undefined ? { webhookText: own.webhookText } : {}),
    ...(own.webhookFields ? { webhookFields: own.webhookFields } : notification.webhookFields ? { webhookFields: notification.webhookFields } : {}),
    secrets: [...(notification.secrets ?? []), ...(own.secrets ?? [])],
  };
}

/**
 * One NOTIFICATION_FAILED for every channel that failed, naming those that did deliver
 * (they are not asked again on retry); null when nothing failed. `what` starts the sentence,
 * e.g. `The stage notice to Acme for org "00D..." (key AB:CD...)`.
 */
export function undeliveredError(what: string, outcome: FanOutOutcome, details: Record<string, string | number | boolean | null> = {}): RotationError | null {
  if (outcome.failures.length === 0) return null;
  const already = outcome.sent.length > 0 ? ` (already delivered by ${outcome.sent.join(' and ')}; that is not repeated on retry)` : '';
  return new RotationError('NOTIFICATION_FAILED', `${what} was not delivered: ${outcome.failures.map((f) => f.message).join(' ')}${already}`, {
    retryable: outcome.failures.every((f) => f.retryable),
    details: { ...details, delivered: outcome.sent.join(',') },
  });
}
