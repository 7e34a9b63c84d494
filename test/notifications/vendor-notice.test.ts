/**
 * A manual vendor's notice through the shared channels is the notice it composes, byte for
 * byte where it matters: the webhook body is `composeVendorNotice(...).webhook`, the mail
 * carries the key as X-Certrot-Fingerprint and the certificate as an attachment. (The
 * behaviour of the adapter itself is test/vendors/manual-vendor.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webhookBodyOf } from '../../src/notifications';
import { composeVendorNotice, toNotification } from '../../src/vendors/notification-message';
import { ManualVendor } from '../../src/vendors/manual-vendor';
import { makeOrgKey, parseMail, startSmtpCapture, startWebhookCapture, testRun, type OrgKey, type SmtpCapture, type WebhookCapture } from '../vendors/vendor-test-kit';

const ORG = '00D000000000001';

describe('vendor notices on the shared notification channels', () => {
  let smtp: SmtpCapture | undefined;
  let hook: WebhookCapture | undefined;
  let key: OrgKey;
  let vendor: ManualVendor | undefined;

  before(async () => {
    [smtp, hook, key] = await Promise.all([startSmtpCapture(), startWebhookCapture(), makeOrgKey('shared.example.org')]);
  });
  after(async () => {
    vendor?.close();
    await Promise.all([smtp?.close(), hook?.close()]);
  });

  it('a stage notice: the webhook body is the composed payload, the mail has the key header and the certificate', async () => {
    assert.ok(smtp && hook);
    vendor = new ManualVendor({
      vendorName: 'Acme CPQ',
      email: { host: '127.0.0.1', port: smtp.port, from: 'certrot@customer.example', to: ['provisioning@vendor.example'], timeoutMs: 5_000 },
      webhook: { url: `${hook.url}/hook`, timeoutMs: 5_000 },
    });
    const window = { start: '2025-12-01T22:00:00.000Z', end: '2025-12-01T23:00:00.000Z' };
    const notice = { kind: 'stage' as const, orgId: ORG, fingerprint: key.fingerprint, certificatePem: key.certificatePem, window, ...testRun('wf-shared', 'run-3') };
    await vendor.notify(notice);
    const composed = composeVendorNotice({ ...notice, vendorName: 'Acme CPQ' });

    assert.equal(hook.requests.length, 1);
    assert.deepEqual(JSON.parse(hook.requests[0]?.body ?? '{}'), composed.webhook);
    assert.equal(hook.requests[0]?.headers['idempotency-key'], composed.noticeId);

    assert.equal(smtp.messages.length, 1);
    const mail = parseMail(smtp.messages[0]?.raw ?? '');
    assert.equal(mail.headers['x-certrot-notice-id'], composed.noticeId);
    assert.equal(mail.headers['x-certrot-fingerprint'], key.fingerprint);
    assert.equal(mail.headers['message-id'], `<${composed.noticeId}@certrot>`);
    const text = mail.parts.find((p) => (p.headers['content-type'] ?? '').startsWith('text/plain'));
    assert.equal(text?.body.trimEnd(), composed.text);
    const attachment = mail.parts.find((p) => /attachment/.test(p.headers['content-disposition'] ?? ''));
    assert.equal(attachment?.body.trim(), key.certificatePem.trim());
  });

  it('toNotification keeps everything but the text and id the channel sets itself', () => {
    const composed = composeVendorNotice({ kind: 'cancel', orgId: ORG, fingerprint: 'AB:CD', reason: 'approval timed out', vendorName: 'Acme CPQ', ...testRun() });
    const notification = toNotification(composed);
    assert.equal(notification.noticeId, composed.noticeId);
    assert.deepEqual(notification.attachments, []);
    assert.deepEqual(notification.emailHeaders, { 'X-Certrot-Fingerprint': 'AB:CD' });
    assert.deepEqual(webhookBodyOf(notification), composed.webhook);
  });
});
