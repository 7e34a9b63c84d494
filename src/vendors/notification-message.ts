/**
 * What the provisioning-team adapter (./manual-vendor.ts) tells a vendor's team, composed
 * once for both channels: an email (subject, plain text, the certificate as an attachment)
 * and a webhook payload (Slack-compatible `text` plus structured fields for automation).
 *
 * The people at the vendor cannot run certrot or Temporal commands, so a notice carries
 * none: a `stage` or `window-missed` notice carries the recipient's own signed approval link
 * (with the approval service configured, see ./approval-links.ts), the key's full
 * fingerprint, the window and until when the rotation waits. Without the service it says
 * plainly that the customer's operators approve on the team's word. Text from outside (a
 * reason) has its control characters made visible; the webhook's text is escaped for Slack.
 *
 * Pure: no I/O, no clock, no secrets in (the link is minted by the adapter and passed in),
 * so it is tested without an SMTP server. The `noticeId` is derived from the notice itself,
 * including the rotation run but never the link, so the same notice re-sent after a retry
 * carries the same Message-ID / Idempotency-Key and can be recognised as a duplicate, while
 * a later run's notice is a new one.
 */
import { createHash } from 'node:crypto';
import { visibleControls } from '../domain/display-text';
import type { Notification, Personalization } from '../notifications/notification';
import type { ChangeWindow, TeamNotice, TeamNoticeKind } from './vendor-port';

export type NoticeKind = TeamNoticeKind;

/** This recipient's signed approval link: a secret, for them alone. */
export interface ApprovalLink {
  readonly url: string;
  /** The address it goes to, or `webhook <host>`; recorded with the decision. */
  readonly sentTo: string;
}

