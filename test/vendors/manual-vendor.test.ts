import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { signRsaSha256 } from '../../src/certificates';
import { isRotationError, RotationError } from '../../src/domain/errors';
import { ManualVendor, type ManualVendorConfig } from '../../src/vendors/manual-vendor';
import type { WebhookPayload } from '../../src/vendors/notification-message';
import {
  makeOrgKey,
  parseMail,
  rejectionOf,
  startSmtpCapture,
  startWebhookCapture,
  type OrgKey,
  type SmtpCapture,
  type WebhookCapture,
} from './vendor-test-kit';

const SMTP_USER = 'certrot-mailer';
const SMTP_PASS = 'smtp-Pa55word-do-not-leak';
const WEBHOOK_SECRET_PATH = '/services/T000/B000/hook-s3cret-token';
const ORG = '00D000000000001';

describe('manual vendor adapter (email over SMTP + webhook)', () => {
  let smtp: SmtpCapture;
  let hook: WebhookCapture;
  let oldKey: OrgKey;
  let newKey: OrgKey;
  const opened: ManualVendor[] = [];

  before(async () => {
    [smtp, hook, oldKey, newKey] = await Promise.all([
      startSmtpCapture({ user: SMTP_USER, pass: SMTP_PASS }),
      startWebhookCapture(),
      makeOrgKey('old.example.org'),
      makeOrgKey('new.example.org'),
    ]);
  });
  after(async () => {
    for (const vendor of opened) vendor.close();
    await Promise.all([smtp?.close(), hook?.close()]);
  });
  beforeEach(() => {
    smtp.messages.length = 0;
    hook.requests.length = 0;
    hook.respondWith.status = 200;
  });

  function manualVendor(overrides: Partial<ManualVendorConfig> = {}): ManualVendor {
    const vendor = new ManualVendor({
      vendorName: 'Acme CPQ',
      email: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        auth: { user: SMTP_USER, pass: SMTP_PASS },
        from: 'certrot@customer.example',
        to: ['provisioning@vendor.example', 'security@vendor.example'],
        timeoutMs: 5_000,
      },
      webhook: { url: `${hook.url}${WEBHOOK_SECRET_PATH}`, headers: { 'x-hook-token': 'header-s3cret' }, timeoutMs: 5_000 },
      ...overrides,
    });
    opened.push(vendor);
    return vendor;
  }

  it('stageKey mails the provisioning team the certificate, its fingerprint and the commands', async () => {
    const vendor = manualVendor();
    const window = { start: '2025-12-01T22:00:00.000Z', end: '2025-12-01T23:00:00.000Z' };
    const fingerprint = await vendor.stageKey(ORG, newKey.certificatePem, { workflowId: 'wf-stage-1', proposedWindow: window });
    assert.equal(fingerprint, newKey.fingerprint);

    assert.equal(smtp.messages.length, 1);
    const mail = smtp.messages[0];
    assert.ok(mail);
    assert.deepEqual(mail.to, ['provisioning@vendor.example', 'security@vendor.example']);
    assert.equal(mail.from, 'certrot@customer.example');
    assert.equal(mail.authUser, SMTP_USER);
    const parsed = parseMail(mail.raw);
    assert.match(parsed.headers.subject ?? '', /org 00D000000000001: New certificate to install/);
    assert.equal(parsed.headers['x-certrot-fingerprint'], newKey.fingerprint);
    const text = parsed.parts.find((p) => (p.headers['content-type'] ?? '').startsWith('text/plain'));
    assert.ok(text, 'a plain-text part');
    assert.ok(text.body.includes(newKey.fingerprint), 'the fingerprint is in the body');
    assert.ok(text.body.includes(`certrot approve --workflow-id wf-stage-1 --approver <you> --fingerprint ${newKey.fingerprint}`));
    assert.ok(text.body.includes('temporal workflow signal --workflow-id wf-stage-1 --name approve'));
    assert.ok(text.body.includes('2025-12-01T22:00:00.000Z'));
    const attachment = parsed.parts.find((p) => /attachment/.test(p.headers['content-disposition'] ?? ''));
    assert.ok(attachment, 'the certificate is attached');
    assert.match(attachment.headers['content-disposition'] ?? '', /\.pem/);
    assert.equal(attachment.body.trim(), newKey.certificatePem.trim());
    assert.ok(!mail.raw.includes(SMTP_PASS), 'the SMTP password is not in the message');

    assert.deepEqual((await vendor.listKeys(ORG)).map((k) => [k.fingerprint, k.state]), [[newKey.fingerprint, 'staged']]);
  });

  it('stageKey posts a Slack-compatible webhook with structured fields', async () => {
    const vendor = manualVendor();
    await vendor.stageKey(ORG, newKey.certificatePem, { workflowId: 'wf-stage-2' });
    assert.equal(hook.requests.length, 1);
    const request = hook.requests[0];
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, WEBHOOK_SECRET_PATH);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-hook-token'], 'header-s3cret');
    const payload = JSON.parse(request.body) as WebhookPayload;
    assert.equal(typeof payload.text, 'string');
    assert.ok(payload.text.includes(newKey.fingerprint));
    assert.equal(request.headers['idempotency-key'], payload.noticeId);
    assert.equal(payload.event, 'certrot.key.stage');
    assert.equal(payload.orgId, ORG);
    assert.equal(payload.fingerprint, newKey.fingerprint);
    assert.equal(payload.workflowId, 'wf-stage-2');
    assert.equal(payload.certificatePem, newKey.certificatePem);
    assert.match(payload.commands?.temporalApprove ?? '', /--name approve --input '\{"approver":"<you>","fingerprint":"/);
  });

  it('is not automated; activation only asks, and state follows the confirmations the workflow records', async () => {
    const vendor = manualVendor({ multipleActiveKeys: false });
    assert.deepEqual(await vendor.capabilities(ORG), { multipleActiveKeys: false, automated: false });
    vendor.recordConfirmation(ORG, oldKey.fingerprint, 'active', oldKey.certificatePem);
    const fp = await vendor.stageKey(ORG, newKey.certificatePem, { workflowId: 'wf-3' });
    const nonce = 'probe-nonce';

    await vendor.activateKey(ORG, fp, { workflowId: 'wf-3', replace: true });
    assert.equal(smtp.messages.length, 2, 'stage + activate notices');
    assert.match(parseMail(smtp.messages[1]?.raw ?? '').headers.subject ?? '', /Please switch to the new certificate/);
    assert.equal((await vendor.listKeys(ORG)).find((k) => k.fingerprint === fp)?.state, 'staged', 'asking is not doing');
    assert.deepEqual(await vendor.verifySignature(ORG, nonce, signRsaSha256(newKey.privateKeyPem, nonce)), { valid: false, matchedFingerprint: null });
    assert.deepEqual(await vendor.verifySignature(ORG, nonce, signRsaSha256(oldKey.privateKeyPem, nonce)), { valid: true, matchedFingerprint: oldKey.fingerprint });

    vendor.recordConfirmation(ORG, fp, 'active');
    const keys = await vendor.listKeys(ORG);
    assert.equal(keys.find((k) => k.fingerprint === fp)?.state, 'active');
    assert.equal(keys.find((k) => k.fingerprint === oldKey.fingerprint)?.state, 'retired', 'single-key vendor: the old key went');
    assert.deepEqual(await vendor.verifySignature(ORG, nonce, signRsaSha256(newKey.privateKeyPem, nonce)), { valid: true, matchedFingerprint: fp });
    assert.deepEqual(await vendor.verifySignature(ORG, nonce, signRsaSha256(oldKey.privateKeyPem, nonce)), { valid: false, matchedFingerprint: null });
  });

  it('refuses a confirmation whose certificate is another key', () => {
    const vendor = manualVendor();
    assert.throws(() => vendor.recordConfirmation(ORG, oldKey.fingerprint, 'active', newKey.certificatePem), (e: unknown) => isRotationError(e, 'INVALID_INPUT'));
  });

  it('sendCancellation tells the team not to activate, with the reason', async () => {
    const vendor = manualVendor();
    await vendor.sendCancellation(ORG, { fingerprint: newKey.fingerprint, reason: 'approval timed out', workflowId: 'wf-4' });
    const parsed = parseMail(smtp.messages[0]?.raw ?? '');
    assert.match(parsed.headers.subject ?? '', /Rotation cancelled/);
    const body = parsed.parts.map((p) => p.body).join('\n');
    assert.match(body, /Do NOT activate/);
    assert.match(body, /Reason: approval timed out/);
    assert.equal((JSON.parse(hook.requests[0]?.body ?? '{}') as WebhookPayload).event, 'certrot.key.cancel');
  });

  it('a failing webhook is NOTIFICATION_FAILED without its URL token; the retry re-sends only the webhook', async () => {
    const vendor = manualVendor();
    hook.respondWith.status = 500;
    const error = await rejectionOf(vendor.retireKey(ORG, oldKey.fingerprint, { workflowId: 'wf-5' }));
    assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
    assert.equal(error.retryable, true);
    const shown = `${error.message} ${JSON.stringify(error.details)}`;
    assert.ok(!shown.includes('hook-s3cret-token') && !shown.includes('header-s3cret'), shown);
    assert.match(error.message, /already delivered by email/);
    assert.equal(smtp.messages.length, 1);

    hook.respondWith.status = 200;
    await vendor.retireKey(ORG, oldKey.fingerprint, { workflowId: 'wf-5' });
    assert.equal(smtp.messages.length, 1, 'email not sent twice');
    assert.equal(hook.requests.length, 2);
  });

  it('wrong SMTP credentials are NOTIFICATION_FAILED without the password', async () => {
    const wrongPass = 'wrong-smtp-password-xyz';
    const vendor = manualVendor({
      webhook: undefined,
      email: { host: '127.0.0.1', port: smtp.port, auth: { user: SMTP_USER, pass: wrongPass }, from: 'certrot@customer.example', to: ['p@vendor.example'], timeoutMs: 5_000 },
    });
    const error = await rejectionOf(vendor.stageKey(ORG, newKey.certificatePem));
    assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
    assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(wrongPass));
    assert.equal(smtp.messages.length, 0);
    assert.deepEqual(await vendor.listKeys(ORG), [], 'not recorded as staged when nobody was told');
  });

  it('needs at least one channel, naming the field', () => {
    assert.throws(
      () => new ManualVendor({ vendorName: 'x' }),
      (e: unknown) => e instanceof RotationError && e.code === 'CONFIG_INVALID' && e.details.field === 'email',
    );
  });
});
