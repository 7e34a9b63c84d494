import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startCodecServer, type RunningCodecServer } from '../../src/codec/codec-server';
import { EncryptionCodec, type KeyRing } from '../../src/codec/encryption-codec';

const MARKER = '-----BEGIN PRIVATE KEY----- secret-marker';
const UI_ORIGIN = 'http://localhost:8233';
const TOKEN = randomBytes(24).toString('base64url');
const MAX_BODY = 16 * 1024;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

/** A raw HTTP call (node:http rather than fetch, so Origin and body framing are ours to set). */
function call(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean },
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const url = new URL(options.path, baseUrl);
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined && !options.chunked) headers['content-length'] = String(Buffer.byteLength(options.body));
    let answered = false;
    const req = request(url, { method: options.method ?? 'POST', headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before it has read the whole body: that is fine.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    req.on('close', () => {
      if (!answered) reject(new Error(`${options.method ?? 'POST'} ${options.path}: the connection closed without a response`));
    });
    if (options.body !== undefined) {
      if (options.chunked) {
        const body = Buffer.from(options.body);
        for (let offset = 0; offset < body.length; offset += 4096) req.write(body.subarray(offset, offset + 4096));
      } else {
        req.write(options.body);
      }
    }
    req.end();
  });
}

/** The CORS preflight a browser sends before POST /decode from `origin`, asking for `requestHeaders`. */
function preflightFor(baseUrl: string, origin: string, requestHeaders?: string): Promise<Reply> {
  const headers: Record<string, string> = { origin, 'access-control-request-method': 'POST' };
  if (requestHeaders !== undefined) headers['access-control-request-headers'] = requestHeaders;
  return call(baseUrl, { method: 'OPTIONS', path: '/decode', headers });
}

function authorised(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...extra };
}

