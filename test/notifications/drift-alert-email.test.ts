/**
 * The drift alert by email (`inventory.alerts.email`), delivered to a local SMTP server and
 * read back as a mailbox would: subject, every finding, the recipients, and none of a
 * vendor notice's key headers (an alert is about an org, not a key).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createInventoryActivities, inventoryDepsFromConfig } from '../../src/activities/inventory-activities';
import { isRotationError } from '../../src/domain/errors';
import { composeDriftAlert, createAlertChannel, type EmailChannelConfig } from '../../src/notifications';
import { parseWorkerConfig } from '../../src/workers/config';
import { parseMail, rejectionOf, startSmtpCapture, type SmtpCapture } from '../vendors/vendor-test-kit';
import { driftInput, FINDINGS } from './drift-findings';

const SMTP_USER = 'certrot-alerts';
const SMTP_PASS = 'alerts-Pa55word-do-not-leak';
const RECIPIENTS = ['salesforce-admins@customer.example', 'oncall@customer.example'];

describe('drift alert by email (SMTP sandbox)', () => {
  let smtp: SmtpCapture | undefined;

  before(async () => {
    smtp = await startSmtpCapture({ user: SMTP_USER, pass: SMTP_PASS });
  });
  // Runs when a test failed too: the server never outlives the file.
  after(async () => {
    await smtp?.close();
  });
  beforeEach(() => {
    if (smtp) smtp.messages.length = 0;
  });

  function emailConfig(): EmailChannelConfig {
    assert.ok(smtp, 'the SMTP server started');
    return { host: '127.0.0.1', port: smtp.port, auth: { user: SMTP_USER, pass: SMTP_PASS }, from: 'certrot@customer.example', to: RECIPIENTS, timeoutMs: 5_000 };
  }

  it('mails the subject, every finding and nothing of a vendor notice', async () => {
    const channel = createAlertChannel({ email: emailConfig() });
    assert.ok(channel);
    const alert = composeDriftAlert(driftInput());
    await channel.send(alert);

    assert.ok(smtp);
    assert.equal(smtp.messages.length, 1);
    const mail = smtp.messages[0];
    assert.ok(mail);
    assert.deepEqual(mail.to, RECIPIENTS);
    assert.equal(mail.from, 'certrot@customer.example');
    assert.equal(mail.authUser, SMTP_USER);

    const parsed = parseMail(mail.raw);
    assert.equal(parsed.headers.subject, '[certrot] 3 certificate reference problem(s) in org prod');
    assert.equal(parsed.headers.to, RECIPIENTS.join(', '));
    assert.equal(parsed.headers['message-id'], `<${alert.noticeId}@certrot>`);
    assert.equal(parsed.headers['x-certrot-notice-id'], alert.noticeId);
    assert.equal(parsed.headers['x-certrot-fingerprint'], undefined, 'no key header: a drift alert is not a vendor notice');
    assert.ok(!/x-certrot-fingerprint/i.test(mail.raw), 'not even an empty one');
    assert.ok(!mail.raw.includes(SMTP_PASS), 'the SMTP password is not in the message');

    assert.equal(parsed.parts.length, 1, 'plain text, no attachment');
    const text = parsed.parts[0]?.body ?? '';
    for (const finding of FINDINGS) assert.ok(text.includes(`- ${finding.org}: ${finding.detail}`), `the text has: ${finding.detail}\n---\n${text}`);
    assert.match(text, /The renewal sweep renewal-sweep\/2025-11-02T06:00Z at 2025-11-02T06:00:03\.000Z found settings/);
  });

  it('the sendDriftAlert activity mails it through inventory.alerts.email of the worker configuration', async () => {
    const config = parseWorkerConfig({ orgs: {}, vendors: {}, inventory: { orgs: {}, alerts: { email: emailConfig() } } }, {});
    const deps = inventoryDepsFromConfig(config);
    const activities = createInventoryActivities({ orgs: new Map(), vendors: new Map(), ...deps });
    const input = driftInput();
    const result = await new MockActivityEnvironment().run((alert: typeof input) => activities.sendDriftAlert(alert), input);

    assert.ok(smtp);
    assert.deepEqual(result, { sent: true, detail: `email via 127.0.0.1:${smtp.port} to ${RECIPIENTS.join(', ')}` });
    assert.equal(smtp.messages.length, 1);
    const parsed = parseMail(smtp.messages[0]?.raw ?? '');
    assert.equal(parsed.headers['x-certrot-notice-id'], composeDriftAlert(input).noticeId);
    assert.equal(parsed.headers['x-certrot-fingerprint'], undefined);
  });

  it('wrong SMTP credentials are a retryable NOTIFICATION_FAILED without the password', async () => {
    const wrong = 'wrong-alerts-password-xyz';
    const channel = createAlertChannel({ email: { ...emailConfig(), auth: { user: SMTP_USER, pass: wrong } } });
    assert.ok(channel);
    const error = await rejectionOf(channel.send(composeDriftAlert(driftInput())));
    assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
    assert.equal(error.retryable, true);
    assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(wrong));
    assert.equal(smtp?.messages.length, 0);
  });
});
