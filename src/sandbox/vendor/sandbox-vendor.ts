/**
 * A local vendor that speaks the real wire protocols, so the real `http` adapter and the
 * two-way-TLS probe are what tests and the demo exercise:
 *
 * - plain HTTP port: the key registry API (api/vendor-key-registry.openapi.yaml) plus the
 *   sandbox control plane (`/__sandbox/state`, `/__sandbox/faults`, `/__sandbox/orgs/{id}`,
 *   `/__sandbox/activations`: GET `{ activations: [{ at, orgId, fingerprint, replacing, action }] }`, DELETE clears);
 * - HTTPS port: an "integration server" that demands a client certificate and trusts exactly
 *   the currently active keys (`GET /` answers `{ fingerprint, orgId }` or 403), and the same
 *   registry API for clients that authenticate with a client certificate.
 *
 * Its server certificate comes from the sandbox test CA (../test-ca.ts); clients trust that
 * CA explicitly.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ZodError } from 'zod';
import { normalizeFingerprint, spkiFingerprint } from '../../certificates';
import { canonicalJson } from '../../vendors/idempotency-key';
import type { RegistryErrorCode } from '../../vendors/registry-wire';
import { issueServerCertificate, LOCAL_HOST_NAMES, sandboxTestCa, type TestCa } from '../test-ca';
import { FaultInjector, type DrawnFault, type FaultRule, type SandboxOperation } from './fault-injector';
import { approvalControl } from './approval-routes';
import { fieldPath, parseSandboxVendorFixture, type SandboxVendorFixtureInput } from './fixture';
import { IdempotencyStore, type StoredResponse } from './idempotency-store';
import { matchRoute, ORG_ID_PATTERN, parseRegistryRequest, type RegistryRequest } from './request-rules';
import { SandboxApprovals } from './sandbox-approvals';
import { RegistryRefusal, SandboxKeyRegistry, type OrgMode, type OrgSnapshot } from './sandbox-key-registry';

export interface SandboxVendorOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  tlsPort?: number;
  /** When set, every registry API call must send `Authorization: Bearer <token>`. */
  token?: string;
  /** Orgs, keys and approval settings at start (FIXTURE.md); validated, CONFIG_INVALID naming the field. */
  fixture?: SandboxVendorFixtureInput;
  faults?: FaultRule[];
  /**
   * When set, registry API calls on the HTTPS port must present a client certificate whose
   * SPKI fingerprint is in this list (the vendor-issued API client certificate).
   */
  apiClientFingerprints?: string[];
  idempotencyTtlMs?: number;
  /** Seams for tests. */
  random?: () => number;
  clock?: () => Date;
  /** Defaults to the process-wide sandbox test CA. */
  ca?: TestCa;
}

export interface SandboxVendorHandle {
  /** http://127.0.0.1:<port> */
  url: string;
  /** https://127.0.0.1:<tlsPort> */
  tlsUrl: string;
  port: number;
  tlsPort: number;
  /** The CA that issued the HTTPS port's certificate: what clients must trust. */
  caPem: string;
  close(): Promise<void>;
}

export interface AppliedWrite {
  operation: SandboxOperation;
  orgId: string;
  fingerprint: string | null;
  idempotencyKey: string;
  status: number;
  at: string;
}

export interface SandboxVendorState {
  orgs: OrgSnapshot[];
  /** Writes actually applied (replays are not listed): what idempotency tests count. */
  writes: AppliedWrite[];
  /** Registry API requests received per operation, including failed and replayed ones. */
  requests: Partial<Record<SandboxOperation, number>>;
  faults: ReturnType<FaultInjector['list']>;
}

const MAX_BODY_BYTES = 256 * 1024;

export class SandboxVendor {
  readonly registry: SandboxKeyRegistry;
  /** Approval states and continuity policies (contract 1.2). */
  readonly approvals: SandboxApprovals;
  readonly faults: FaultInjector;
  private readonly idempotency: IdempotencyStore;
  private readonly writes: AppliedWrite[] = [];
  private readonly requests: Partial<Record<SandboxOperation, number>> = {};
  private readonly clock: () => Date;
  private readonly apiClientFingerprints: ReadonlySet<string> | undefined;

