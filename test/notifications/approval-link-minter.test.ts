/**
 * The link minter on its own: the URL is `<publicUrl>/a/<token>`, the token checks with the
 * claims asked for, and the same (notice, recipient) always gives the same link, under the
 * same key only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkLinkToken } from '../../src/approvals/link-token';
import { isRotationError } from '../../src/domain/errors';
import { createApprovalLinkMinter, linkIdOf, type ApprovalLinkRequest } from '../../src/vendors/approval-links';

const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const REQUEST: ApprovalLinkRequest = { noticeId: 'certrot-notice-1', workflowId: 'rotate-a', expiresAt: '2035-01-01T00:00:00.000Z', fingerprint: FP, sentTo: 'keys@vendor.example' };

describe('approval link minter', () => {
  const linkKey = randomBytes(32);
  const mint = createApprovalLinkMinter({ publicUrl: 'https://approvals.example.com/', linkKey });

  it('mints <publicUrl>/a/<token> whose token carries the request', () => {
    const url = mint(REQUEST);
    assert.match(url, /^https:\/\/approvals\.example\.com\/a\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const check = checkLinkToken(linkKey, url.slice(url.lastIndexOf('/') + 1), Date.parse('2034-01-01T00:00:00Z'));
    assert.ok(check.ok);
    assert.deepEqual(check.claims, { workflowId: 'rotate-a', fingerprint: FP, sentTo: 'keys@vendor.example', expiresAt: Date.parse(REQUEST.expiresAt), linkId: linkIdOf(linkKey, REQUEST.noticeId, REQUEST.sentTo) });
  });

  it('is deterministic per notice and recipient, and differs for another notice, recipient or key', () => {
    assert.equal(mint({ ...REQUEST }), mint(REQUEST));
    const id = linkIdOf(linkKey, REQUEST.noticeId, REQUEST.sentTo);
    assert.match(id, /^[A-Za-z0-9_-]{22}$/, '128 bits');
    assert.notEqual(linkIdOf(linkKey, 'certrot-notice-2', REQUEST.sentTo), id);
    assert.notEqual(linkIdOf(linkKey, REQUEST.noticeId, 'other@vendor.example'), id);
    assert.notEqual(linkIdOf(randomBytes(32), REQUEST.noticeId, REQUEST.sentTo), id, 'not derivable without the key');
  });

  it('refuses an expiry that is not an instant, naming the field; and a short key', () => {
    assert.throws(() => mint({ ...REQUEST, expiresAt: 'soon' }), (e: unknown) => isRotationError(e, 'INVALID_INPUT') && e.details.field === 'approval.expiresAt');
    assert.throws(() => createApprovalLinkMinter({ publicUrl: 'https://approvals.example.com', linkKey: randomBytes(16) }), /at least 32/);
  });
});