describe('codec server (Temporal remote codec protocol)', () => {
  const keyRing: KeyRing = { keys: [{ id: 'k1', key: randomBytes(32) }], current: 'k1' };
  const codec = new EncryptionCodec(keyRing);
  let server: RunningCodecServer | undefined;

  before(async () => {
    server = await startCodecServer({ keyRing, token: TOKEN, uiOrigin: UI_ORIGIN, host: '127.0.0.1', port: 0, maxBodyBytes: MAX_BODY });
  });
  after(async () => {
    await server?.close();
  });

  function url(): string {
    assert.ok(server, 'the codec server did not start');
    return server.url;
  }

  it('decodes a payload the codec encoded back into the original', async () => {
    const original = defaultPayloadConverter.toPayload({ pem: MARKER });
    const [encoded] = await codec.encode([original]);
    const reply = await call(url(), { path: '/decode', headers: authorised(), body: JSON.stringify({ payloads: [toJson(encoded!)] }) });
    assert.equal(reply.status, 200, reply.text);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    assert.equal(reply.headers['cache-control'], 'no-store');
    const body = JSON.parse(reply.text) as { payloads: JsonPayload[] };
    assert.equal(body.payloads.length, 1);
    assert.deepEqual(body.payloads[0], toJson(original));
    assert.deepEqual(defaultPayloadConverter.fromPayload(fromJson(body.payloads[0])), { pem: MARKER });
  });

  it('encodes payloads that the codec can decode, and leaves plain payloads alone on /decode', async () => {
    const original = defaultPayloadConverter.toPayload(MARKER);
    const encodedReply = await call(url(), { path: '/encode', headers: authorised(), body: JSON.stringify({ payloads: [toJson(original)] }) });
    assert.equal(encodedReply.status, 200, encodedReply.text);
    const encoded = (JSON.parse(encodedReply.text) as { payloads: JsonPayload[] }).payloads[0]!;
    assert.equal(Buffer.from(encoded.metadata!.encoding!, 'base64').toString(), 'binary/encrypted');
    assert.equal(encodedReply.text.includes(Buffer.from(MARKER).toString('base64')), false);
    const [decoded] = await codec.decode([fromJson(encoded)]);
    assert.equal(defaultPayloadConverter.fromPayload(decoded!), MARKER);

    const plain = await call(url(), { path: '/decode', headers: authorised(), body: JSON.stringify({ payloads: [toJson(original)] }) });
    assert.deepEqual((JSON.parse(plain.text) as { payloads: JsonPayload[] }).payloads, [toJson(original)]);

    // The `temporal` CLI (protojson) sends no payloads as `{}`, e.g. for a query without arguments.
    for (const path of ['/encode', '/decode']) {
      const empty = await call(url(), { path, headers: authorised(), body: '{}' });
      assert.equal(empty.status, 200, `${path}: ${empty.text}`);
      assert.deepEqual(JSON.parse(empty.text), { payloads: [] });
    }
  });

  it('answers 401 without a token, with a wrong token, and with another scheme', async () => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(MARKER)]);
    const body = JSON.stringify({ payloads: [toJson(encoded!)] });
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, 'Bearer ']) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      const reply = await call(url(), { path: '/decode', headers, body });
      assert.equal(reply.status, 401, `authorization ${String(authorization)}`);
      assert.equal(reply.headers['www-authenticate'], 'Bearer');
      const { error } = JSON.parse(reply.text) as { error: string };
      // Either way the message says how to get in, naming the sign-in page by the address used.
      assert.match(error, authorization === undefined ? /^not signed in: send "Authorization: Bearer <token>", or sign in at http:\/\/127\.0\.0\.1:\d+\/login/ : /^missing or wrong bearer token/);
      assert.match(error, /\/login/);
      assert.equal(reply.text.includes('secret-marker'), false);
    }
  });

  it('sends CORS headers only to the configured UI origin', async () => {
    const body = JSON.stringify({ payloads: [] });
    const allowed = await call(url(), { path: '/decode', headers: authorised({ origin: UI_ORIGIN }), body });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], UI_ORIGIN);
    assert.equal(allowed.headers['access-control-allow-credentials'], 'true');

    for (const origin of ['http://evil.example', 'http://localhost:8234', 'null']) {
      const other = await call(url(), { path: '/decode', headers: authorised({ origin }), body });
      assert.equal(other.headers['access-control-allow-origin'], undefined, origin);
      assert.equal(other.headers['access-control-allow-credentials'], undefined, origin);
    }
    const none = await call(url(), { path: '/decode', headers: authorised(), body });
    assert.equal(none.headers['access-control-allow-origin'], undefined);

    // Also on errors, so the UI can read why it failed.
    const unauthorised = await call(url(), { path: '/decode', headers: { origin: UI_ORIGIN }, body });
    assert.equal(unauthorised.status, 401);
    assert.equal(unauthorised.headers['access-control-allow-origin'], UI_ORIGIN);
  });

  it('answers the OPTIONS preflight with 204 and no authentication', async () => {
    const preflight = await preflightFor(url(), UI_ORIGIN, 'content-type,authorization,x-namespace');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], UI_ORIGIN);
    assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type,authorization,x-namespace');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);

    const foreign = await preflightFor(url(), 'http://evil.example');
    assert.equal(foreign.status, 204);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    assert.equal(foreign.headers['access-control-allow-headers'], undefined);
  });

  it('refuses an oversized body with 413, declared or streamed', async () => {
    const big = JSON.stringify({ payloads: [{ data: Buffer.alloc(MAX_BODY * 4, 1).toString('base64') }] });
    const declared = await call(url(), { path: '/decode', headers: authorised(), body: big });
    assert.equal(declared.status, 413);
    assert.match((JSON.parse(declared.text) as { error: string }).error, /larger than 16384 bytes/);
    const streamed = await call(url(), { path: '/decode', headers: authorised({ 'transfer-encoding': 'chunked' }), body: big, chunked: true });
    assert.equal(streamed.status, 413);
    // The server is still healthy afterwards.
    const ok = await call(url(), { path: '/decode', headers: authorised(), body: JSON.stringify({ payloads: [] }) });
    assert.equal(ok.status, 200);
  });

  it('answers malformed requests with JSON errors', async () => {
    const cases: { path: string; method?: string; headers?: Record<string, string>; body?: string; status: number; error: RegExp }[] = [
      { path: '/decode', body: '{not json', status: 400, error: /not valid JSON/ },
      { path: '/decode', body: '{"payload":[]}', status: 400, error: /"payloads"/ },
      { path: '/decode', body: '{"payloads":[{"data":"%%%"}]}', status: 400, error: /payloads\[0\]\.data must be a base64 string/ },
      { path: '/decode', body: '{"payloads":[{"metadata":{"encoding":7}}]}', status: 400, error: /payloads\[0\]\.metadata\["encoding"\]/ },
      { path: '/decode', headers: authorised({ 'content-type': 'text/plain' }), body: '{}', status: 415, error: /application\/json/ },
      { path: '/decode', method: 'GET', status: 405, error: /use POST/ },
      { path: '/other', body: '{}', status: 404, error: /POST \/encode or POST \/decode/ },
    ];
    for (const c of cases) {
      const reply = await call(url(), { path: c.path, method: c.method, headers: c.headers ?? authorised(), body: c.body });
      assert.equal(reply.status, c.status, `${c.method ?? 'POST'} ${c.path} ${c.body ?? ''}: ${reply.text}`);
      assert.match((JSON.parse(reply.text) as { error: string }).error, c.error);
    }
  });

  it('reports an unknown key id by name without any key material', async () => {
    const stranger = new EncryptionCodec({ keys: [{ id: 'someone-else', key: randomBytes(32) }], current: 'someone-else' });
    const [encoded] = await stranger.encode([defaultPayloadConverter.toPayload(MARKER)]);
    const reply = await call(url(), { path: '/decode', headers: authorised(), body: JSON.stringify({ payloads: [toJson(encoded!)] }) });
    assert.equal(reply.status, 400);
    assert.match(reply.text, /unknown encryption key id \\"someone-else\\"/);
    assert.equal(reply.text.includes(keyRing.keys[0]!.key.toString('base64')), false);
  });

  it('refuses to start with a weak token or an origin that is not an origin', async () => {
    await assert.rejects(startCodecServer({ keyRing, token: 'short', uiOrigin: UI_ORIGIN }), /at least 16 characters/);
    await assert.rejects(startCodecServer({ keyRing, token: TOKEN, uiOrigin: 'http://localhost:8233/ui' }), /scheme:\/\/host\[:port\]/);
    await assert.rejects(startCodecServer({ keyRing, token: TOKEN, uiOrigin: 'localhost' }), /not a URL/);
  });
});