/** A team notice plus what the adapter adds: its name and, per recipient, the approval link. */
export interface VendorNotice extends TeamNotice {
  vendorName: string;
  /** stage / window-missed with the approval service configured. */
  approvalLink?: ApprovalLink;
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
  /** No proposed window: it opens when the team approves, for this long (when known). */
  windowDuration: string | null;
  replace: boolean;
  reason: string | null;
  certificatePem: string | null;
  /** The signed approval page (stage / window-missed with the approval service); a secret. */
  approvalUrl: string | null;
  /** stage / window-missed: until when the rotation waits for the team's decision (ISO-8601). */
  expiresAt: string | null;
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

/** Does this kind of notice ask the team for a decision (and so carry a link)? */
export function asksForDecision(kind: NoticeKind): boolean {
  return kind === 'stage' || kind === 'window-missed';
}

export function composeVendorNotice(notice: VendorNotice): ComposedNotice {
  const noticeId = noticeIdOf(notice);
  const subject = `[certrot] ${notice.vendorName} / org ${notice.orgId}: ${ACTION_TITLES[notice.kind]} (SPKI ${shortFingerprint(notice.fingerprint)})`;
  const text = [...bodyLines(notice), '', `Notice id: ${noticeId}`].join('\n');
  const attachments =
    notice.kind === 'stage' && notice.certificatePem
      ? [{ filename: certificateFileName(notice), content: notice.certificatePem, contentType: 'application/x-pem-file' }]
      : [];
  const deciding = asksForDecision(notice.kind);
  return {
    noticeId,
    subject,
    text,
    attachments,
    webhook: {
      text: slackText(`${subject}\n\n${text}`),
      event: `certrot.key.${notice.kind}`,
      noticeId,
      vendor: notice.vendorName,
      orgId: notice.orgId,
      fingerprint: notice.fingerprint,
      fingerprintAlgorithm: 'SHA-256 over SubjectPublicKeyInfo',
      workflowId: notice.run.workflowId,
      runId: notice.run.runId,
      window: notice.window ?? null,
      windowDuration: deciding && !notice.window ? (notice.approval?.windowDuration ?? null) : null,
      replace: notice.replace === true,
      reason: notice.reason ?? null,
      certificatePem: notice.kind === 'stage' ? (notice.certificatePem ?? null) : null,
      approvalUrl: deciding ? (notice.approvalLink?.url ?? null) : null,
      expiresAt: deciding ? (notice.approval?.expiresAt ?? null) : null,
    },
  };
}

/**
 * The notice as the shared channels (src/notifications) send it: the webhook payload as the
 * JSON body (the channel adds the same `text` and `noticeId`) and the key as a mail header.
 */
export function toNotification(notice: ComposedNotice): Notification {
  return {
    noticeId: notice.noticeId,
    subject: notice.subject,
    text: notice.text,
    attachments: notice.attachments,
    webhookText: notice.webhook.text,
    webhookFields: webhookFieldsOf(notice),
    emailHeaders: { 'X-Certrot-Fingerprint': notice.webhook.fingerprint },
    ...(notice.webhook.approvalUrl ? { secrets: linkSecrets(notice.webhook.approvalUrl) } : {}),
  };
}

/**
 * A notice each recipient gets in their own copy (their own approval link): `composeFor`
 * composes it for one recipient; it must keep the notice id (it is the same notice).
 */
export function toPersonalNotification(notice: ComposedNotice, composeFor: (recipient: string) => ComposedNotice): Notification {
  return {
    ...toNotification(notice),
    personalize: (recipient): Personalization => {
      const own = composeFor(recipient);
      if (own.noticeId !== notice.noticeId) throw new Error(`a personal copy of notice ${notice.noticeId} has another id (${own.noticeId})`);
      return {
        text: own.text,
        webhookText: own.webhook.text,
        webhookFields: webhookFieldsOf(own),
        ...(own.webhook.approvalUrl ? { secrets: linkSecrets(own.webhook.approvalUrl) } : {}),
      };
    },
  };
}

function webhookFieldsOf(notice: ComposedNotice): Omit<WebhookPayload, 'text' | 'noticeId'> {
  const { text: _text, noticeId: _noticeId, ...fields } = notice.webhook;
  return fields;
}

/** The link and its token: kept out of channel errors. */
function linkSecrets(url: string): string[] {
  return [url, url.slice(url.lastIndexOf('/') + 1)];
}

/** Slack's escaping (`&`, `<`, `>`): no text in a notice becomes a link or a mention. */
export function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Outside text on a line of its own: control characters (and line breaks) made visible. */
function outside(text: string): string {
  return visibleControls(text);
}

function windowLine(notice: VendorNotice): string {
  if (notice.window) return `${notice.window.start} .. ${notice.window.end} (UTC)`;
  const duration = notice.approval?.windowDuration;
  return `opens when you approve${duration ? `, for ${duration}` : ''}`;
}

function bodyLines(notice: VendorNotice): string[] {
  const deciding = asksForDecision(notice.kind);
  const facts = [
    `Vendor:       ${notice.vendorName}`,
    `Org:          ${notice.orgId} (the org id you know it by)`,
    `Key (SPKI SHA-256 fingerprint):`,
    `              ${notice.fingerprint}`,
    ...(notice.kind === 'window-missed' && notice.window ? [`Missed:       ${windowLine(notice)}`] : []),
    ...(notice.kind !== 'window-missed' && (notice.window || deciding) ? [`Window:       ${windowLine(notice)}`] : []),
    ...(deciding && notice.approval ? [`Decide by:    ${notice.approval.expiresAt} (UTC); the rotation waits until then`] : []),
    `Rotation:     ${notice.run.workflowId} (run ${notice.run.runId})`,
  ];
  const check = 'Check the fingerprint with: openssl x509 -in <file> -noout -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 -c';
  const hello = `Hello ${notice.vendorName} provisioning team,`;
  switch (notice.kind) {
    case 'stage':
      return [
        hello,
        '',
        `certrot is rotating the certificate org ${notice.orgId} uses with you. The new public certificate is attached${notice.certificatePem ? ` (${certificateFileName(notice)})` : ''}.`,
        'Please install it as a key for this org WITHOUT trusting it yet, and agree the switch window.',
        '',
        ...facts,
        '',
        check,
        '',
        ...decisionLines(notice),
      ];
    case 'activate':
    case 'restore':
      return [
        hello,
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
        notice.kind === 'activate'
          ? 'As soon as it is done, tell your contact at the customer (reply to this message): their operators record your confirmation, and the rotation waits for it, then verifies with a signed test call.'
          : 'Tell your contact at the customer as soon as it is done (reply to this message); the rotation records your confirmation and then verifies with a signed test call.',
      ];
    case 'retire':
      return [hello, '', `Please stop trusting the key below for org ${notice.orgId}; it is being replaced and will be deleted on our side.`, '', ...facts, '', 'Tell your contact at the customer when it is done (reply to this message).'];
    case 'cancel':
      return [
        hello,
        '',
        `The certificate rotation for org ${notice.orgId} was cancelled and rolled back. Do NOT activate the key below; if you installed it, please remove it. Keep trusting the current key.`,
        ...(notice.reason ? ['', `Reason: ${outside(notice.reason)}`] : []),
        '',
        ...facts,
      ];
    case 'window-missed':
      return [
        hello,
        '',
        `The agreed window${notice.window ? ` (${notice.window.start} .. ${notice.window.end} UTC)` : ''} for org ${notice.orgId} closed before the switch started. Nothing was changed on our side: keep trusting the current key, and do not activate the key below yet.`,
        ...(notice.reason ? ['', `What happens next: ${outside(notice.reason)}`] : []),
        '',
        ...facts,
        '',
        ...decisionLines(notice),
      ];
  }
}

/** How the team answers a stage / window-missed notice: their link, or their word to the customer. */
function decisionLines(notice: VendorNotice): string[] {
  const stage = notice.kind === 'stage';
  const by = notice.approval ? ` before ${notice.approval.expiresAt} (UTC)` : '';
  const link = notice.approvalLink;
  if (link) {
    return [
      stage ? 'When the key is installed, answer on your approval page:' : 'To go ahead, approve again with a new window (or propose one) on your approval page:',
      `  ${link.url}`,
      '',
      'There you confirm the key you installed (paste its fingerprint, or upload the installed certificate and the page computes it) and say who you are.',
      stage
        ? 'Then approve (binding the approval to this exact key; optionally with another window), propose another window, or reject with a reason.'
        : 'Then approve with a new window, propose one, or reject with a reason.',
      'If you reject, the rotation is rolled back and nothing changes on your side.',
      '',
      `This link is yours: it was sent to ${link.sentTo} (every recipient of this notice gets their own), and that address is recorded with your decision.`,
      `It works until a decision is made and expires${notice.approval ? ` at ${notice.approval.expiresAt} (UTC)` : ' when the rotation stops waiting'}. Do not forward it.`,
    ];
  }
  return [
    stage
      ? `When the key is installed, tell your contact at the customer (reply to this message) the fingerprint of the key you installed and whether the window suits you, or which window would${by}.`
      : `To go ahead, tell your contact at the customer (reply to this message) a new window (start and end, UTC) and the fingerprint of the key you installed${by}.`,
    "The customer's operators then approve the rotation on your word, bound to that exact key.",
    'To refuse it, tell them why: the rotation is rolled back and nothing changes on your side.',
  ];
}

function noticeIdOf(notice: VendorNotice): string {
  const material = [notice.kind, notice.vendorName, notice.orgId, notice.fingerprint, notice.run.workflowId, notice.run.runId, notice.window?.start ?? '', notice.window?.end ?? '', notice.replace === true ? 'replace' : '', notice.reason ?? ''];
  // The approval a stage / window-missed notice asks for (never the link: it is per recipient).
  if (notice.approval && asksForDecision(notice.kind)) material.push(notice.approval.workflowId, notice.approval.expiresAt, notice.approval.windowDuration ?? '');
  const joined = material.join('\n');
  return `certrot-notice-${createHash('sha256').update(joined).digest('hex').slice(0, 32)}`;
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