  constructor(private readonly options: SandboxVendorOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.registry = new SandboxKeyRegistry(this.clock);
    this.faults = new FaultInjector(options.faults ?? [], options.random ?? Math.random);
    this.idempotency = new IdempotencyStore(options.idempotencyTtlMs, () => this.clock().getTime());
    this.apiClientFingerprints = options.apiClientFingerprints ? new Set(options.apiClientFingerprints.map((fingerprint) => normalizeFingerprint(fingerprint))) : undefined;
    const fixture = parseSandboxVendorFixture(options.fixture ?? { orgs: [] }, 'options.fixture');
    for (const org of fixture.orgs) {
      this.registry.putOrg(org.orgId, org.mode);
      for (const key of org.keys) this.registry.seedKey(org.orgId, key.certificatePem, key.state);
    }
    const policies = new Map(fixture.orgs.flatMap((org) => (org.continuityPolicy ? [[org.orgId, org.continuityPolicy] as const] : [])));
    this.approvals = new SandboxApprovals(this.registry, this.clock, { ...fixture.approvals, policies });
  }

  async start(): Promise<SandboxVendorHandle> {
    const host = this.options.host ?? '127.0.0.1';
    const ca = this.options.ca ?? (await sandboxTestCa());
    const serverCredentials = await issueServerCertificate(ca, [...LOCAL_HOST_NAMES, ...(isWildcard(host) ? [] : [host])]);

    const plain = http.createServer((req, res) => void this.handle(req, res, 'plain'));
    // Why requestCert + rejectUnauthorized:false, checked per request, rather than a `ca`
    // list swapped in with setSecureContext: the vendor trusts *public keys* (pins), not
    // issuers, and the set changes with every activate/retire. A `ca` list trusts whatever
    // an active certificate could sign and only affects new handshakes, so a keep-alive
    // connection opened with a since-retired key would still be served, and a refused
    // client would see a bare handshake error. Here OpenSSL still proves the client holds
    // the private key (CertificateVerify), and each request is checked against the live
    // set and refused with a 403 that says why.
    const secure = https.createServer(
      { cert: serverCredentials.certificatePem, key: serverCredentials.privateKeyPem, requestCert: true, rejectUnauthorized: false },
      (req, res) => void this.handle(req, res, 'tls'),
    );
    // A client that fails its own checks (e.g. does not trust our CA) just hangs up.
    secure.on('tlsClientError', () => undefined);

    const port = await listen(plain, this.options.port ?? 0, host);
    let tlsPort: number;
    try {
      tlsPort = await listen(secure, this.options.tlsPort ?? 0, host);
    } catch (error) {
      await closeServer(plain);
      throw error;
    }
    const shown = urlHost(host);
    return {
      url: `http://${shown}:${port}`,
      tlsUrl: `https://${shown}:${tlsPort}`,
      port,
      tlsPort,
      caPem: ca.certificatePem,
      close: async () => {
        await Promise.all([closeServer(plain), closeServer(secure)]);
      },
    };
  }

