/**
 * Shared pieces for the vendor tests: org keys, a local SMTP server that captures mail, a
 * local webhook receiver, and a two-way-TLS GET. Everything listens on 127.0.0.1, port 0.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createSelfSignedCertificate, generateRsaKeyPair, spkiFingerprint } from '../../src/certificates';
import type { RotationRun } from '../../src/domain/vendor';
import type { RetryPolicy } from '../../src/vendors/retry-policy';

export const FAST_RETRY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 5, multiplier: 2 };

/** The rotation run a vendor write belongs to (its idempotency scope). */
export function testRun(workflowId = 'wf-test', runId = 'run-1'): { run: RotationRun } {
  return { run: { workflowId, runId } };
}

export interface OrgKey {
  privateKeyPem: string;
  certificatePem: string;
  fingerprint: string;
}

/** A certificate like the one Salesforce generates: self-signed, RSA 2048. */
export async function makeOrgKey(commonName: string, options: { validityDays?: number; notBefore?: Date } = {}): Promise<OrgKey> {
  const { privateKeyPem } = await generateRsaKeyPair(2048);
  const certificatePem = createSelfSignedCertificate({
    privateKeyPem,
    subject: { commonName, organization: 'certrot tests' },
    validityDays: options.validityDays ?? 30,
    notBefore: options.notBefore,
  });
  return { privateKeyPem, certificatePem, fingerprint: spkiFingerprint(certificatePem) };
}

// ---- SMTP -------------------------------------------------------------------------------

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
  authUser: string | null;
}

export interface SmtpCapture {
  port: number;
  messages: CapturedMail[];
  close(): Promise<void>;
}

/** A plain-text SMTP server; with `credentials` it requires AUTH with exactly those. */
export async function startSmtpCapture(credentials?: { user: string; pass: string }): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: credentials === undefined,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          authUser: typeof session.user === 'string' ? session.user : null,
        });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface MimePart {
  headers: Record<string, string>;
  body: string;
}

/** Just enough MIME: top-level headers and the decoded leaf parts of a multipart message. */
export function parseMail(raw: string): { headers: Record<string, string>; parts: MimePart[] } {
  const top = splitPart(raw.replace(/\r\n/g, '\n'));
  return { headers: top.headers, parts: leafParts(top) };
}

function leafParts(part: { headers: Record<string, string>; rawBody: string }): MimePart[] {
  const type = part.headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return part.rawBody
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .flatMap((chunk) => leafParts(splitPart(chunk.replace(/^\n/, ''))));
  }
  return [{ headers: part.headers, body: decodeBody(part.rawBody, part.headers['content-transfer-encoding'] ?? '7bit') }];
}

function splitPart(text: string): { headers: Record<string, string>; rawBody: string } {
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, rawBody: end < 0 ? '' : text.slice(end + 2) };
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(
        body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    default:
      return body;
  }
}

// ---- webhook ----------------------------------------------------------------------------

export interface CapturedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface WebhookCapture {
  url: string;
  requests: CapturedRequest[];
  /** Status the next requests get (default 200). */
  respondWith: { status: number };
  close(): Promise<void>;
}

export async function startWebhookCapture(): Promise<WebhookCapture> {
  const requests: CapturedRequest[] = [];
  const respondWith = { status: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(respondWith.status, { 'content-type': 'text/plain' });
      res.end(respondWith.status < 300 ? 'ok' : 'no');
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---- two-way TLS ------------------------------------------------------------------------

/** GET over HTTPS trusting only `caPem`, optionally presenting a client certificate. */
export function mutualTlsGet(url: string, options: { caPem: string; client?: OrgKey }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'GET',
      ca: options.caPem,
      agent: false,
      ...(options.client ? { cert: options.client.certificatePem, key: options.client.privateKeyPem } : {}),
    });
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.end();
  });
}

/** Fails the test with the value's description if it did not reject; returns the error. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
