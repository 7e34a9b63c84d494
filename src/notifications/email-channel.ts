/**
 * Delivers a notification by email over SMTP (nodemailer). One transport per channel,
 * closed by `close()`. The SMTP password never leaves the transport: errors are reduced to
 * their scrubbed message before they become a RotationError.
 *
 * A notification goes as one mail to `to` (and `cc`); a personal one (see ./notification.ts)
 * as one mail per address of `to` and `cc`, each to that address alone, with a Message-ID of
 * its own that is the same whenever the same notice goes to the same address again.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { z } from 'zod';
import { RotationError } from '../domain/errors';
import { safeErrorMessage } from '../vendors/redact';
import type { Notification, NotificationChannel } from './notification';

export const emailChannelConfigSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (port 465). false: plain, upgraded with STARTTLS when offered. */
  secure: z.boolean().default(false),
  /** Refuse to send unless STARTTLS succeeds (for relays that must not see plain text). */
  requireTls: z.boolean().default(false),
  auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  /** An extra CA (PEM) to trust for the relay's certificate besides the system roots. */
  caPem: z.string().min(1).optional(),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1),
  cc: z.array(z.string().min(3)).default([]),
  timeoutMs: z.number().int().positive().default(15_000),
});
export type EmailChannelConfig = z.input<typeof emailChannelConfigSchema>;

export class EmailChannel implements NotificationChannel {
  private readonly config: z.output<typeof emailChannelConfigSchema>;
  private transport: nodemailer.Transporter<SMTPTransport.SentMessageInfo> | undefined;

  constructor(config: EmailChannelConfig) {
    this.config = emailChannelConfigSchema.parse(config);
  }

  /** Where mail goes, for messages: relay host and recipients, never credentials. */
  describe(): string {
    return `email via ${this.config.host}:${this.config.port} to ${this.config.to.join(', ')}`;
  }

  /** Every address of `to` and `cc`: a personal notification goes to each on its own. */
  recipients(): readonly string[] {
    return [...new Set([...this.config.to, ...this.config.cc])];
  }

  async deliver(notification: Notification, recipient?: string): Promise<void> {
    if (recipient !== undefined && !this.recipients().includes(recipient)) {
      throw new RotationError('NOTIFICATION_FAILED', `${this.describe()} has no recipient ${recipient}; deliver to one of its own addresses.`, { retryable: false, details: { channel: 'email' } });
    }
    this.transport ??= nodemailer.createTransport({
      host: this.config.host,
      port: this.config.port,
      secure: this.config.secure,
      requireTLS: this.config.requireTls,
      ...(this.config.auth ? { auth: { user: this.config.auth.user, pass: this.config.auth.pass } } : {}),
      tls: { rejectUnauthorized: true, ...(this.config.caPem ? { ca: this.config.caPem } : {}) },
      connectionTimeout: this.config.timeoutMs,
      greetingTimeout: this.config.timeoutMs,
      socketTimeout: this.config.timeoutMs,
      logger: false,
      debug: false,
    });
    try {
      await this.transport.sendMail({
        from: this.config.from,
        ...(recipient !== undefined ? { to: recipient } : { to: this.config.to, ...(this.config.cc.length > 0 ? { cc: this.config.cc } : {}) }),
        subject: notification.subject,
        text: notification.text,
        // Same notification (to the same address), same Message-ID: a re-send after a retry
        // threads with (or is de-duplicated against) the first in the team's mailbox.
        messageId: recipient !== undefined ? `<${notification.noticeId}.${recipientTag(recipient)}@certrot>` : `<${notification.noticeId}@certrot>`,
        headers: { ...notification.emailHeaders, 'X-Certrot-Notice-Id': notification.noticeId },
        attachments: notification.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
    } catch (error) {
      throw new RotationError(
        'NOTIFICATION_FAILED',
        `Could not send the notice ${recipient !== undefined ? `to ${recipient} ` : ''}by ${this.describe()}: ${safeErrorMessage(error, [this.config.auth?.pass, ...(notification.secrets ?? [])])}. Check the SMTP settings (host, port, secure, credentials); the notice will be sent again on retry.`,
        { retryable: true, details: { channel: 'email', host: this.config.host, port: this.config.port } },
      );
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}

/** Names an address in a Message-ID without spelling it out there. */
function recipientTag(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 16);
}