  state(): SandboxVendorState {
    return {
      orgs: this.registry.snapshot(),
      writes: this.writes.map((w) => ({ ...w })),
      requests: { ...this.requests },
      faults: this.faults.list(),
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, port: 'plain' | 'tls'): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const rawBody = await readBody(req);
      if (port === 'plain' && url.pathname.startsWith('/__sandbox/')) {
        this.control(req.method ?? 'GET', url.pathname, rawBody, res);
      } else if (port === 'tls' && (url.pathname === '/' || url.pathname === '/whoami')) {
        await this.mutualTlsProbe(req, res);
      } else if (url.pathname.startsWith('/v1/')) {
        await this.api(req, url, rawBody, res, port);
      } else {
        sendError(res, 404, 'NOT_FOUND', `No route ${req.method ?? ''} ${url.pathname}.`);
      }
    } catch (error) {
      if (error instanceof RegistryRefusal) sendError(res, error.status, error.code, error.message);
      else sendError(res, 500, 'INTERNAL', `Sandbox vendor error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async api(req: http.IncomingMessage, url: URL, rawBody: string, res: http.ServerResponse, port: 'plain' | 'tls'): Promise<void> {
    // The contract's order of checks: path, method, credentials, request rules, then state.
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    if (match.kind === 'not-found') {
      sendError(res, 404, 'NOT_FOUND', `No path ${url.pathname} in api/vendor-key-registry.openapi.yaml.`);
      return;
    }
    if (match.kind === 'method-not-allowed') {
      const allow = match.allow.join(', ');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method ?? ''} is not an operation of ${url.pathname}; it allows ${allow}.`, { allow });
      return;
    }
    const route = match.route;
    this.requests[route.operation] = (this.requests[route.operation] ?? 0) + 1;
    this.authenticate(req, port);
    const body = parseJsonBody(rawBody);
    const request = parseRegistryRequest(route, body, headerValue(req.headers['idempotency-key']));
    const fault = this.faults.draw(route.operation);
    if (fault.latencyMs > 0) await delay(fault.latencyMs);
    if (fault.failure?.when === 'before-apply') return injectFailure(res, fault);
    const outcome = this.apply(request, body);
    if (fault.failure?.when === 'after-apply') return injectFailure(res, fault);
    send(res, outcome.status, outcome.body, outcome.replayed ? { 'idempotent-replayed': 'true' } : {});
  }

  private authenticate(req: http.IncomingMessage, port: 'plain' | 'tls'): void {
    const token = this.options.token;
    if (token !== undefined) {
      const given = headerValue(req.headers.authorization) ?? '';
      if (!sameSecret(given, `Bearer ${token}`)) {
        throw new RegistryRefusal(401, 'UNAUTHENTICATED', given === '' ? 'Send "Authorization: Bearer <token>".' : 'The bearer token is not valid.');
      }
    }
    if (port === 'tls' && this.apiClientFingerprints) {
      const peer = peerFingerprint(req);
      if (peer === undefined || !this.apiClientFingerprints.has(peer)) {
        throw new RegistryRefusal(403, 'FORBIDDEN', 'The API on this port requires a client certificate issued for API access.');
      }
    }
  }

  /** Synchronous from lookup to remember: two requests with one key cannot both apply. */
  /** `body` is the request body as sent: the same key with another body is another request. */
  private apply(request: RegistryRequest, body: Record<string, unknown>): StoredResponse & { replayed?: boolean } {
    try {
      if (!('idempotencyKey' in request)) return { status: 200, body: this.read(request) };
      const { idempotencyKey } = request;
      const identity = `${request.operation}\n${request.orgId}\n${'fingerprint' in request ? request.fingerprint : ''}\n${canonicalJson(body)}`;
      const seen = this.idempotency.lookup(idempotencyKey, identity);
      if (seen.kind === 'replay') return { ...seen.response, replayed: true };
      if (seen.kind === 'mismatch') {
        throw new RegistryRefusal(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request.');
      }
      const response = this.write(request);
      this.idempotency.remember(idempotencyKey, identity, response);
      const key = (response.body as { key?: { fingerprint?: string } }).key;
      this.writes.push({
        operation: request.operation,
        orgId: request.orgId,
        fingerprint: key?.fingerprint ?? ('fingerprint' in request ? request.fingerprint : null),
        idempotencyKey,
        status: response.status,
        at: this.clock().toISOString(),
      });
      return response;
    } catch (error) {
      if (error instanceof RegistryRefusal) return { status: error.status, body: { code: error.code, message: error.message } };
      throw error;
    }
  }

  private read(request: Extract<RegistryRequest, { operation: 'capabilities' | 'listKeys' | 'verifySignature' | 'approvalState' }>): unknown {
    switch (request.operation) {
      case 'capabilities':
        return this.registry.capabilities(request.orgId);
      case 'listKeys':
        return { keys: this.registry.list(request.orgId) };
      case 'verifySignature':
        return this.registry.verify(request.orgId, request.nonce, request.signature);
      case 'approvalState':
        return this.approvals.state(request.orgId, request.fingerprint);
    }
  }

  private write(request: Extract<RegistryRequest, { idempotencyKey: string }>): StoredResponse {
    switch (request.operation) {
      case 'stageKey': {
        const { created, change } = this.registry.stage(request.orgId, request.certificatePem);
        return { status: created ? 201 : 200, body: change };
      }
      case 'activateKey':
        return { status: 200, body: this.registry.activate(request.orgId, request.fingerprint, request.replace) };
      case 'restoreKey':
        return { status: 200, body: this.registry.restore(request.orgId, request.fingerprint, request.replace) };
      case 'retireKey':
        return { status: 200, body: this.registry.retire(request.orgId, request.fingerprint) };
      case 'submitContinuity':
        return { status: 200, body: this.approvals.continuity(request.orgId, request.fingerprint, request.statement, request.oldSignature, request.newSignature) };
    }
  }

  /** The two-way-TLS "integration server": trusts exactly the active keys, right now. */
  private async mutualTlsProbe(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.requests.mtls = (this.requests.mtls ?? 0) + 1;
    const fault = this.faults.draw('mtls');
    if (fault.latencyMs > 0) await delay(fault.latencyMs);
    if (fault.failure) return injectFailure(res, fault);
    const certificate = (req.socket as TLSSocket).getPeerX509Certificate();
    if (!certificate) {
      sendError(res, 403, 'FORBIDDEN', 'A client certificate is required: this endpoint uses two-way TLS.');
      return;
    }
    const fingerprint = spkiFingerprint(certificate.toString());
    const now = this.clock().getTime();
    if (Date.parse(certificate.validTo) <= now || Date.parse(certificate.validFrom) > now) {
      sendError(res, 403, 'FORBIDDEN', `The client certificate (SPKI ${fingerprint}) is outside its validity period.`);
      return;
    }
    const orgId = this.registry.activeOwnerOf(fingerprint);
    if (orgId === undefined) {
      sendError(res, 403, 'FORBIDDEN', `The client certificate (SPKI ${fingerprint}) is not an active key for any org.`);
      return;
    }
    send(res, 200, { fingerprint, orgId });
  }

  private control(method: string, pathname: string, rawBody: string, res: http.ServerResponse): void {
    if (pathname === '/__sandbox/state' && method === 'GET') return send(res, 200, this.state());
    const approval = approvalControl(this.approvals, method, pathname, rawBody);
    if (approval) return send(res, approval.status, approval.body);
    if (pathname === '/__sandbox/activations') {
      if (method === 'GET') return send(res, 200, { activations: this.registry.activations() });
      if (method === 'DELETE') {
        this.registry.clearActivations();
        return send(res, 200, { activations: [] });
      }
    }
    if (pathname === '/__sandbox/faults') {
      if (method === 'GET') return send(res, 200, { faults: this.faults.list() });
      if (method === 'DELETE') {
        this.faults.clear();
        return send(res, 200, { faults: [] });
      }
      if (method === 'POST') {
        const parsed = parseJsonValue(rawBody);
        const rules: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
        try {
          rules.forEach((rule) => this.faults.add(rule));
        } catch (error) {
          if (error instanceof ZodError) {
            const issue = error.issues[0];
            return sendError(res, 400, 'INVALID_REQUEST', `Fault rule field "${issue ? fieldPath(issue.path) : '(root)'}": ${issue?.message ?? 'invalid'}.`);
          }
          throw error;
        }
        return send(res, 201, { faults: this.faults.list() });
      }
    }
    const org = /^\/__sandbox\/orgs\/([^/]+)$/.exec(pathname);
    if (org?.[1] !== undefined && method === 'PUT') {
      const body = parseJsonBody(rawBody);
      if (body.mode !== 'single-key' && body.mode !== 'multi-key') {
        return sendError(res, 400, 'INVALID_REQUEST', 'Field "mode" must be "single-key" or "multi-key".');
      }
      const orgId = decodeURIComponent(org[1]);
      if (!ORG_ID_PATTERN.test(orgId)) return sendError(res, 400, 'INVALID_REQUEST', 'The org id must be 1-64 characters of letters, digits, "_", "." or "-".');
      const mode: OrgMode = body.mode;
      this.registry.putOrg(orgId, mode);
      return send(res, 200, { orgId, mode: body.mode });
    }
    sendError(res, 404, 'NOT_FOUND', `No sandbox control route ${method} ${pathname}.`);
  }
}

