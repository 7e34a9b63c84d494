import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approvalCommands, composeVendorNotice, shellQuote, type VendorNotice } from '../../src/vendors/notification-message';

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
  it('a stage notice carries the key, the window, the workflow and the exact commands', () => {
    const notice = composeVendorNotice(stage);
    assert.match(notice.subject, /Acme CPQ \/ org 00D000000000001/);
    assert.match(notice.subject, /SPKI AB:CD:EF:01\.\.\.23:45:67:89\)/);
    for (const expected of [FP, '00D000000000001', 'rotate-00D000000000001-2025-11 (run run-1)', '2025-12-01T22:00:00.000Z .. 2025-12-01T23:00:00.000Z']) {
      assert.ok(notice.text.includes(expected), `text names ${expected}`);
    }
    assert.ok(notice.text.includes(`certrot approve --workflow-id rotate-00D000000000001-2025-11 --approver <you> --fingerprint ${FP}`));
    assert.ok(notice.text.includes(`certrot reject --workflow-id rotate-00D000000000001-2025-11 --approver <you> --reason '<why>'`));
    assert.ok(
      notice.text.includes(
        `temporal workflow signal --workflow-id rotate-00D000000000001-2025-11 --name approve --input '{"approver":"<you>","fingerprint":"${FP}"}'`,
      ),
    );
    assert.deepEqual(notice.attachments, [{ filename: '00D000000000001-abcdef0123456789.pem', content: PEM, contentType: 'application/x-pem-file' }]);
  });

  it('the webhook payload is Slack-compatible text plus structured fields', () => {
    const { webhook, subject } = composeVendorNotice(stage);
    assert.ok(webhook.text.startsWith(subject));
    assert.equal(webhook.event, 'certrot.key.stage');
    assert.equal(webhook.orgId, '00D000000000001');
    assert.equal(webhook.fingerprint, FP);
    assert.equal(webhook.workflowId, stage.run.workflowId);
    assert.equal(webhook.runId, stage.run.runId);
    assert.deepEqual(webhook.window, stage.window);
    assert.equal(webhook.certificatePem, PEM);
    assert.equal(webhook.commands?.approve, approvalCommands({ ...stage, workflowId: stage.run.workflowId }).approve);
  });

  it('quotes workflow ids that the shell would otherwise split or expand', () => {
    const commands = approvalCommands({ workflowId: "rotate it's $HOME", fingerprint: FP, temporalNamespace: 'prod ns' });
    assert.ok(commands.approve.includes(`--workflow-id 'rotate it'\\''s $HOME'`));
    assert.ok(commands.temporalApprove.startsWith(`temporal workflow signal --namespace 'prod ns' --workflow-id`));
    assert.equal(shellQuote('plain-id_1.2'), 'plain-id_1.2');
  });

  it('uses the configured CLI invocation', () => {
    const { text } = composeVendorNotice({ ...stage, cliCommand: 'npx certrot' });
    assert.ok(text.includes('npx certrot approve --workflow-id'));
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
    assert.equal(notice.webhook.commands, null);
    assert.equal(notice.webhook.certificatePem, null);
    assert.ok(!notice.text.includes('certrot approve'));
  });

  it('an activation on a single-key vendor asks for a one-step replacement', () => {
    const notice = composeVendorNotice({ ...stage, kind: 'activate', replace: true, certificatePem: undefined });
    assert.match(notice.text, /replace the current key with this one in a single step/);
    assert.equal(notice.webhook.replace, true);
  });

  it('an activation tells the team the exact command that confirms it (the vendorApplied signal)', () => {
    const notice = composeVendorNotice({ ...stage, kind: 'activate', certificatePem: undefined });
    assert.ok(notice.text.includes(`certrot vendor-applied --workflow-id ${stage.run.workflowId} --fingerprint ${stage.fingerprint} --by <you>`), notice.text);
    assert.match(notice.text, /temporal workflow signal --workflow-id .* --name vendorApplied --input '\{"fingerprint":"[0-9A-F:]+","by":"<you>"\}'/);
  });

  it('a missed window says nothing changed, what happens next, and how to approve again with a new window', () => {
    const notice = composeVendorNotice({ ...stage, kind: 'window-missed', certificatePem: undefined, reason: 'certrot waits for a new window until 2025-12-08T23:00:00.000Z' });
    assert.match(notice.subject, /window closed before the switch - nothing was changed/);
    assert.match(notice.text, /The agreed window \(2025-12-01T22:00:00\.000Z \.\. 2025-12-01T23:00:00\.000Z UTC\) for org 00D000000000001 closed before the switch started\. Nothing was changed/);
    assert.match(notice.text, /What happens next: certrot waits for a new window until 2025-12-08T23:00:00\.000Z/);
    assert.ok(notice.text.includes(`certrot approve --workflow-id rotate-00D000000000001-2025-11 --approver <you> --fingerprint ${FP} --window-start <start> --window-end <end>`), notice.text);
    assert.ok(notice.text.includes(`--name approve --input '{"approver":"<you>","fingerprint":"${FP}","window":{"start":"<start>","end":"<end>"}}'`), notice.text);
    assert.ok(notice.text.includes(`certrot reject --workflow-id rotate-00D000000000001-2025-11`));
    assert.equal(notice.webhook.event, 'certrot.key.window-missed');
    assert.deepEqual(notice.attachments, []);
  });
});
