/**
 * A remote codec server (Temporal's codec protocol) so the Temporal Web UI and the `temporal`
 * CLI can show decrypted payloads without ever holding the keys themselves:
 *
 *   POST /encode | /decode   { "payloads": [{ "metadata": { "k": base64 }, "data": base64 }] }
 *                         -> { "payloads": [...same shape...] }
 *
 * Whoever can call /decode can read every secret in history, so every call must prove it knows
 * the token, in one of two ways:
 *   - `Authorization: Bearer <token>` (the `temporal` CLI, scripts);
 *   - a session cookie from signing in with the token at GET/POST /login (the Web UI, which can
 *     send cookies — "Include cross-origin credentials" — but not a fixed token). A cookie is
 *     honoured only on calls whose `Origin` is the one configured Web UI origin.
 * Browsers are let in (CORS, with credentials) from exactly that origin. Preflight requests
 * carry no credentials by design, so OPTIONS is answered without authentication — it reveals
 * nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { RotationError } from '../domain/errors';
import { checkSessions, DEFAULT_SESSION_SECONDS, sessionCookies, SessionSigner, type SessionCheck } from './codec-session';
import { EncryptionCodec, PayloadDecryptionError, type KeyRing } from './encryption-codec';
import { LOGIN_PAGE_HEADERS, loginPage, type LoginPageState } from './login-page';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_LOGIN_BODY_BYTES = 4096;
const MIN_TOKEN_LENGTH = 16;
const ALLOWED_HEADERS = 'content-type,authorization,x-namespace';

export interface CodecServerOptions {
  keyRing: KeyRing;
  /** Shared secret clients send as `Authorization: Bearer <token>`. */
  token: string;
  /** The one browser origin (e.g. the Temporal Web UI, "http://localhost:8233") allowed by CORS. */
  uiOrigin: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxBodyBytes?: number;
  /**
   * The codec server as browsers reach it (e.g. "https://codec.example.com", or behind a proxy).
   * Default: the Host the request named. Used in sign-in instructions; https makes cookies Secure.
   */
  publicUrl?: string;
  /** How long a browser session lasts (default 8 hours). */
  sessionSeconds?: number;
  /** The clock sessions are issued and checked against (tests). */
  now?: () => number;
}

export interface RunningCodecServer {
  url: string;
  /** Where a browser signs in (the public URL's /login when one is configured). */
  loginUrl: string;
  port: number;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** An error the client caused; its message is safe to send back. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Exactly the origin form browsers send in `Origin`: scheme://host[:port], no path. */
export function normaliseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RotationError('CONFIG_INVALID', `UI origin "${value}" is not a URL such as http://localhost:8233`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new RotationError('CONFIG_INVALID', `UI origin "${value}" must be just scheme://host[:port], such as http://localhost:8233`);
  }
  return url.origin;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison with the token (hashing first equalises lengths). */
function isToken(presented: string | undefined, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(presented ?? ''), expectedDigest) && presented !== undefined && presented !== '';
}

/** Constant-time check of `Authorization: Bearer <token>`. */
function authorised(header: string | undefined, expectedDigest: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return isToken(match?.[1], expectedDigest) && match !== null;
}

