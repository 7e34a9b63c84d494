import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeVendorNotice, slackText, type VendorNotice } from '../../src/vendors/notification-message';

/** What a team must never be told to run: they have no certrot and no Temporal access. */
const COMMANDS = /certrot (approve|reject|vendor-applied)|temporal workflow|--workflow-id/;

const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const stage: VendorNotice = {
  kind: 'stage',
  vendorName: 'Acme CPQ',
  orgId: '00D000000000001',
  fingerprint: FP,
  certificatePem: PEM,
  run: { workflowId: 'rotate-00D000000000001-2025-11', runId: 'run-1' },
  window: { start: '2025-12-01T22:00:00.000Z', end: '2025-12-01T23:00:00.000Z' },
};

describe('vendor notice composition', () => {
  it('a stage notice carries the key, the window, the rotation and no commands; without the approval service the operators approve on the team\'s word', () => {
    const notice = composeVendorNotice({ ...stage, approval: { workflowId: stage.run.workflowId, expiresAt: '2025-12-08T23:00:00.000Z' } });
    assert.match(notice.subject, /Acme CPQ \/ org 00D000000000001/);
    assert.match(notice.subject, /SPKI AB:CD:EF:01\.\.\.23:45:67:89\)/);
    for (const expected of [FP, '00D000000000001 (the org id you know it by)', 'rotate-00D000000000001-2025-11 (run run-1)', 'Window:       2025-12-01T22:00:00.000Z .. 2025-12-01T23:00:00.000Z (UTC)', 'Decide by:    2025-12-08T23:00:00.000Z']) {
      assert.ok(notice.text.includes(expected), `text names ${expected}`);
    }
    assert.doesNotMatch(notice.text, COMMANDS);
    assert.doesNotMatch(notice.text, /https?:\/\//, 'no link without the approval service');
    assert.match(notice.text, /tell your contact at the customer \(reply to this message\) the fingerprint of the key you installed/);
    assert.match(notice.text, /The customer's operators then approve the rotation on your word, bound to that exact key\./);
    assert.equal(notice.webhook.approvalUrl, null);
    assert.equal(notice.webhook.expiresAt, '2025-12-08T23:00:00.000Z');
    assert.deepEqual(notice.attachments, [{ filename: '00D000000000001-abcdef0123456789.pem', content: PEM, contentType: 'application/x-pem-file' }]);
  });

  it('with a link: the page, what it does, that it is the recipient\'s own, and when it expires', () => {
    const url = 'https://approvals.example.com/a/payload.mac';
    const notice = composeVendorNotice({ ...stage, approval: { workflowId: stage.run.workflowId, expiresAt: '2025-12-08T23:00:00.000Z' }, approvalLink: { url, sentTo: 'keys@vendor.example' } });
    assert.ok(notice.text.includes(`answer on your approval page:\n  ${url}\n`), notice.text);
    assert.match(notice.text, /confirm the key you installed \(paste its fingerprint, or upload the installed certificate/);
    assert.match(notice.text, /approve \(binding the approval to this exact key; optionally with another window\), propose another window, or reject with a reason/);
    assert.match(notice.text, /it was sent to keys@vendor\.example \(every recipient of this notice gets their own\)/);
    assert.match(notice.text, /expires at 2025-12-08T23:00:00\.000Z \(UTC\)\. Do not forward it\./);
    assert.doesNotMatch(notice.text, COMMANDS);
    assert.doesNotMatch(notice.text, /on your word/);
    assert.equal(notice.webhook.approvalUrl, url);
    assert.equal(notice.noticeId, composeVendorNotice({ ...stage, approval: { workflowId: stage.run.workflowId, expiresAt: '2025-12-08T23:00:00.000Z' } }).noticeId, 'the link is not part of the notice id');
  });

  it('without a proposed window: it opens when the team approves, for the rotation\'s duration', () => {
    const { window: _window, ...open } = stage;
    const notice = composeVendorNotice({ ...open, approval: { workflowId: stage.run.workflowId, expiresAt: '2025-12-08T23:00:00.000Z', windowDuration: '2h' } });
    assert.ok(notice.text.includes('Window:       opens when you approve, for 2h'), notice.text);
    assert.equal(notice.webhook.window, null);
    assert.equal(notice.webhook.windowDuration, '2h');
    assert.ok(composeVendorNotice(open).text.includes('Window:       opens when you approve\n'), 'no duration known: none shown');
  });

  it('the webhook payload is Slack-escaped text plus structured fields, and no commands', () => {
    const { webhook, subject, text } = composeVendorNotice(stage);
    assert.equal(webhook.text, slackText(`${subject}\n\n${text}`));
    assert.ok(webhook.text.includes('-in &lt;file&gt; -noout'), 'a <...> in the text is no Slack link');
    assert.equal(webhook.event, 'certrot.key.stage');
    assert.equal(webhook.orgId, '00D000000000001');
    assert.equal(webhook.fingerprint, FP);
    assert.equal(webhook.workflowId, stage.run.workflowId);
    assert.equal(webhook.runId, stage.run.runId);
    assert.deepEqual(webhook.window, stage.window);
    assert.equal(webhook.certificatePem, PEM);
    assert.equal('commands' in webhook, false);
    assert.doesNotMatch(webhook.text, COMMANDS);
  });

  it('outside text is shown, not obeyed: control characters visible in the mail, Slack markup escaped on the webhook', () => {
    const reason = 'rejected by Mallory: <https://evil.example|Approve here>\n\u001b[2J';
    const notice = composeVendorNotice({ ...stage, kind: 'cancel', reason });
    assert.ok(notice.text.includes('Reason: rejected by Mallory: <https://evil.example|Approve here>\\u000a\\u001b[2J'), notice.text);
    assert.ok(!notice.webhook.text.includes('<https://evil.example'), notice.webhook.text);
    assert.ok(notice.webhook.text.includes('&lt;https://evil.example|Approve here&gt;'));
  });

  it('the notice id is a function of the notice: same notice same id, other notice other id', () => {
    const a = composeVendorNotice(stage).noticeId;
    assert.equal(composeVendorNotice({ ...stage }).noticeId, a);
    assert.notEqual(composeVendorNotice({ ...stage, kind: 'activate' }).noticeId, a);
    assert.notEqual(composeVendorNotice({ ...stage, run: { ...stage.run, workflowId: 'other' } }).noticeId, a);
    assert.notEqual(composeVendorNotice({ ...stage, run: { ...stage.run, runId: 'run-2' } }).noticeId, a, 'a later run of the same workflow');
  });

  it('a cancellation names the reason, attaches nothing and offers no approval', () => {
    const notice = composeVendorNotice({ ...stage, kind: 'cancel', reason: 'verification failed: signature did not match' });
    assert.match(notice.subject, /Rotation cancelled/);
    assert.match(notice.text, /Do NOT activate/);
    assert.match(notice.text, /Reason: verification failed/);
    assert.deepEqual(notice.attachments, []);
    assert.equal(notice.webhook.approvalUrl, null);
    assert.equal(notice.webhook.expiresAt, null);
    assert.equal(notice.webhook.certificatePem, null);
    assert.doesNotMatch(notice.text, COMMANDS);
    assert.doesNotMatch(notice.text, /approval page|Decide by/);
  });

  it('an activation on a single-key vendor asks for a one-step replacement', () => {
    const notice = composeVendorNotice({ ...stage, kind: 'activate', replace: true, certificatePem: undefined });
    assert.match(notice.text, /replace the current key with this one in a single step/);
    assert.equal(notice.webhook.replace, true);
  });

  it('an activation asks the team to tell their contact when it is done, with no command to run', () => {
    const notice = composeVendorNotice({ ...stage, kind: 'activate', certificatePem: undefined });
    assert.match(notice.text, /As soon as it is done, tell your contact at the customer \(reply to this message\)/);
    assert.doesNotMatch(notice.text, COMMANDS);
    assert.equal(notice.webhook.approvalUrl, null);
  });

  it('a missed window says nothing changed, what happens next, and how to answer: on the page, or on the team\'s word', () => {
    const missed: VendorNotice = {
      ...stage,
      kind: 'window-missed',
      certificatePem: undefined,
      reason: 'certrot waits for a new window until 2025-12-08T23:00:00.000Z',
      approval: { workflowId: stage.run.workflowId, expiresAt: '2025-12-08T23:00:00.000Z' },
    };
    const notice = composeVendorNotice(missed);
    assert.match(notice.subject, /window closed before the switch - nothing was changed/);
    assert.match(notice.text, /The agreed window \(2025-12-01T22:00:00\.000Z \.\. 2025-12-01T23:00:00\.000Z UTC\) for org 00D000000000001 closed before the switch started\. Nothing was changed/);
    assert.match(notice.text, /What happens next: certrot waits for a new window until 2025-12-08T23:00:00\.000Z/);
    assert.ok(notice.text.includes('Missed:       2025-12-01T22:00:00.000Z .. 2025-12-01T23:00:00.000Z (UTC)'), notice.text);
    assert.match(notice.text, /tell your contact at the customer \(reply to this message\) a new window \(start and end, UTC\) and the fingerprint of the key you installed before 2025-12-08T23:00:00\.000Z/);
    assert.doesNotMatch(notice.text, COMMANDS);
    assert.equal(notice.webhook.event, 'certrot.key.window-missed');
    assert.equal(notice.webhook.expiresAt, '2025-12-08T23:00:00.000Z');
    assert.deepEqual(notice.attachments, []);

    const url = 'https://approvals.example.com/a/p.m';
    const linked = composeVendorNotice({ ...missed, approvalLink: { url, sentTo: 'webhook hooks.vendor.example' } });
    assert.ok(linked.text.includes(`approve again with a new window (or propose one) on your approval page:\n  ${url}`), linked.text);
    assert.match(linked.text, /it was sent to webhook hooks\.vendor\.example/);
    assert.equal(linked.webhook.approvalUrl, url);
    assert.doesNotMatch(linked.text, COMMANDS);
  });
});
