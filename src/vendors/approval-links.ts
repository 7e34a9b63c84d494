/**
 * The signed approval links a provisioning team's notices carry (worker configuration
 * `approvals`): one per notice and recipient, bound to the rotation, the new key's
 * fingerprint, the address it went to and the approval timeout (src/approvals/link-token.ts).
 *
 * A link is deterministic per (notice, recipient): its link id is an HMAC, under the link
 * key, of the notice id and the recipient. So the same notice re-sent to the same address
 * (an activity retry, a worker that restarted and forgot what it delivered) carries the very
 * same link under the same Message-ID / Idempotency-Key, and never a second, different link
 * that would also work; while another notice (a new window, a later run) or another
 * recipient has a link of its own. Without the key the link id cannot be guessed or
 * derived, and the token's MAC covers it anyway.
 *
 * Links are minted inside the manual vendor adapter when a notice goes out: they never
 * enter an activity's input or result, a log line or an error (channels scrub them).
 */
import { createHmac } from 'node:crypto';
import { approvalLinkUrl, checkLinkKey, mintLinkToken } from '../approvals/link-token';
import { RotationError } from '../domain/errors';

const LINK_ID_LABEL = 'certrot-approval-link-id-v1\n';

export interface ApprovalLinkRequest {
  /** The notice's id: with `sentTo`, it names the link. */
  readonly noticeId: string;
  /** The rotation's workflow id. */
  readonly workflowId: string;
  /** ISO-8601: the approval timeout, when the link stops working. */
  readonly expiresAt: string;
  /** The new key's SPKI SHA-256, canonical uppercase colon hex. */
  readonly fingerprint: string;
  /** The email address it goes to, or `webhook <host>`. */
  readonly sentTo: string;
}

/** Returns the page's address, `<publicUrl>/a/<token>`: a secret, for that recipient only. */
export type ApprovalLinkMinter = (request: ApprovalLinkRequest) => string;

export interface ApprovalLinkSettings {
  /** Where the team reaches `certrot approvals`, e.g. https://approvals.example.com. */
  readonly publicUrl: string;
  /** The approvals link key (at least 32 bytes). */
  readonly linkKey: Buffer;
}

export function createApprovalLinkMinter(settings: ApprovalLinkSettings): ApprovalLinkMinter {
  checkLinkKey(settings.linkKey);
  const key = Buffer.from(settings.linkKey);
  return (request) => {
    const expiresAt = Date.parse(request.expiresAt);
    if (!Number.isFinite(expiresAt)) {
      throw new RotationError('INVALID_INPUT', `The approval link for rotation "${request.workflowId}" needs approval.expiresAt as an ISO-8601 instant, not "${request.expiresAt}".`, {
        details: { field: 'approval.expiresAt' },
      });
    }
    const token = mintLinkToken(key, {
      workflowId: request.workflowId,
      fingerprint: request.fingerprint,
      sentTo: request.sentTo,
      expiresAt,
      linkId: linkIdOf(key, request.noticeId, request.sentTo),
    });
    return approvalLinkUrl(settings.publicUrl, token);
  };
}

/** The link's id: 128 bits of HMAC over (notice, recipient), unguessable without the key. */
export function linkIdOf(key: Buffer, noticeId: string, sentTo: string): string {
  return createHmac('sha256', key).update(LINK_ID_LABEL).update(JSON.stringify([noticeId, sentTo])).digest().subarray(0, 16).toString('base64url');
}
