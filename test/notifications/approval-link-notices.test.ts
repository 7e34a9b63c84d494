/**
 * A provisioning team's notices with the approval service configured: every email recipient
 * gets a mail of their own with their own signed link (its token checks, bound to the
 * rotation, the key, that address and the approval timeout), the webhook gets one for
 * `webhook <host>`; a retried notice sends nothing twice and, re-sent, carries the very same
 * link; the link is in no result and no error; without the service there is no link.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { checkLinkToken, type LinkClaims } from '../../src/approvals/link-token';
import { isRotationError } from '../../src/domain/errors';
import { createApprovalLinkMinter } from '../../src/vendors/approval-links';
import { ManualVendor, type ManualVendorConfig } from '../../src/vendors/manual-vendor';
import type { WebhookPayload } from '../../src/vendors/notification-message';
import type { TeamNotice } from '../../src/vendors/vendor-port';
import { createAdapters } from '../../src/workers/adapters';
import { workerConfigSchema } from '../../src/workers/config';
import { makeOrgKey, parseMail, rejectionOf, startWebhookCapture, testRun, type CapturedMail, type OrgKey, type SmtpCapture, type WebhookCapture } from '../vendors/vendor-test-kit';

const ORG = '00D000000000001';
const PUBLIC_URL = 'https://approvals.customer.example';
const EXPIRES_AT = '2035-01-08T23:00:00.000Z';
const RECIPIENTS = ['provisioning@vendor.example', 'security@vendor.example'];
const CC = 'oncall@vendor.example';
const LINK = new RegExp(`${PUBLIC_URL.replace(/[.]/g, '\\.')}/a/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`);

interface Mailbox extends SmtpCapture {
  /** Addresses refused at RCPT TO while listed here. */
  refuse: Set<string>;
}

