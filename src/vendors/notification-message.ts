/**
 * What the manual vendor adapter tells a vendor's provisioning team, composed once for
 * both channels: an email (subject, plain text, the certificate as an attachment) and a
 * webhook payload (Slack-compatible `text` plus structured fields for automation).
 *
 * Pure: no I/O, no clock, no secrets in, so it is tested without an SMTP server. The
 * `noticeId` is derived from the notice itself, so the same notice re-sent after a retry
 * carries the same Message-ID / Idempotency-Key and can be recognised as a duplicate.
 */
import { createHash } from 'node:crypto';
import type { ChangeWindow } from './vendor-port';

export type NoticeKind = 'stage' | 'activate' | 'retire' | 'restore' | 'cancel';

export interface VendorNotice {
  kind: NoticeKind;
  vendorName: string;
  orgId: string;
  /** SPKI SHA-256, canonical form. */
  fingerprint: string;
  /** The public certificate; attached to `stage` notices. */
  certificatePem?: string;
  workflowId?: string;
  window?: ChangeWindow;
  /** activate/restore on a single-key vendor: the old key goes in the same step. */
  replace?: boolean;
  /** Why a rotation was cancelled (`cancel`). */
  reason?: string;
  /** How operators run the CLI; default `certrot`. */
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
  workflowId: string | null;
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
};

export function composeVendorNotice(notice: VendorNotice): ComposedNotice {
  const noticeId = noticeIdOf(notice);
  const commands = notice.kind === 'stage' && notice.workflowId ? approvalCommands(notice) : null;
  const subject = `[certrot] ${notice.vendorName} / org ${notice.orgId}: ${ACTION_TITLES[notice.kind]} (SPKI ${shortFingerprint(notice.fingerprint)})`;
  const text = [...bodyLines(notice, commands), '', `Notice id: ${noticeId}`].join('\n');
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
      workflowId: notice.workflowId ?? null,
      window: notice.window ?? null,
      replace: notice.replace === true,
      reason: notice.reason ?? null,
      certificatePem: notice.kind === 'stage' ? (notice.certificatePem ?? null) : null,
      commands,
    },
  };
}

/** The exact commands that answer a `stage` notice, ready to paste. */
export function approvalCommands(notice: Pick<VendorNotice, 'workflowId' | 'fingerprint' | 'cliCommand' | 'temporalNamespace'>): ApprovalCommands {
  const cli = notice.cliCommand ?? 'certrot';
  const id = shellQuote(notice.workflowId ?? '<workflow-id>');
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
export function confirmationCommands(notice: Pick<VendorNotice, 'workflowId' | 'fingerprint' | 'cliCommand' | 'temporalNamespace'>): { cli: string; temporal: string } {
  const cli = notice.cliCommand ?? 'certrot';
  const id = shellQuote(notice.workflowId ?? '<workflow-id>');
  const namespace = notice.temporalNamespace ? ` --namespace ${shellQuote(notice.temporalNamespace)}` : '';
  return {
    cli: `${cli} vendor-applied --workflow-id ${id} --fingerprint ${notice.fingerprint} --by <you>`,
    temporal: `temporal workflow signal${namespace} --workflow-id ${id} --name vendorApplied --input ${shellQuote(JSON.stringify({ fingerprint: notice.fingerprint, by: '<you>' }))}`,
  };
}

function bodyLines(notice: VendorNotice, commands: ApprovalCommands | null): string[] {
  const facts = [
    `Vendor:       ${notice.vendorName}`,
    `Org:          ${notice.orgId}`,
    `Key (SPKI SHA-256 fingerprint):`,
    `              ${notice.fingerprint}`,
    ...(notice.window ? [`Window:       ${notice.window.start} .. ${notice.window.end} (UTC)`] : []),
    ...(notice.workflowId ? [`Workflow id:  ${notice.workflowId}`] : []),
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
        ...(commands
          ? [
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
            ]
          : ['Reply to this message to approve or refuse the key; the rotation waits for your answer.']),
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
        ...(notice.kind === 'activate' && notice.workflowId
          ? [
              'As soon as it is done, confirm it (the rotation waits for this, then verifies with a signed test call):',
              `  ${confirmationCommands(notice).cli}`,
              '  or, with the Temporal CLI:',
              `  ${confirmationCommands(notice).temporal}`,
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
  }
}

function noticeIdOf(notice: VendorNotice): string {
  const material = [notice.kind, notice.vendorName, notice.orgId, notice.fingerprint, notice.workflowId ?? '', notice.window?.start ?? '', notice.window?.end ?? '', notice.replace === true ? 'replace' : '', notice.reason ?? ''].join('\n');
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
