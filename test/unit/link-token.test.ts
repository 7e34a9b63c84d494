/**
 * The approval link's token and decision proof (src/approvals/link-token.ts): a link opens
 * only the rotation and key it was minted for, until it expires, and a decision proof is
 * bound to the decision, the link and the rotation.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { checkDecisionProof, checkLinkToken, decisionProof, decodeLinkKey, mintLinkToken, newLinkId } from '../../src/approvals/link-token';

const key = randomBytes(32);
const claims = {
  workflowId: 'rotate/acme/vendor_cert',
  fingerprint: 'AB:'.repeat(31) + 'AB',
  sentTo: 'keys@vendor.example',
  expiresAt: Date.parse('2026-12-09T00:00:00Z'),
  linkId: newLinkId(),
};
const now = Date.parse('2026-12-02T00:00:00Z');

test('a minted token checks back to its claims until it expires', () => {
  const token = mintLinkToken(key, claims);
  assert.deepEqual(checkLinkToken(key, token, now), { ok: true, claims });
  assert.deepEqual(checkLinkToken(key, token, claims.expiresAt), { ok: false, problem: 'expired' });
});

test('a token under another key, or with its payload changed, is forged', () => {
  const token = mintLinkToken(key, claims);
  assert.deepEqual(checkLinkToken(randomBytes(32), token, now), { ok: false, problem: 'forged' });
  const other = mintLinkToken(key, { ...claims, workflowId: 'rotate/acme/other_cert' });
  const spliced = `${other.split('.')[0]}.${token.split('.')[1]}`;
  assert.deepEqual(checkLinkToken(key, spliced, now), { ok: false, problem: 'forged' });
});

test('malformed and oversized tokens are refused unread', () => {
  for (const bad of ['', 'abc', 'a.b.c', 'x'.repeat(3000) + '.y', 'ab$.cd']) {
    assert.deepEqual(checkLinkToken(key, bad, now), { ok: false, problem: 'malformed' }, bad.slice(0, 20));
  }
});

test('a decision proof is bound to the decision and the link', () => {
  const proof = decisionProof(key, claims, 'approve');
  assert.equal(checkDecisionProof(key, claims, 'approve', proof), true);
  assert.equal(checkDecisionProof(key, claims, 'reject', proof), false);
  assert.equal(checkDecisionProof(key, { ...claims, sentTo: 'someone@else.example' }, 'approve', proof), false);
  assert.equal(checkDecisionProof(randomBytes(32), claims, 'approve', proof), false);
  assert.equal(checkDecisionProof(key, claims, 'approve', 'x'.repeat(200)), false);
});

test('link keys shorter than 32 bytes are refused with the fix', () => {
  assert.throws(() => decodeLinkKey(randomBytes(16).toString('base64')), /at least 32 random bytes.*openssl rand/);
  assert.equal(decodeLinkKey(randomBytes(32).toString('hex')).length, 32);
  assert.equal(decodeLinkKey(randomBytes(32).toString('base64')).length, 32);
});
