import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSessions, DEFAULT_SESSION_SECONDS, SESSION_COOKIE, sessionCookies, sessionKey, SessionSigner } from '../../src/codec/codec-session';

const TOKEN = 'a-codec-token-of-some-length';
const NOW = Date.parse('2026-11-25T10:00:00Z');
const HOUR = 3_600_000;

describe('codec server sessions', () => {
  const signer = new SessionSigner(TOKEN, 8 * 3600);

  it('issues a cookie that is not the token and verifies until it expires', () => {
    const { value, expiresAt } = signer.issue(NOW);
    assert.equal(expiresAt.toISOString(), '2026-11-25T18:00:00.000Z');
    assert.match(value, /^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    assert.equal(value.includes(TOKEN), false);
    assert.equal(value.includes(Buffer.from(TOKEN).toString('base64url')), false);
    const cases: { at: number; valid: boolean; reason?: string }[] = [
      { at: NOW, valid: true },
      { at: NOW + 8 * HOUR - 1000, valid: true },
      { at: NOW + 8 * HOUR, valid: false, reason: 'expired' },
      { at: NOW + 30 * HOUR, valid: false, reason: 'expired' },
    ];
    for (const c of cases) {
      const check = signer.verify(value, c.at);
      assert.equal(check.valid, c.valid, new Date(c.at).toISOString());
      if (!check.valid) assert.equal(check.reason, c.reason);
    }
  });

  it('refuses an altered expiry, an altered MAC and a cookie made under another token', () => {
    const { value } = signer.issue(NOW);
    const [version, expiry, mac] = value.split('.') as [string, string, string];
    const later = `${version}.${Number(expiry) + 3600}.${mac}`;
    const flipped = `${version}.${expiry}.${mac.slice(0, 10)}${mac[10] === 'A' ? 'B' : 'A'}${mac.slice(11)}`;
    // The last character carries two unused bits: a variant that decodes to the same MAC is still refused.
    const lastChar = mac.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = `${version}.${expiry}.${mac.slice(0, -1)}${alphabet[alphabet.indexOf(lastChar) ^ 1]!}`;
    assert.deepEqual(Buffer.from(sameBytes.split('.')[2]!, 'base64url'), Buffer.from(mac, 'base64url'));
    const otherToken = new SessionSigner(`${TOKEN}-rotated`, 8 * 3600).issue(NOW).value;
    for (const forged of [later, flipped, sameBytes, otherToken]) {
      const check = signer.verify(forged, NOW);
      assert.deepEqual(check.valid ? 'valid' : check.reason, 'forged', forged);
    }
    assert.notDeepEqual(sessionKey(TOKEN), sessionKey(`${TOKEN}-rotated`));
  });

  it('calls anything that is not a session cookie malformed', () => {
    for (const junk of ['', TOKEN, 'v1.123', 'v2.1795641962.zdyDERoC1JtHeN13UW9vcGmVD9HLfu0vG6_AUYqYozo', 'v1.abc.zdyDERoC1JtHeN13UW9vcGmVD9HLfu0vG6_AUYqYozo', 'v1.1.short']) {
      const check = signer.verify(junk, NOW);
      assert.equal(check.valid ? 'valid' : check.reason, 'malformed', junk);
    }
  });

  it('applies a shorter session length to cookies issued under a longer one', () => {
    const long = new SessionSigner(TOKEN, 24 * 3600).issue(NOW).value;
    assert.equal(new SessionSigner(TOKEN, 24 * 3600).verify(long, NOW + HOUR).valid, true);
    const check = signer.verify(long, NOW + HOUR);
    assert.equal(check.valid ? 'valid' : check.reason, 'expired');
  });

  it('writes HttpOnly, SameSite=Strict, Path=/ cookies with Max-Age, Secure only when asked', () => {
    assert.equal(signer.setCookie('v', { secure: false }), `${SESSION_COOKIE}=v; Max-Age=28800; Path=/; HttpOnly; SameSite=Strict`);
    assert.equal(signer.setCookie('v', { secure: true }), `${SESSION_COOKIE}=v; Max-Age=28800; Path=/; HttpOnly; SameSite=Strict; Secure`);
    assert.equal(signer.clearCookie({ secure: false }), `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict`);
    assert.equal(new SessionSigner(TOKEN).maxAgeSeconds, DEFAULT_SESSION_SECONDS);
    assert.throws(() => new SessionSigner(TOKEN, 0), /positive whole number/);
    assert.throws(() => new SessionSigner(TOKEN, 1.5), /positive whole number/);
  });

  it('finds every session cookie in a Cookie header and keeps the most useful verdict', () => {
    assert.deepEqual(sessionCookies(undefined), []);
    assert.deepEqual(sessionCookies(`a=1; ${SESSION_COOKIE}=x;b=2;  ${SESSION_COOKIE} = y ; ${SESSION_COOKIE}_other=z; junk`), ['x', 'y']);

    const good = signer.issue(NOW).value;
    const expired = signer.issue(NOW - 9 * HOUR).value;
    const forged = new SessionSigner('another-token-entirely', 8 * 3600).issue(NOW).value;
    assert.equal(checkSessions(signer, [], NOW), undefined);
    assert.equal(checkSessions(signer, ['junk', forged, good], NOW)?.valid, true);
    const verdict = (values: string[]): string => {
      const check = checkSessions(signer, values, NOW);
      return check === undefined ? 'none' : check.valid ? 'valid' : check.reason;
    };
    assert.equal(verdict(['junk', forged, expired]), 'expired');
    assert.equal(verdict(['junk', forged]), 'forged');
    assert.equal(verdict(['junk']), 'malformed');
  });
});