/** A public URL for links and cookies: http(s), no query or fragment, no trailing slash. */
function normalisePublicUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RotationError('CONFIG_INVALID', `codec server public URL "${value}" is not a URL such as https://codec.example.com`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new RotationError('CONFIG_INVALID', `codec server public URL "${value}" must be http(s)://host[:port][/path], nothing more`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function base64Field(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new RequestError(400, `${where} must be a base64 string`);
  return Buffer.from(value, 'base64');
}

function parsePayloads(body: unknown): Payload[] {
  // The `temporal` CLI serialises with protojson, which leaves an empty list out: `{}` is no payloads.
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0) return [];
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { payloads?: unknown }).payloads)) {
    throw new RequestError(400, 'the body must be a JSON object { "payloads": [...] }');
  }
  return ((body as { payloads: unknown[] }).payloads).map((item, index) => {
    const where = `payloads[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new RequestError(400, `${where} must be an object`);
    const { metadata, data } = item as { metadata?: unknown; data?: unknown };
    const payload: Payload = { metadata: {}, data: data == null ? new Uint8Array() : base64Field(data, `${where}.data`) };
    if (metadata != null) {
      if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new RequestError(400, `${where}.metadata must be an object`);
      for (const [name, value] of Object.entries(metadata)) {
        payload.metadata![name] = base64Field(value, `${where}.metadata[${JSON.stringify(name)}]`);
      }
    }
    return payload;
  });
}

function toJsonPayload(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload.metadata ?? {})) {
    metadata[name] = Buffer.from(value).toString('base64');
  }
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new RequestError(413, `the body is larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new RequestError(413, `the body is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...extraHeaders,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // Decoded payloads are secrets: no browser or proxy may keep a copy.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, state: LoginPageState, extraHeaders: Record<string, string | string[]> = {}): void {
  const text = loginPage(state);
  res.writeHead(status, { ...extraHeaders, ...LOGIN_PAGE_HEADERS, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** After a form POST: back to the sign-in page with GET (so a reload does not post again). */
function redirectToLogin(res: ServerResponse, cookie: string): void {
  res.writeHead(303, { location: 'login', 'set-cookie': cookie, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

/** What a refused session means, and what to do about it. */
function sessionProblem(check: Extract<SessionCheck, { valid: false }>, loginUrl: string): string {
  switch (check.reason) {
    case 'expired':
      return `your codec server session has expired: sign in again at ${loginUrl}`;
    case 'forged':
      return `your codec server session is not valid (signed under another token, or altered): sign in again at ${loginUrl}`;
    case 'malformed':
      return `the codec server session cookie is malformed: sign in again at ${loginUrl}`;
  }
}

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  if (options.token.length < MIN_TOKEN_LENGTH) {
    throw new RotationError('CONFIG_INVALID', `the codec server token must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const uiOrigin = normaliseOrigin(options.uiOrigin);
  const codec = new EncryptionCodec(options.keyRing);
  const tokenDigest = digest(options.token);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const host = options.host ?? '127.0.0.1';
  const publicUrl = options.publicUrl === undefined ? undefined : normalisePublicUrl(options.publicUrl);
  const publicLoginUrl = publicUrl && `${publicUrl.href.replace(/\/+$/, '')}/login`;
  const sessions = new SessionSigner(options.token, options.sessionSeconds ?? DEFAULT_SESSION_SECONDS);
  const now = options.now ?? Date.now;
  let listenUrl = '';

  /** Where this request's browser signs in: the public URL, else the Host it used to reach us. */
  function loginUrlFor(req: IncomingMessage): string {
    if (publicLoginUrl) return publicLoginUrl;
    const named = req.headers.host;
    return named !== undefined && /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(named) ? `http://${named}/login` : `${listenUrl}/login`;
  }

  function cookieAttributes(req: IncomingMessage): { secure: boolean } {
    const overTls = 'encrypted' in req.socket && req.socket.encrypted === true;
    // A TLS-terminating proxy says so; trusting it can only make the cookie stricter.
    const forwarded = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
    return { secure: overTls || forwarded || publicUrl?.protocol === 'https:' };
  }

  /**
   * Sign-in forms are posted by the sign-in page itself: refuse a post from another site's page
   * (it could sign the browser out, or into a session nobody asked for).
   */
  function fromOwnPage(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return req.headers['sec-fetch-site'] !== 'cross-site';
    if (publicUrl && origin === publicUrl.origin) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  function corsHeaders(req: IncomingMessage): Record<string, string> {
    if (req.headers.origin !== uiOrigin) return { vary: 'Origin' };
    return { vary: 'Origin', 'access-control-allow-origin': uiOrigin, 'access-control-allow-credentials': 'true' };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cors = corsHeaders(req);
    const path = new URL(req.url ?? '/', 'http://codec.invalid').pathname;
    const operation = path === '/encode' ? 'encode' : path === '/decode' ? 'decode' : undefined;

    if (req.method === 'OPTIONS') {
      const preflight: Record<string, string> =
        'access-control-allow-origin' in cors
          ? {
              'access-control-allow-methods': 'POST, OPTIONS',
              'access-control-allow-headers': ALLOWED_HEADERS,
              'access-control-max-age': '600',
              // Chrome's private-network access check: the UI page may be on another host.
              ...(req.headers['access-control-request-private-network'] === 'true' ? { 'access-control-allow-private-network': 'true' } : {}),
            }
          : {};
      res.writeHead(204, { ...cors, ...preflight });
      res.end();
      return;
    }
    if (path === '/login' || path === '/logout') {
      await handleSignIn(req, res, path);
      return;
    }
    if (operation === undefined) throw new RequestError(404, 'not found: use POST /encode or POST /decode (browsers sign in at GET /login)');
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: `${req.method ?? '?'} is not allowed: use POST` }, { ...cors, allow: 'POST, OPTIONS' });
      return;
    }
    const refusal = refusalOf(req);
    if (refusal !== undefined) {
      sendJson(res, refusal.status, { error: refusal.error }, { ...cors, ...(refusal.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
      return;
    }
    const contentType = req.headers['content-type'];
    if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
      throw new RequestError(415, 'the body must be application/json');
    }
    const raw = await readBody(req, maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new RequestError(400, 'the body is not valid JSON');
    }
    const payloads = parsePayloads(body);
    let result: Payload[];
    try {
      result = operation === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    } catch (error) {
      if (error instanceof PayloadDecryptionError) throw new RequestError(400, error.message);
      throw error;
    }
    sendJson(res, 200, { payloads: result.map(toJsonPayload) }, cors);
  }

  /** Why an /encode or /decode call may not proceed, or undefined when it may. */
  function refusalOf(req: IncomingMessage): { status: 401 | 403; error: string } | undefined {
    if (authorised(req.headers.authorization, tokenDigest)) return undefined;
    const loginUrl = loginUrlFor(req);
    const check = checkSessions(sessions, sessionCookies(req.headers.cookie), now());
    if (check === undefined) {
      return {
        status: 401,
        error:
          req.headers.authorization === undefined
            ? `not signed in: send "Authorization: Bearer <token>", or sign in at ${loginUrl} and turn on "Include cross-origin credentials" in the Web UI's codec server settings`
            : `missing or wrong bearer token (a browser signs in at ${loginUrl} instead)`,
      };
    }
    if (!check.valid) return { status: 401, error: sessionProblem(check, loginUrl) };
    // Defence in depth: the cookie is same-site, but only the Web UI itself may spend it.
    const origin = req.headers.origin;
    if (origin !== uiOrigin) {
      const shown = origin === undefined ? 'no Origin' : `Origin ${JSON.stringify(origin.slice(0, 100))}`;
      return { status: 403, error: `a codec server session is accepted only from the Web UI at ${uiOrigin}; this request has ${shown}` };
    }
    return undefined;
  }

  async function handleSignIn(req: IncomingMessage, res: ServerResponse, path: '/login' | '/logout'): Promise<void> {
    const attributes = cookieAttributes(req);
    if (req.method === 'GET' && path === '/login') {
      const check = checkSessions(sessions, sessionCookies(req.headers.cookie), now());
      const state: LoginPageState = { uiOrigin };
      if (check?.valid) state.signedInUntil = check.expiresAt;
      else if (check !== undefined) state.error = sessionProblem(check, 'this page');
      sendHtml(res, 200, state);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: path === '/login' ? 'GET, POST' : 'POST', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${req.method ?? '?'} is not allowed here: ${path === '/login' ? 'GET or POST' : 'POST'} ${path}\n`);
      return;
    }
    if (!fromOwnPage(req)) {
      sendHtml(res, 403, { uiOrigin, error: `sign in from this server's own page (${loginUrlFor(req)}), not from another site` });
      return;
    }
    if (path === '/logout') {
      redirectToLogin(res, sessions.clearCookie(attributes));
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      sendHtml(res, 415, { uiOrigin, error: 'post the sign-in form (application/x-www-form-urlencoded)' });
      return;
    }
    const form = new URLSearchParams((await readBody(req, MAX_LOGIN_BODY_BYTES)).toString('utf8'));
    if (!isToken(form.get('token')?.trim(), tokenDigest)) {
      sendHtml(res, 401, { uiOrigin, error: 'that is not the codec server token (CERTROT_CODEC_TOKEN)' });
      return;
    }
    redirectToLogin(res, sessions.setCookie(sessions.issue(now()).value, attributes));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof RequestError ? error.status : 500;
      const message = error instanceof RequestError ? error.message : 'internal error';
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // After a refused body the rest of it is not worth reading: answer, then drop the connection.
      const extra: Record<string, string> = status === 413 ? { connection: 'close' } : {};
      sendJson(res, status, { error: message }, { ...corsHeaders(req), ...extra });
      if (status === 413) req.resume();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  listenUrl = `http://${urlHost}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: listenUrl,
    loginUrl: publicLoginUrl ?? `${listenUrl}/login`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
