/**
 * A remote codec server (Temporal's codec protocol) so the Temporal Web UI and the `temporal`
 * CLI can show decrypted payloads without ever holding the keys themselves:
 *
 *   POST /encode | /decode   { "payloads": [{ "metadata": { "k": base64 }, "data": base64 }] }
 *                         -> { "payloads": [...same shape...] }
 *
 * Whoever can call /decode can read every secret in history, so every call needs
 * `Authorization: Bearer <token>`, and browsers are let in (CORS) from exactly one Web UI
 * origin. Preflight requests carry no credentials by design, so OPTIONS is answered without
 * authentication — it reveals nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { RotationError } from '../domain/errors';
import { EncryptionCodec, PayloadDecryptionError, type KeyRing } from './encryption-codec';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
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
}

export interface RunningCodecServer {
  url: string;
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

/** Constant-time check of `Authorization: Bearer <token>` (hashing first equalises lengths). */
function authorised(header: string | undefined, expectedDigest: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const presented = digest(match?.[1] ?? '');
  return timingSafeEqual(presented, expectedDigest) && match !== null;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function base64Field(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new RequestError(400, `${where} must be a base64 string`);
  return Buffer.from(value, 'base64');
}

function parsePayloads(body: unknown): Payload[] {
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

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  if (options.token.length < MIN_TOKEN_LENGTH) {
    throw new RotationError('CONFIG_INVALID', `the codec server token must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const uiOrigin = normaliseOrigin(options.uiOrigin);
  const codec = new EncryptionCodec(options.keyRing);
  const tokenDigest = digest(options.token);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const host = options.host ?? '127.0.0.1';

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
    if (operation === undefined) throw new RequestError(404, 'not found: use POST /encode or POST /decode');
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: `${req.method ?? '?'} is not allowed: use POST` }, { ...cors, allow: 'POST, OPTIONS' });
      return;
    }
    if (!authorised(req.headers.authorization, tokenDigest)) {
      sendJson(res, 401, { error: 'missing or wrong bearer token' }, { ...cors, 'www-authenticate': 'Bearer' });
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
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
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