describe('codec server browser sign-in (session cookie for the Web UI)', () => {
  const keyRing: KeyRing = { keys: [{ id: 'k1', key: randomBytes(32) }], current: 'k1' };
  const codec = new EncryptionCodec(keyRing);
  const HOUR = 3_600_000;
  let clock = Date.parse('2026-11-25T10:00:00Z');
  let server: RunningCodecServer | undefined;
  let rotated: RunningCodecServer | undefined;

  before(async () => {
    const common = { keyRing, uiOrigin: UI_ORIGIN, host: '127.0.0.1', port: 0, sessionSeconds: 2 * 3600, now: () => clock };
    server = await startCodecServer({ ...common, token: TOKEN });
    // The same deployment after the token was changed.
    rotated = await startCodecServer({ ...common, token: `${TOKEN}-rotated` });
  });
  after(async () => {
    await Promise.all([server?.close(), rotated?.close()]);
  });

  function url(): string {
    assert.ok(server, 'the codec server did not start');
    return server.url;
  }

  function form(token: string, extra: Record<string, string> = {}): { headers: Record<string, string>; body: string } {
    return { headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url(), ...extra }, body: new URLSearchParams({ token }).toString() };
  }

  /** Signs in and returns the `name=value` part of the session cookie. */
  async function signIn(base = url(), token = TOKEN): Promise<string> {
    const reply = await call(base, { path: '/login', ...form(token, { origin: base }) });
    assert.equal(reply.status, 303, reply.text);
    const cookie = reply.headers['set-cookie']?.[0] ?? '';
    return cookie.split(';')[0]!;
  }

  /** A /decode call with the cookie, from `origin` (null: no Origin header, as from curl). */
  async function decodeWith(cookie: string, origin: string | null = UI_ORIGIN): Promise<Reply> {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(MARKER)]);
    const headers: Record<string, string> = { 'content-type': 'application/json', cookie };
    if (origin !== null) headers.origin = origin;
    return call(url(), { path: '/decode', headers, body: JSON.stringify({ payloads: [toJson(encoded!)] }) });
  }

  it('serves a sign-in form that asks for the token, under a strict CSP', async () => {
    const page = await call(url(), { method: 'GET', path: '/login' });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'.*form-action 'self'.*frame-ancestors 'none'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(page.text, /<form method="post" action="login">/);
    assert.match(page.text, /<input id="token" name="token" type="password"/);
    assert.match(page.text, /http:\/\/localhost:8233/);
    assert.doesNotMatch(page.text, /<script/i);
  });

  it('refuses a wrong token without a cookie, and signs in with the right one', async () => {
    for (const wrong of ['', 'x', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const refused = await call(url(), { path: '/login', ...form(wrong) });
      assert.equal(refused.status, 401, wrong);
      assert.equal(refused.headers['set-cookie'], undefined);
      assert.match(refused.text, /that is not the codec server token/);
    }
    const accepted = await call(url(), { path: '/login', ...form(TOKEN) });
    assert.equal(accepted.status, 303);
    assert.equal(accepted.headers.location, 'login');
    const [cookie] = accepted.headers['set-cookie'] ?? [];
    assert.match(cookie ?? '', /^certrot_codec_session=v1\.\d+\.[\w-]{43}; Max-Age=7200; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal((cookie ?? '').includes(TOKEN), false, 'the cookie must not carry the token');

    const page = await call(url(), { method: 'GET', path: '/login', headers: { cookie: cookie!.split(';')[0]! } });
    assert.match(page.text, /Signed in until <time datetime="2026-11-25T12:00:00.000Z">/);
    assert.match(page.text, /Include cross-origin credentials/);
  });

  it('accepts the cookie on /decode and /encode from the Web UI origin, with credentialed CORS headers', async () => {
    const cookie = await signIn();
    const reply = await decodeWith(cookie);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(defaultPayloadConverter.fromPayload(fromJson((JSON.parse(reply.text) as { payloads: JsonPayload[] }).payloads[0]!)), MARKER);
    assert.equal(reply.headers['access-control-allow-origin'], UI_ORIGIN);
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    assert.equal(reply.headers.vary, 'Origin');

    const encoded = await call(url(), {
      path: '/encode',
      headers: { 'content-type': 'application/json', cookie, origin: UI_ORIGIN },
      body: JSON.stringify({ payloads: [toJson(defaultPayloadConverter.toPayload('x'))] }),
    });
    assert.equal(encoded.status, 200, encoded.text);

    // The preflight a credentialed fetch sends first needs no cookie and allows credentials.
    const preflight = await preflightFor(url(), UI_ORIGIN, 'content-type,x-namespace');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], UI_ORIGIN);
    assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
  });

  it('refuses the cookie from any other origin, or from none', async () => {
    const cookie = await signIn();
    for (const origin of ['http://evil.example', 'http://localhost:8234', 'http://127.0.0.1:8233', 'null', null]) {
      const reply = await decodeWith(cookie, origin);
      assert.equal(reply.status, 403, String(origin));
      assert.match((JSON.parse(reply.text) as { error: string }).error, /accepted only from the Web UI at http:\/\/localhost:8233/);
      assert.equal(reply.headers['access-control-allow-credentials'], undefined, String(origin));
      assert.equal(reply.text.includes('secret-marker'), false);
    }
  });

  it('refuses an expired, a forged and an old-token cookie, saying to sign in again', async () => {
    const cookie = await signIn();
    const [name, value] = cookie.split('=') as [string, string];
    const [version, expiry, mac] = value.split('.') as [string, string, string];
    const oldToken = await signIn(rotated!.url, `${TOKEN}-rotated`);
    const cases: [string, string, RegExp][] = [
      ['forged expiry', `${name}=${version}.${Number(expiry) + 600}.${mac}`, /session is not valid \(signed under another token, or altered\): sign in again at http:\/\/127\.0\.0\.1:\d+\/login/],
      ['made up', `${name}=v1.${expiry}.${'A'.repeat(43)}`, /session is not valid/],
      ['another token', oldToken, /session is not valid \(signed under another token/],
      ['garbage', `${name}=${TOKEN}`, /session cookie is malformed: sign in again/],
    ];
    for (const [label, forged, message] of cases) {
      const reply = await decodeWith(forged);
      assert.equal(reply.status, 401, label);
      assert.match((JSON.parse(reply.text) as { error: string }).error, message, label);
      // Still readable by the UI, so it can show why.
      assert.equal(reply.headers['access-control-allow-origin'], UI_ORIGIN, label);
    }

    const start = clock;
    try {
      clock = start + 2 * HOUR - 1000;
      assert.equal((await decodeWith(cookie)).status, 200, 'still valid just before expiry');
      clock = start + 2 * HOUR;
      const expired = await decodeWith(cookie);
      assert.equal(expired.status, 401);
      assert.match((JSON.parse(expired.text) as { error: string }).error, /session has expired: sign in again at http:\/\/127\.0\.0\.1:\d+\/login/);
      const page = await call(url(), { method: 'GET', path: '/login', headers: { cookie } });
      assert.match(page.text, /session has expired/);
      assert.match(page.text, /name="token"/);
    } finally {
      clock = start;
    }
  });

  it('signs out, and refuses sign-in or sign-out posted from another site', async () => {
    const out = await call(url(), { path: '/logout', headers: { origin: url(), cookie: await signIn() } });
    assert.equal(out.status, 303);
    assert.match(out.headers['set-cookie']?.[0] ?? '', /^certrot_codec_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/);

    for (const path of ['/login', '/logout']) {
      const foreign = await call(url(), { path, ...form(TOKEN, { origin: 'http://evil.example' }) });
      assert.equal(foreign.status, 403, path);
      assert.equal(foreign.headers['set-cookie'], undefined, path);
      const crossSite = await call(url(), { path, headers: { ...form(TOKEN).headers, origin: '', 'sec-fetch-site': 'cross-site' }, body: form(TOKEN).body });
      assert.equal(crossSite.status, 403, `${path} cross-site`);
    }
    const wrongType = await call(url(), { path: '/login', headers: { 'content-type': 'application/json', origin: url() }, body: JSON.stringify({ token: TOKEN }) });
    assert.equal(wrongType.status, 415);
    const get = await call(url(), { method: 'GET', path: '/logout' });
    assert.equal(get.status, 405);
  });

  it('marks the cookie Secure behind https, and names the public URL in its messages', async () => {
    const forwarded = await call(url(), { path: '/login', ...form(TOKEN, { 'x-forwarded-proto': 'https' }) });
    assert.match(forwarded.headers['set-cookie']?.[0] ?? '', /; Secure$/);

    const behindProxy = await startCodecServer({ keyRing, token: TOKEN, uiOrigin: 'https://temporal.example.com', publicUrl: 'https://codec.example.com/', port: 0 });
    try {
      assert.equal(behindProxy.loginUrl, 'https://codec.example.com/login');
      const signedIn = await call(behindProxy.url, { path: '/login', ...form(TOKEN, { origin: 'https://codec.example.com' }) });
      assert.equal(signedIn.status, 303);
      assert.match(signedIn.headers['set-cookie']?.[0] ?? '', /; HttpOnly; SameSite=Strict; Secure$/);
      const refused = await call(behindProxy.url, { path: '/decode', headers: { 'content-type': 'application/json' }, body: '{"payloads":[]}' });
      assert.match((JSON.parse(refused.text) as { error: string }).error, /sign in at https:\/\/codec\.example\.com\/login/);
    } finally {
      await behindProxy.close();
    }
    await assert.rejects(startCodecServer({ keyRing, token: TOKEN, uiOrigin: UI_ORIGIN, publicUrl: 'ftp://codec.example.com' }), /public URL/);
  });
});

