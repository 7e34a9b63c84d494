/**
 * The approval link's token and the decision proof, both HMAC-SHA256 under the approvals
 * link key (worker configuration `approvals.linkKey`, at least 32 random bytes).
 *
 * A token is `<payload>.<mac>`, both base64url: the payload names the rotation (workflow
 * id), the new key's SPKI fingerprint, where the link was sent, when it expires (the
 * approval timeout) and a random link id. It is minted by the worker when it sends a notice
 * and checked by the approval service; it never enters workflow history.
 *
 * The decision proof is what the service puts in the update it sends (`link.proof`): an
 * HMAC, under a different label, over the decision and the link's identity. It opens no
 * page and approves nothing else; the worker checks it before a link approval counts, so
 * someone with Temporal access cannot pass an approval off as coming through a link.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_LABEL = 'certrot-approval-link-v1\n';
const PROOF_LABEL = 'certrot-approval-proof-v1\n';
export const MIN_LINK_KEY_BYTES = 32;
/** Tokens longer than this are refused unread. */
export const MAX_TOKEN_LENGTH = 2_048;

export interface LinkClaims {
  /** The rotation's workflow id. */
  readonly workflowId: string;
  /** The new key's SPKI SHA-256, canonical uppercase colon hex. */
  readonly fingerprint: string;
  /** Where the link was sent: an email address, or `webhook <host>`. */
  readonly sentTo: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
  /** Random, names the link (recorded with the decision). */
  readonly linkId: string;
}

export type LinkCheck = { readonly ok: true; readonly claims: LinkClaims } | { readonly ok: false; readonly problem: 'malformed' | 'forged' | 'expired' };

export type Decision = 'approve' | 'reject';

const b64 = (bytes: Buffer): string => bytes.toString('base64url');
const mac = (key: Buffer, label: string, text: string): Buffer => createHmac('sha256', key).update(label).update(text).digest();

export function checkLinkKey(key: Buffer): void {
  if (key.length < MIN_LINK_KEY_BYTES) {
    throw new Error(`approvals.linkKey: must hold at least ${MIN_LINK_KEY_BYTES} random bytes (base64 or hex), e.g. \`openssl rand -base64 32\``);
  }
}

/** `approvals.linkKey` as written in the configuration: base64 (or base64url) or hex. */
export function decodeLinkKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0 ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  checkLinkKey(key);
  return key;
}

export function newLinkId(): string {
  return b64(randomBytes(16));
}

export function mintLinkToken(key: Buffer, claims: LinkClaims): string {
  checkLinkKey(key);
  const payload = b64(Buffer.from(JSON.stringify({ v: 1, w: claims.workflowId, f: claims.fingerprint, to: claims.sentTo, x: claims.expiresAt, n: claims.linkId }), 'utf8'));
  return `${payload}.${b64(mac(key, TOKEN_LABEL, payload))}`;
}

/** Checks a token's MAC first, then its shape and expiry; never throws. */
export function checkLinkToken(key: Buffer, token: string, now: number): LinkCheck {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, problem: 'malformed' };
  }
  const [payload = '', given = ''] = token.split('.');
  const expected = mac(key, TOKEN_LABEL, payload);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, problem: 'forged' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const r = raw as Record<string, unknown>;
  if (r === null || typeof r !== 'object' || r.v !== 1 || typeof r.w !== 'string' || typeof r.f !== 'string' || typeof r.to !== 'string' || typeof r.x !== 'number' || typeof r.n !== 'string') {
    return { ok: false, problem: 'malformed' };
  }
  if (now >= r.x) return { ok: false, problem: 'expired' };
  return { ok: true, claims: { workflowId: r.w, fingerprint: r.f, sentTo: r.to, expiresAt: r.x, linkId: r.n } };
}

function proofText(claims: Pick<LinkClaims, 'workflowId' | 'fingerprint' | 'sentTo' | 'linkId'>, decision: Decision): string {
  return JSON.stringify([decision, claims.workflowId, claims.fingerprint, claims.sentTo, claims.linkId]);
}

/** The service's proof that this decision came through this link. */
export function decisionProof(key: Buffer, claims: Pick<LinkClaims, 'workflowId' | 'fingerprint' | 'sentTo' | 'linkId'>, decision: Decision): string {
  return b64(mac(key, PROOF_LABEL, proofText(claims, decision)));
}

export function checkDecisionProof(key: Buffer, claims: Pick<LinkClaims, 'workflowId' | 'fingerprint' | 'sentTo' | 'linkId'>, decision: Decision, proof: string): boolean {
  if (typeof proof !== 'string' || proof.length > 100) return false;
  const expected = mac(key, PROOF_LABEL, proofText(claims, decision));
  const actual = Buffer.from(proof, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The page's address for a token: `<publicUrl>/a/<token>`. */
export function approvalLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/a/${token}`;
}