/** Convenience: construct and start. */
export async function startSandboxVendor(options: SandboxVendorOptions = {}): Promise<SandboxVendorHandle & { vendor: SandboxVendor }> {
  const vendor = new SandboxVendor(options);
  const handle = await vendor.start();
  return { ...handle, vendor };
}

function peerFingerprint(req: http.IncomingMessage): string | undefined {
  const certificate = (req.socket as TLSSocket).getPeerX509Certificate?.();
  return certificate ? spkiFingerprint(certificate.toString()) : undefined;
}

function parseJsonValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new RegistryRefusal(400, 'INVALID_REQUEST', 'The request body is not JSON.');
  }
}

function parseJsonBody(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  const parsed = parseJsonValue(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RegistryRefusal(400, 'INVALID_REQUEST', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RegistryRefusal(400, 'INVALID_REQUEST', `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function injectFailure(res: http.ServerResponse, fault: DrawnFault): void {
  if (fault.failure?.drop) {
    res.socket?.destroy();
    return;
  }
  const status = fault.failure?.status ?? 503;
  const code: RegistryErrorCode = status === 429 ? 'RATE_LIMITED' : status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
  sendError(res, status, code, `Injected fault (HTTP ${status}).`);
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, code: RegistryErrorCode, message: string, headers: Record<string, string> = {}): void {
  send(res, status, { code, message }, headers);
}

function sameSecret(given: string, expected: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

function urlHost(host: string): string {
  if (isWildcard(host)) return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: http.Server | https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
