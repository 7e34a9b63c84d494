/**
 * What the provisioning-team adapter (./manual-vendor.ts) tells a vendor's team, composed
 * once for both channels: an email (subject, plain text, the certificate as an attachment)
 * and a webhook payload (Slack-compatible `text` plus structured fields for automation).
 *
 * Pure: no I/O, no clock, no secrets in, so it is tested without an SMTP server. The
 * `noticeId` is derived from the notice itself, including the rotation run, so the same
 * notice re-sent after a retry carries the same Message-ID / Idempotency-Key and can be
 * recognised as a duplicate, while a later run's notice is a new one.
 */
import { createHash } from 'node:crypto';
import type { Notification } from '../notifications/notification';
import type { ChangeWindow, TeamNotice, TeamNoticeKind } from './vendor-port';

export type NoticeKind = TeamNoticeKind;

/** A team notice plus what the adapter's configuration adds to every notice. */
export interface VendorNotice extends TeamNotice {
  vendorName: string;
  /** How operators run the CLI; default `certrot`. */
  cliCommand?: string;
  temporalNamespace?: string;
}

/** What the commands we send refer to. */
export interface CommandTarget {
  workflowId: string;
  fingerprint: string;
  cliCommand?: string;
  temporalNamespace?: string;
}

export interface ApprovalCommands {
  approve: string;
  reject: string;
  temporalApprove: string;
  temporalReject: string;
}

export interface WebhookPayload {
  /** Slack (and Teams/Mattermost "incoming webhook") render this. */
  text: string;
  event: `certrot.key.${NoticeKind}`;
  noticeId: string;
  vendor: string;
  orgId: string;
  fingerprint: string;
  fingerprintAlgorithm: 'SHA-256 over SubjectPublicKeyInfo';
  workflowId: string;
  runId: string;
  window: ChangeWindow | null;
  replace: boolean;
  reason: string | null;
  certificatePem: string | null;
  commands: ApprovalCommands | null;
}

export interface ComposedNotice {
  noticeId: string;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; content: string; contentType: string }>;
  webhook: WebhookPayload;
}

const ACTION_TITLES: Record<NoticeKind, string> = {
  stage: 'New certificate to install (not yet trusted) - approval needed',
  activate: 'Please switch to the new certificate',
  retire: 'Please stop trusting a certificate',
  restore: 'Please trust a previous certificate again (rollback)',
  cancel: 'Rotation cancelled - do not activate the certificate',
  'window-missed': 'The agreed window closed before the switch - nothing was changed, a new window is needed',
};

export function composeVendorNotice(notice: VendorNotice): ComposedNotice {
  const noticeId = noticeIdOf(notice);
  const target: CommandTarget = { ...notice, workflowId: notice.run.workflowId };
  const commands = notice.kind === 'stage' || notice.kind === 'window-missed' ? approvalCommands(target) : null;
  const subject = `[certrot] ${notice.vendorName} / org ${notice.orgId}: ${ACTION_TITLES[notice.kind]} (SPKI ${shortFingerprint(notice.fingerprint)})`;
  const text = [...bodyLines(notice, target), '', `Notice id: ${noticeId}`].join('\n');
  const attachments =
    notice.kind === 'stage' && notice.certificatePem
      ? [{ filename: certificateFileName(notice), content: notice.certificatePem, contentType: 'application/x-pem-file' }]
      : [];
  return {
    noticeId,
    subject,
    text,
    attachments,
    webhook: {
      text: `${subject}\n\n${text}`,
      event: `certrot.key.${notice.kind}`,
      noticeId,
      vendor: notice.vendorName,
      orgId: notice.orgId,
      fingerprint: notice.fingerprint,
      fingerprintAlgorithm: 'SHA-256 over SubjectPublicKeyInfo',
      workflowId: notice.run.workflowId,
      runId: notice.run.runId,
      window: notice.window ?? null,
      replace: notice.replace === true,
      reason: notice.reason ?? null,
      certificatePem: notice.kind === 'stage' ? (notice.certificatePem ?? null) : null,
      commands,
    },
  };
}

/**
 * The notice as the shared channels (src/notifications) send it: the webhook payload as the
 * JSON body (the channel adds the same `text` and `noticeId`) and the key as a mail header.
 */
