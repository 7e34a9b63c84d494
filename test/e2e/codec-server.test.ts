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
      assert.deepEqual(JSON.parse(reply.text), { error: 'missing or wrong bearer token' });
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
    const preflight = await call(url(), {
      method: 'OPTIONS',
      path: '/decode',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization,x-namespace' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], UI_ORIGIN);
    assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type,authorization,x-namespace');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);

    const foreign = await call(url(), { method: 'OPTIONS', path: '/decode', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
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
    child = spawnCommand(['--port', '0', '--ui-origin', UI_ORIGIN], { ...process.env, CERTROT_CODEC_KEYS: `k1:${key}`, CERTROT_CODEC_TOKEN: TOKEN });
    const proc = child;
    exited = new Promise((resolvePromise) => proc.once('exit', (code) => resolvePromise(code)));
    let stdout = '';
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const baseUrl = await new Promise<string>((resolvePromise, reject) => {
      proc.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /Codec server: (http:\/\/\S+)/.exec(stdout);
        if (match) resolvePromise(match[1]!);
      });
      void exited!.then((code) => reject(new Error(`the command exited (${String(code)}) before printing its URL: ${stderr}`)));
    });
    assert.equal(stdout.includes(key), false, 'the command printed key material');
    assert.equal(stdout.includes(TOKEN), false, 'the command printed the token');

    const codec = new EncryptionCodec({ keys: [{ id: 'k1', key: Buffer.from(key, 'base64') }], current: 'k1' });
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(MARKER)]);
    const reply = await call(baseUrl, { path: '/decode', headers: authorised(), body: JSON.stringify({ payloads: [toJson(encoded!)] }) });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(defaultPayloadConverter.fromPayload(fromJson((JSON.parse(reply.text) as { payloads: JsonPayload[] }).payloads[0]!)), MARKER);

    proc.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
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