/** Runs the command as the lead's CLI will: registered on a parent commander program, in its own process. */
const COMMAND_SCRIPT = [
  "const { Command } = require('commander');",
  "const { registerCodecServerCommand } = require('./src/cli/commands/codec-server.ts');",
  'const program = new Command().exitOverride();',
  'registerCodecServerCommand(program);',
  "program.parseAsync(process.argv.slice(1), { from: 'user' }).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });",
].join('\n');

function spawnCommand(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '-e', COMMAND_SCRIPT, 'codec-server', ...args], {
    cwd: resolve(__dirname, '../..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('certrot codec-server command', () => {
  const key = randomBytes(32).toString('base64');
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;

  after(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('prints its URL, decodes with the keys from the environment, and stops cleanly on SIGTERM', async () => {
    child = spawnCommand(['--port', '0', '--ui-origin', UI_ORIGIN, '--session-hours', '2'], { ...process.env, CERTROT_CODEC_KEYS: `k1:${key}`, CERTROT_CODEC_TOKEN: TOKEN });
    const proc = child;
    exited = new Promise((resolvePromise) => proc.once('exit', (code) => resolvePromise(code)));
    let stdout = '';
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const baseUrl = await new Promise<string>((resolvePromise, reject) => {
      proc.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /Codec server: (http:\/\/\S+)/.exec(stdout);
        if (match && stdout.includes('Press Ctrl+C')) resolvePromise(match[1]!);
      });
      void exited!.then((code) => reject(new Error(`the command exited (${String(code)}) before printing its URL: ${stderr}`)));
    });
    assert.match(stdout, /Web UI: sign in at http:\/\/127\.0\.0\.1:\d+\/login with \$CERTROT_CODEC_TOKEN \(sessions last 2 h\)/);
    assert.equal(stdout.includes(key), false, 'the command printed key material');
    assert.equal(stdout.includes(TOKEN), false, 'the command printed the token');

    const codec = new EncryptionCodec({ keys: [{ id: 'k1', key: Buffer.from(key, 'base64') }], current: 'k1' });
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(MARKER)]);
    const reply = await call(baseUrl, { path: '/decode', headers: authorised(), body: JSON.stringify({ payloads: [toJson(encoded!)] }) });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(defaultPayloadConverter.fromPayload(fromJson((JSON.parse(reply.text) as { payloads: JsonPayload[] }).payloads[0]!)), MARKER);
    const signedIn = await call(baseUrl, {
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    assert.match(signedIn.headers['set-cookie']?.[0] ?? '', /; Max-Age=7200;/);

    proc.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });

  it('refuses a session length that is not a number of hours', async () => {
    for (const hours of ['0', 'eight']) {
      const proc = spawnCommand(['--ui-origin', UI_ORIGIN, '--session-hours', hours], { ...process.env, CERTROT_CODEC_KEYS: `k1:${key}`, CERTROT_CODEC_TOKEN: TOKEN });
      let stderr = '';
      proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolvePromise) => proc.once('exit', resolvePromise));
      assert.equal(code, 1, hours);
      assert.match(stderr, /is not a session length in hours/, hours);
    }
  });

  it('refuses to start without CERTROT_CODEC_TOKEN', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CERTROT_CODEC_KEYS: `k1:${key}` };
    delete env.CERTROT_CODEC_TOKEN;
    const proc = spawnCommand(['--ui-origin', UI_ORIGIN], env);
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolvePromise) => proc.once('exit', resolvePromise));
    assert.equal(code, 1);
    assert.match(stderr, /CERTROT_CODEC_TOKEN is not set/);
    assert.equal(stderr.includes(key), false);
  });
});
