import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isRotationError, RotationError } from '../../src/domain/errors';
import { ManualVendor, type ManualVendorConfig } from '../../src/vendors/manual-vendor';
import type { WebhookPayload } from '../../src/vendors/notification-message';
import {
  makeOrgKey,
  parseMail,
  rejectionOf,
  startSmtpCapture,
  startWebhookCapture,
  testRun,
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

  it('a stage notice mails the team the certificate, its fingerprint and how to answer (no commands)', async () => {
    const vendor = manualVendor();
    assert.equal(vendor.kind, 'team');
    assert.equal(vendor.name, 'Acme CPQ');
    assert.equal(vendor.multipleActiveKeys, false);
    const window = { start: '2025-12-01T22:00:00.000Z', end: '2025-12-01T23:00:00.000Z' };
    const channels = await vendor.notify({ kind: 'stage', orgId: ORG, fingerprint: newKey.fingerprint, certificatePem: newKey.certificatePem, window, ...testRun('wf-stage-1') });
    assert.deepEqual(channels, [`email via 127.0.0.1:${smtp.port} to provisioning@vendor.example, security@vendor.example`, `webhook ${hook.url}`]);
    assert.ok(!channels.join(' ').includes('hook-s3cret-token'), 'a webhook is described by its origin only');

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
    assert.doesNotMatch(text.body, /certrot (approve|reject)|temporal workflow|--workflow-id/);
    assert.match(text.body, /operators then approve the rotation on your word/, 'no approval service configured: no link');
    assert.ok(text.body.includes('2025-12-01T22:00:00.000Z'));
    const attachment = parsed.parts.find((p) => /attachment/.test(p.headers['content-disposition'] ?? ''));
    assert.ok(attachment, 'the certificate is attached');
    assert.match(attachment.headers['content-disposition'] ?? '', /\.pem/);
    assert.equal(attachment.body.trim(), newKey.certificatePem.trim());
    assert.ok(!mail.raw.includes(SMTP_PASS), 'the SMTP password is not in the message');
  });

  it('a stage notice posts a Slack-compatible webhook with structured fields', async () => {
    const vendor = manualVendor();
    await vendor.notify({ kind: 'stage', orgId: ORG, fingerprint: newKey.fingerprint, certificatePem: newKey.certificatePem, ...testRun('wf-stage-2', 'run-7') });
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
    assert.equal(payload.runId, 'run-7');
    assert.equal(payload.certificatePem, newKey.certificatePem);
    assert.equal('commands' in payload, false);
    assert.equal(payload.approvalUrl, null);
    assert.doesNotMatch(payload.text, /certrot (approve|reject)|temporal workflow/);
  });

  it('only tells: an activate notice asks for the switch and to say when it is done; nothing is recorded as done', async () => {
    const vendor = manualVendor();
    await vendor.notify({ kind: 'activate', orgId: ORG, fingerprint: newKey.fingerprint, replace: true, ...testRun('wf-3') });
    const parsed = parseMail(smtp.messages[0]?.raw ?? '');
    assert.match(parsed.headers.subject ?? '', /Please switch to the new certificate/);
    const body = parsed.parts.map((p) => p.body).join('\n');
    assert.match(body, /replace the current key with this one in a single step/);
    assert.match(body, /tell your contact at the customer \(reply to this message\)/);
    assert.doesNotMatch(body, /certrot vendor-applied|temporal workflow/);
    for (const pretence of ['listKeys', 'verifySignature', 'recordConfirmation', 'capabilities', 'stageKey', 'activateKey']) {
      assert.equal(pretence in vendor, false, `a provisioning team has no ${pretence}`);
    }
  });

  it('a window-missed notice says nothing changed and how to agree a new window', async () => {
    const vendor = manualVendor();
    const window = { start: '2025-12-01T22:00:00.000Z', end: '2025-12-01T23:00:00.000Z' };
    await vendor.notify({
      kind: 'window-missed',
      orgId: ORG,
      fingerprint: newKey.fingerprint,
      window,
      reason: 'the rotation waits for a new window until 2025-12-08T23:00:00.000Z, then rolls back',
      ...testRun('wf-missed'),
    });
    const parsed = parseMail(smtp.messages[0]?.raw ?? '');
    assert.match(parsed.headers.subject ?? '', /window closed before the switch/);
    const body = parsed.parts.map((p) => p.body).join('\n');
    assert.match(body, /closed before the switch started\. Nothing was changed/);
    assert.match(body, /What happens next: the rotation waits for a new window until 2025-12-08T23:00:00\.000Z/);
    assert.match(body, /tell your contact at the customer \(reply to this message\) a new window/);
    assert.doesNotMatch(body, /certrot (approve|reject)|temporal workflow/);
    assert.equal((JSON.parse(hook.requests[0]?.body ?? '{}') as WebhookPayload).event, 'certrot.key.window-missed');
  });

  it('a cancel notice tells the team not to activate, with the reason', async () => {
    const vendor = manualVendor();
    await vendor.notify({ kind: 'cancel', orgId: ORG, fingerprint: newKey.fingerprint, reason: 'approval timed out', ...testRun('wf-4') });
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
    const retire = { kind: 'retire' as const, orgId: ORG, fingerprint: oldKey.fingerprint, ...testRun('wf-5') };
    const error = await rejectionOf(vendor.notify(retire));
    assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
    assert.equal(error.retryable, true);
    const shown = `${error.message} ${JSON.stringify(error.details)}`;
    assert.ok(!shown.includes('hook-s3cret-token') && !shown.includes('header-s3cret'), shown);
    assert.match(error.message, /already delivered by email/);
    assert.equal(smtp.messages.length, 1);

    hook.respondWith.status = 200;
    const channels = await vendor.notify(retire);
    assert.equal(channels.length, 2, 'both channels have it now');
    assert.equal(smtp.messages.length, 1, 'email not sent twice');
    assert.equal(hook.requests.length, 2);
  });

  it('the same notice from a later run of the same workflow is delivered again', async () => {
    const vendor = manualVendor();
    const restore = { kind: 'restore' as const, orgId: ORG, fingerprint: oldKey.fingerprint, replace: true };
    await vendor.notify({ ...restore, ...testRun('wf-6', 'run-1') });
    await vendor.notify({ ...restore, ...testRun('wf-6', 'run-1') });
    assert.equal(smtp.messages.length, 1, 'a retry of one run is not repeated');
    await vendor.notify({ ...restore, ...testRun('wf-6', 'run-2') });
    assert.equal(smtp.messages.length, 2, 'a later run is a new notice');
    assert.equal(hook.requests.length, 2);
  });

  it('refuses a stage notice whose certificate is another key, or that has none', async () => {
    const vendor = manualVendor();
    const mismatch = await rejectionOf(vendor.notify({ kind: 'stage', orgId: ORG, fingerprint: oldKey.fingerprint, certificatePem: newKey.certificatePem, ...testRun() }));
    assert.ok(isRotationError(mismatch, 'INVALID_INPUT'), String(mismatch));
    assert.ok(isRotationError(await rejectionOf(vendor.notify({ kind: 'stage', orgId: ORG, fingerprint: newKey.fingerprint, ...testRun() })), 'INVALID_INPUT'));
    assert.equal(smtp.messages.length + hook.requests.length, 0, 'nothing was sent');
  });

  it('wrong SMTP credentials are NOTIFICATION_FAILED without the password', async () => {
    const wrongPass = 'wrong-smtp-password-xyz';
    const vendor = manualVendor({
      webhook: undefined,
      email: { host: '127.0.0.1', port: smtp.port, auth: { user: SMTP_USER, pass: wrongPass }, from: 'certrot@customer.example', to: ['p@vendor.example'], timeoutMs: 5_000 },
    });
    const error = await rejectionOf(vendor.notify({ kind: 'stage', orgId: ORG, fingerprint: newKey.fingerprint, certificatePem: newKey.certificatePem, ...testRun() }));
    assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
    assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(wrongPass));
    assert.equal(smtp.messages.length, 0);
  });

  it('needs at least one channel, naming the field', () => {
    assert.throws(
      () => new ManualVendor({ vendorName: 'x' }),
      (e: unknown) => e instanceof RotationError && e.code === 'CONFIG_INVALID' && e.details.field === 'email',
    );
  });
});