export function toNotification(notice: ComposedNotice): Notification {
  const { text: _text, noticeId: _noticeId, ...webhookFields } = notice.webhook;
  return {
    noticeId: notice.noticeId,
    subject: notice.subject,
    text: notice.text,
    attachments: notice.attachments,
    webhookFields,
    emailHeaders: { 'X-Certrot-Fingerprint': notice.webhook.fingerprint },
  };
}

/** The exact commands that answer a `stage` (or `window-missed`) notice, ready to paste. */
export function approvalCommands(notice: CommandTarget): ApprovalCommands {
  const cli = notice.cliCommand ?? 'certrot';
  const id = shellQuote(notice.workflowId);
  const fp = notice.fingerprint;
  const namespace = notice.temporalNamespace ? ` --namespace ${shellQuote(notice.temporalNamespace)}` : '';
  const signal = (name: string, input: Record<string, string>): string =>
    `temporal workflow signal${namespace} --workflow-id ${id} --name ${name} --input ${shellQuote(JSON.stringify(input))}`;
  return {
    approve: `${cli} approve --workflow-id ${id} --approver <you> --fingerprint ${fp}`,
    reject: `${cli} reject --workflow-id ${id} --approver <you> --reason '<why>'`,
    temporalApprove: signal('approve', { approver: '<you>', fingerprint: fp }),
    temporalReject: signal('reject', { approver: '<you>', reason: '<why>' }),
  };
}

/** The commands that confirm an `activate` notice: the workflow's vendorApplied signal. */
export function confirmationCommands(notice: CommandTarget): { cli: string; temporal: string } {
  const cli = notice.cliCommand ?? 'certrot';
  const id = shellQuote(notice.workflowId);
  const namespace = notice.temporalNamespace ? ` --namespace ${shellQuote(notice.temporalNamespace)}` : '';
  return {
    cli: `${cli} vendor-applied --workflow-id ${id} --fingerprint ${notice.fingerprint} --by <you>`,
    temporal: `temporal workflow signal${namespace} --workflow-id ${id} --name vendorApplied --input ${shellQuote(JSON.stringify({ fingerprint: notice.fingerprint, by: '<you>' }))}`,
  };
}

/** Approving again with a new window: the approve command with the window flags added. */
function reapprovalCommands(target: CommandTarget): { cli: string; temporal: string } {
  const commands = approvalCommands(target);
  const namespace = target.temporalNamespace ? ` --namespace ${shellQuote(target.temporalNamespace)}` : '';
  const input = { approver: '<you>', fingerprint: target.fingerprint, window: { start: '<start>', end: '<end>' } };
  return {
    cli: `${commands.approve} --window-start <start> --window-end <end>`,
    temporal: `temporal workflow signal${namespace} --workflow-id ${shellQuote(target.workflowId)} --name approve --input ${shellQuote(JSON.stringify(input))}`,
  };
}

