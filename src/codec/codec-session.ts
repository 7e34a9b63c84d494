/**
 * Browser sessions for the codec server. The Temporal Web UI cannot send a fixed bearer token;
 * it can only make its /encode and /decode calls with `credentials: 'include'`. So an operator
 * signs in once at the codec server's /login with the token and gets a cookie.
 *
 * The cookie is stateless and is not the token: `v1.<expiry, unix seconds>.<MAC>`, where MAC is
 * HMAC-SHA256 over `v1.<expiry>` under a key derived (HKDF) from the token. Nothing is stored on
 * the server. Changing the token changes the key, which invalidates every session at once. A
 * cookie that leaks is good only until its expiry and only at this codec server.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'certrot_codec_session';
export const DEFAULT_SESSION_SECONDS = 8 * 60 * 60;

const VERSION = 'v1';
const MAC_BYTES = 32;
const KEY_INFO = 'certrot codec-server session cookie v1';

export type SessionCheck =
  | { valid: true; expiresAt: Date }
  | { valid: false; reason: 'malformed' | 'forged' | 'expired'; expiresAt?: Date };

export interface CookieAttributes {
  /** Only over https: the request came over TLS, or the server's public URL is https. */
  secure: boolean;
}

/** The MAC key for sessions under this token (a different token gives an unrelated key). */
export function sessionKey(token: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(token, 'utf8'), Buffer.alloc(0), KEY_INFO, MAC_BYTES));
}

function mac(key: Buffer, expirySeconds: number): Buffer {
  return createHmac('sha256', key).update(`${VERSION}.${expirySeconds}`).digest();
}

export class SessionSigner {
  private readonly key: Buffer;

  constructor(
    token: string,
    /** How long a session lasts; also the most a cookie may claim, so shortening it applies at once. */
    readonly maxAgeSeconds: number = DEFAULT_SESSION_SECONDS,
  ) {
    if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds <= 0) {
      throw new RangeError(`the session lifetime must be a positive whole number of seconds (got ${maxAgeSeconds})`);
    }
    this.key = sessionKey(token);
  }

  /** A fresh cookie value, valid for `maxAgeSeconds` from `nowMs`. */
  issue(nowMs: number): { value: string; expiresAt: Date } {
    const expiry = Math.floor(nowMs / 1000) + this.maxAgeSeconds;
    return { value: `${VERSION}.${expiry}.${mac(this.key, expiry).toString('base64url')}`, expiresAt: new Date(expiry * 1000) };
  }

  verify(value: string, nowMs: number): SessionCheck {
    const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match) return { valid: false, reason: 'malformed' };
    const expiry = Number(match[1]);
    // Compared as text, so a non-canonical encoding of the right MAC is refused too.
    const presented = Buffer.from(match[2]!, 'ascii');
    const expected = Buffer.from(mac(this.key, expiry).toString('base64url'), 'ascii');
    if (!timingSafeEqual(presented, expected)) return { valid: false, reason: 'forged' };
    const expiresAt = new Date(expiry * 1000);
    const now = Math.floor(nowMs / 1000);
    // A cookie claiming more than one lifetime from now was issued under a longer setting.
    if (expiry <= now || expiry > now + this.maxAgeSeconds) return { valid: false, reason: 'expired', expiresAt };
    return { valid: true, expiresAt };
  }

  /** The `Set-Cookie` value that starts a session. */
  setCookie(value: string, attributes: CookieAttributes): string {
    return serialise(value, this.maxAgeSeconds, attributes);
  }

  /** The `Set-Cookie` value that ends one. */
  clearCookie(attributes: CookieAttributes): string {
    return serialise('', 0, attributes);
  }
}

function serialise(value: string, maxAge: number, { secure }: CookieAttributes): string {
  // SameSite=Strict still reaches us from the Web UI: the UI and the codec server share a site
  // (scheme + registrable domain; ports do not count), so its calls are same-site.
  return `${SESSION_COOKIE}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Every value of the session cookie in a `Cookie` header (another app on the host may reuse names). */
export function sessionCookies(header: string | undefined): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/**
 * The best verdict over several cookie values: valid if any is; otherwise expired beats
 * forged beats malformed, so the message tells the operator the most useful thing.
 */
export function checkSessions(signer: SessionSigner, values: string[], nowMs: number): SessionCheck | undefined {
  const rank = { expired: 2, forged: 1, malformed: 0 } as const;
  let best: SessionCheck | undefined;
  for (const value of values) {
    const check = signer.verify(value, nowMs);
    if (check.valid) return check;
    if (best === undefined || (!best.valid && rank[check.reason] > rank[best.reason])) best = check;
  }
  return best;
}