/** The test kit's capture, plus refusing chosen recipients (a mailbox that is full, say). */
async function startMailbox(): Promise<Mailbox> {
  const messages: CapturedMail[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      callback(refuse.has(address.address) ? Object.assign(new Error('mailbox unavailable'), { responseCode: 450 }) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), authUser: null });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });
  return { port, messages, refuse, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function textOf(mail: CapturedMail): string {
  return parseMail(mail.raw).parts.find((p) => (p.headers['content-type'] ?? '').startsWith('text/plain'))?.body ?? '';
}

function tokenIn(text: string): string {
  const token = LINK.exec(text)?.[1];
  assert.ok(token, `a link to ${PUBLIC_URL}/a/... in:\n${text}`);
  return token;
}

describe('approval links in provisioning-team notices', () => {
  const linkKey = randomBytes(32);
  let mailbox: Mailbox;
  let hook: WebhookCapture;
  let key: OrgKey;
  const opened: ManualVendor[] = [];

  before(async () => {
    [mailbox, hook, key] = await Promise.all([startMailbox(), startWebhookCapture(), makeOrgKey('links.example.org')]);
  });
  after(async () => {
    for (const vendor of opened) vendor.close();
    await Promise.all([mailbox?.close(), hook?.close()]);
  });
  beforeEach(() => {
    mailbox.messages.length = 0;
    mailbox.refuse.clear();
    hook.requests.length = 0;
    hook.respondWith.status = 200;
  });

  function vendor(options: { links?: boolean; config?: Partial<ManualVendorConfig> } = {}): ManualVendor {
    const made = new ManualVendor(
      {
        vendorName: 'Acme CPQ',
        email: { host: '127.0.0.1', port: mailbox.port, from: 'certrot@customer.example', to: RECIPIENTS, cc: [CC], timeoutMs: 5_000 },
        webhook: { url: `${hook.url}/services/T0/B0/s3cret`, timeoutMs: 5_000 },
        ...options.config,
      },
      options.links === false ? {} : { approvalLinks: createApprovalLinkMinter({ publicUrl: PUBLIC_URL, linkKey }) },
    );
    opened.push(made);
    return made;
  }

  function stage(workflowId: string): TeamNotice {
    return { kind: 'stage', orgId: ORG, fingerprint: key.fingerprint, certificatePem: key.certificatePem, approval: { workflowId, expiresAt: EXPIRES_AT }, ...testRun(workflowId) };
  }

  function claimsOf(token: string): LinkClaims {
    const check = checkLinkToken(linkKey, token, Date.parse('2030-01-01T00:00:00Z'));
    assert.ok(check.ok, `the token checks (${check.ok ? '' : check.problem})`);
    return check.claims;
  }

  it('each email recipient gets their own mail and link (sentTo = that address); the webhook one for its host', async () => {
    const channels = await vendor().notify(stage('wf-links-1'));
    assert.deepEqual(channels, [`email via 127.0.0.1:${mailbox.port} to ${RECIPIENTS.join(', ')}`, `webhook ${hook.url}`]);
    assert.doesNotMatch(channels.join(' '), /\/a\//, 'the result names channels, never a link');

    assert.deepEqual(mailbox.messages.map((m) => m.to), [[RECIPIENTS[0]], [RECIPIENTS[1]], [CC]], 'one mail per address, each to that address alone');
    const linkIds = new Set<string>();
    const messageIds = new Set<string>();
    for (const mail of mailbox.messages) {
      const parsed = parseMail(mail.raw);
      const text = textOf(mail);
      const claims = claimsOf(tokenIn(text));
      assert.deepEqual({ ...claims, linkId: '' }, { workflowId: 'wf-links-1', fingerprint: key.fingerprint, sentTo: mail.to[0], expiresAt: Date.parse(EXPIRES_AT), linkId: '' });
      assert.ok(text.includes(`it was sent to ${mail.to[0]}`), text);
      assert.ok(text.includes(key.fingerprint));
      assert.doesNotMatch(text, /certrot (approve|reject)|temporal workflow/);
      assert.equal(checkLinkToken(linkKey, tokenIn(text), Date.parse(EXPIRES_AT)).ok, false, 'expires with the approval timeout');
      linkIds.add(claims.linkId);
      messageIds.add(parsed.headers['message-id'] ?? '');
      assert.match(parsed.headers['x-certrot-notice-id'] ?? '', /^certrot-notice-/);
      assert.ok(parsed.parts.some((p) => /attachment/.test(p.headers['content-disposition'] ?? '')), 'the certificate is attached');
    }
    assert.equal(linkIds.size, 3, 'a link per recipient');
    assert.equal(messageIds.size, 3, 'a Message-ID per recipient');
    assert.equal(new Set(mailbox.messages.map((m) => parseMail(m.raw).headers['x-certrot-notice-id'])).size, 1, 'one notice');

    assert.equal(hook.requests.length, 1);
    const payload = JSON.parse(hook.requests[0]?.body ?? '{}') as WebhookPayload;
    assert.ok(payload.approvalUrl?.startsWith(`${PUBLIC_URL}/a/`));
    const claims = claimsOf(tokenIn(payload.approvalUrl ?? ''));
    assert.equal(claims.sentTo, `webhook ${new URL(hook.url).host}`);
    assert.equal(claims.fingerprint, key.fingerprint);
    assert.equal(payload.fingerprint, key.fingerprint);
    assert.equal(payload.expiresAt, EXPIRES_AT);
    assert.equal(payload.window, null);
    assert.ok(payload.text.includes(payload.approvalUrl ?? '-'), 'the Slack text carries the link too');
    assert.equal(hook.requests[0]?.headers['idempotency-key'], payload.noticeId);
  });

  it('a retry re-sends only what failed; a re-sent notice carries the same link under the same ids', async () => {
    const team = vendor();
    const notice = stage('wf-links-2');
    mailbox.refuse.add(RECIPIENTS[1] ?? '');
    hook.respondWith.status = 503;
    const error = await rejectionOf(team.notify(notice));
    assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
    assert.equal(error.retryable, true);
    assert.match(error.message, new RegExp(`to ${RECIPIENTS[1]?.replace(/\./g, '\\.')} by email`));
    assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /\/a\/|approvals\.customer/, 'no link in the error');
    assert.deepEqual(mailbox.messages.map((m) => m.to[0]), [RECIPIENTS[0], CC]);
    const first = new Map(mailbox.messages.map((m) => [m.to[0], { token: tokenIn(textOf(m)), messageId: parseMail(m.raw).headers['message-id'] }]));
    const firstHook = JSON.parse(hook.requests[0]?.body ?? '{}') as WebhookPayload;

    mailbox.refuse.clear();
    hook.respondWith.status = 200;
    assert.equal((await team.notify(notice)).length, 2, 'every channel has it now');
    assert.deepEqual(mailbox.messages.map((m) => m.to[0]), [RECIPIENTS[0], CC, RECIPIENTS[1]], 'only the refused address was sent again');
    const late = mailbox.messages[2]!;
    first.set(late.to[0], { token: tokenIn(textOf(late)), messageId: parseMail(late.raw).headers['message-id'] });
    assert.equal(hook.requests.length, 2);
    const retriedHook = JSON.parse(hook.requests[1]?.body ?? '{}') as WebhookPayload;
    assert.equal(retriedHook.approvalUrl, firstHook.approvalUrl, 'the webhook gets the same link again');
    assert.equal(hook.requests[1]?.headers['idempotency-key'], hook.requests[0]?.headers['idempotency-key']);

    await team.notify(notice);
    assert.equal(mailbox.messages.length + hook.requests.length, 5, 'delivered everywhere: nothing is sent again');

    // A worker that restarted forgot what it delivered: it sends again, but the same mail.
    mailbox.messages.length = 0;
    await vendor().notify(notice);
    assert.equal(mailbox.messages.length, 3);
    for (const mail of mailbox.messages) {
      const before = first.get(mail.to[0]);
      assert.ok(before, `${mail.to[0]} had it before`);
      assert.equal(tokenIn(textOf(mail)), before.token, `the same link for ${mail.to[0]}`);
      assert.equal(parseMail(mail.raw).headers['message-id'], before.messageId);
    }
  });

  it('another notice (a missed window, another rotation) gets links of its own', async () => {
    const team = vendor({ config: { webhook: undefined, email: { host: '127.0.0.1', port: mailbox.port, from: 'certrot@customer.example', to: [RECIPIENTS[0] ?? ''], timeoutMs: 5_000 } } });
    await team.notify(stage('wf-links-3'));
    await team.notify({ kind: 'window-missed', orgId: ORG, fingerprint: key.fingerprint, window: { start: '2035-01-01T22:00:00.000Z', end: '2035-01-01T23:00:00.000Z' }, reason: 'Nothing was changed.', approval: { workflowId: 'wf-links-3', expiresAt: EXPIRES_AT }, ...testRun('wf-links-3') });
    await team.notify(stage('wf-links-4'));
    const tokens = mailbox.messages.map((m) => tokenIn(textOf(m)));
    assert.equal(new Set(tokens.map((t) => claimsOf(t).linkId)).size, 3);
    assert.deepEqual(tokens.map((t) => claimsOf(t).workflowId), ['wf-links-3', 'wf-links-3', 'wf-links-4']);
    assert.match(textOf(mailbox.messages[1]!), /approve again with a new window \(or propose one\) on your approval page/);
  });

  it('notices that ask for no decision, and notices without the approval service, carry no link', async () => {
    await vendor().notify({ kind: 'activate', orgId: ORG, fingerprint: key.fingerprint, approval: { workflowId: 'wf-links-5', expiresAt: EXPIRES_AT }, ...testRun('wf-links-5') });
    assert.equal(mailbox.messages.length, 1, 'one mail to all, as without links');
    assert.doesNotMatch(mailbox.messages[0]!.raw, /\/a\//);

    mailbox.messages.length = 0;
    hook.requests.length = 0;
    await vendor({ links: false }).notify(stage('wf-links-6'));
    assert.equal(mailbox.messages.length, 1);
    assert.deepEqual(mailbox.messages[0]?.to, [...RECIPIENTS, CC]);
    const text = textOf(mailbox.messages[0]);
    assert.doesNotMatch(text, /https?:\/\//);
    assert.match(text, /The customer's operators then approve the rotation on your word, bound to that exact key/);
    assert.doesNotMatch(text, /certrot (approve|reject)|temporal workflow/);
    assert.equal((JSON.parse(hook.requests[0]?.body ?? '{}') as WebhookPayload).approvalUrl, null);
  });

  it('the worker builds its manual vendors with the link minter and hands the link key to the activities', async () => {
    const raw = {
      orgs: {},
      vendors: { acme: { kind: 'manual', manual: { email: { host: '127.0.0.1', port: mailbox.port, from: 'certrot@customer.example', to: [RECIPIENTS[0]], timeoutMs: 5_000 } } } },
    };
    const adapters = createAdapters(workerConfigSchema.parse({ ...raw, approvals: { publicUrl: PUBLIC_URL, linkKey: linkKey.toString('base64') } }));
    try {
      assert.ok(adapters.approvalLinkKey?.equals(linkKey));
      const acme = adapters.vendors.get('acme');
      assert.equal(acme?.kind, 'team');
      if (acme?.kind !== 'team') return;
      await acme.notify(stage('wf-links-7'));
      assert.equal(claimsOf(tokenIn(textOf(mailbox.messages[0]!))).sentTo, RECIPIENTS[0]);
    } finally {
      adapters.close();
    }
    const without = createAdapters(workerConfigSchema.parse(raw));
    try {
      assert.equal(without.approvalLinkKey, undefined);
      const acme = without.vendors.get('acme');
      if (acme?.kind !== 'team') throw new Error('acme is a manual vendor');
      mailbox.messages.length = 0;
      await acme.notify(stage('wf-links-8'));
      assert.doesNotMatch(textOf(mailbox.messages[0]!), /\/a\//);
    } finally {
      without.close();
    }
  });
});