function bodyLines(notice: VendorNotice, target: CommandTarget): string[] {
  const commands = approvalCommands(target);
  const facts = [
    `Vendor:       ${notice.vendorName}`,
    `Org:          ${notice.orgId}`,
    `Key (SPKI SHA-256 fingerprint):`,
    `              ${notice.fingerprint}`,
    ...(notice.window ? [`Window:       ${notice.window.start} .. ${notice.window.end} (UTC)`] : []),
    `Workflow id:  ${notice.run.workflowId} (run ${notice.run.runId})`,
  ];
  const check = 'Check the fingerprint with: openssl x509 -in <file> -noout -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 -c';
  switch (notice.kind) {
    case 'stage':
      return [
        `Hello ${notice.vendorName} provisioning team,`,
        '',
        `certrot is rotating the certificate org ${notice.orgId} uses with you. The new public certificate is attached${notice.certificatePem ? ` (${certificateFileName(notice)})` : ''}.`,
        'Please install it as a key for this org WITHOUT trusting it yet, and agree the switch window.',
        '',
        ...facts,
        '',
        check,
        '',
        'When the key is installed and the window suits you, approve (binding your approval to this exact key):',
        `  ${commands.approve}`,
        '  or, with the Temporal CLI:',
        `  ${commands.temporalApprove}`,
        '',
        'To refuse it (the rotation is rolled back and nothing changes on your side):',
        `  ${commands.reject}`,
        '  or:',
        `  ${commands.temporalReject}`,
        '',
        'Replace <you> with your name and <why> with the reason.',
      ];
    case 'activate':
    case 'restore':
      return [
        `Hello ${notice.vendorName} provisioning team,`,
        '',
        notice.kind === 'activate'
          ? `Please start trusting the key below for org ${notice.orgId}${notice.window ? ' within the agreed window' : ' now'}.`
          : `The rotation for org ${notice.orgId} is being rolled back: please trust the previous key below again.`,
        notice.replace === true
          ? 'Your integration holds one key per org: replace the current key with this one in a single step (there is a short mismatch until both sides have switched).'
          : 'Keep trusting the current key as well until we ask you to retire it.',
        '',
        ...facts,
        '',
        ...(notice.kind === 'activate'
          ? [
              'As soon as it is done, confirm it (the rotation waits for this, then verifies with a signed test call):',
              `  ${confirmationCommands(target).cli}`,
              '  or, with the Temporal CLI:',
              `  ${confirmationCommands(target).temporal}`,
            ]
          : ['Tell the rotation operator as soon as it is done (reply to this message); the rotation records your confirmation and then verifies with a signed test call.']),
      ];
    case 'retire':
      return [
        `Hello ${notice.vendorName} provisioning team,`,
        '',
        `Please stop trusting the key below for org ${notice.orgId}; it is being replaced and will be deleted on our side.`,
        '',
        ...facts,
        '',
        'Tell the rotation operator when it is done (reply to this message).',
      ];
    case 'cancel':
      return [
        `Hello ${notice.vendorName} provisioning team,`,
        '',
        `The certificate rotation for org ${notice.orgId} was cancelled and rolled back. Do NOT activate the key below; if you installed it, please remove it. Keep trusting the current key.`,
        ...(notice.reason ? ['', `Reason: ${notice.reason}`] : []),
        '',
        ...facts,
      ];
    case 'window-missed':
      return [
        `Hello ${notice.vendorName} provisioning team,`,
        '',
        `The agreed window${notice.window ? ` (${notice.window.start} .. ${notice.window.end} UTC)` : ''} for org ${notice.orgId} closed before the switch started. Nothing was changed on our side: keep trusting the current key, and do not activate the key below yet.`,
        ...(notice.reason ? ['', `What happens next: ${notice.reason}`] : []),
        '',
        ...facts,
        '',
        'To go ahead, propose a new window by approving again with it (the rotation waits for your answer):',
        `  ${reapprovalCommands(target).cli}`,
        '  or, with the Temporal CLI:',
        `  ${reapprovalCommands(target).temporal}`,
        '',
        'To refuse it instead (the rotation is rolled back and nothing changes on your side):',
        `  ${commands.reject}`,
        '  or:',
        `  ${commands.temporalReject}`,
        '',
        'Replace <you> with your name, <why> with the reason and <start>/<end> with ISO-8601 instants, e.g. 2026-12-05T02:00:00Z.',
      ];
  }
}

function noticeIdOf(notice: VendorNotice): string {
  const material = [notice.kind, notice.vendorName, notice.orgId, notice.fingerprint, notice.run.workflowId, notice.run.runId, notice.window?.start ?? '', notice.window?.end ?? '', notice.replace === true ? 'replace' : '', notice.reason ?? ''].join('\n');
  return `certrot-notice-${createHash('sha256').update(material).digest('hex').slice(0, 32)}`;
}

function certificateFileName(notice: VendorNotice): string {
  const safeOrg = notice.orgId.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${safeOrg}-${notice.fingerprint.replace(/:/g, '').slice(0, 16).toLowerCase()}.pem`;
}

/** The first and last four bytes, enough to tell keys apart in a subject line. */
export function shortFingerprint(fingerprint: string): string {
  const parts = fingerprint.split(':');
  return parts.length > 8 ? `${parts.slice(0, 4).join(':')}...${parts.slice(-4).join(':')}` : fingerprint;
}

/** POSIX shell quoting: bare when safe, otherwise single quotes. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
