/**
 * The sandbox org as a real HTTP server: OAuth token endpoint, REST/Tooling REST and the
 * SOAP Metadata API, answering what jsforce sends, plus a small admin surface:
 *
 *   GET    /__sandbox/state    the org without private keys or secrets
 *   GET    /__sandbox/limits   only { dailyApiRequests } (cheap: /state reads every certificate)
 *   GET    /__sandbox/faults   the injected faults still active
 *   POST   /__sandbox/faults   { faults: FaultRule[], replace?: boolean }
 *   DELETE /__sandbox/faults   clear them
 *   GET    /__sandbox/switches `{ switches: [{ at, object, recordId, fullName?, field, from, to }] }` (switch-log.ts)
 *   DELETE /__sandbox/switches clear that log
 *
 * Every API call counts against DailyApiRequests, as in a real org.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FaultInjector, faultRequestSchema, type FaultRule } from './faults';
import { loadFixtureFile, parseFixture, type SandboxFixture, type SandboxFixtureInput } from './fixture-schema';
import { handleMetadata, parseSoapRequest } from './metadata-api';
import { handleTokenRequest } from './oauth-endpoint';
import { buildOrgState, publicView, saveState } from './org-state';
import { htmlReply, jsonReply, oauthError, restError, soapFault, type Reply } from './replies';
import { routeRest } from './rest-api';
import { SessionStore } from './sessions';
import { attachSwitchLog, clearSwitches, switches } from './switch-log';

export interface SandboxOrgOptions {
  /** A fixture file path, or the fixture itself (validated either way). */
  fixture: string | SandboxFixtureInput | Record<string, unknown>;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  faults?: FaultRule[];
  /** CA certificates Apex callouts trust, besides the fixture's `trustedCaPems`. */
  trustedCaPems?: string[];
  /**
   * Where to write the JWT private key of connected apps whose certificate the fixture
   * leaves out (generated at start). Without it such apps cannot be logged in to.
   */
  connectedAppKeyOut?: string;
  sessionTtlSeconds?: number;
  /**
   * The org's clock: when generated certificates start (their notBefore, hence their
   * expiry) and when records were created. Tests on Temporal's time-skipping server pass
   * the server's time here so certificates age with the workflows. OAuth and sessions
   * keep the real clock (the JWT assertions are signed with it). Default: real time.
   */
  clock?: () => Date;
}

export interface RunningSandboxOrg {
  url: string;
  port: number;
  /** Consumer key -> file the generated JWT private key was written to. */
  connectedAppKeyFiles: Map<string, string>;
  /** Login details for people and tests (no secrets beyond the key file paths). */
  login: { loginUrl: string; usernames: string[]; consumerKeys: string[] };
  faults: FaultInjector;
  /**
   * Every secret the org holds or has been sent, for tests that prove none of them leaks (into
   * workflow history, logs, ...). Copies, read-only; never served over HTTP.
   */
  secrets(): SandboxOrgSecrets;
  save(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxOrgSecrets {
  /** Private keys of the connected apps' JWT certificates generated at start. */
  connectedAppPrivateKeys: string[];
  consumerSecrets: string[];
  /** Refresh tokens the org knows (from the fixture) and any presented to the token endpoint. */
  refreshTokens: string[];
  /** Every access token the org issued, expired or not. */
  accessTokens: string[];
  /** Every JWT bearer assertion the token endpoint received, accepted or not. */
  jwtAssertions: string[];
  /** Every client_secret presented to the token endpoint. */
  clientSecrets: string[];
  /** The private key of every certificate the org holds or held (deleted ones included). */
  certificatePrivateKeys: { uniqueName: string; privateKeyPem: string; deleted: boolean }[];
}

export interface SandboxOrg {
  start(): Promise<RunningSandboxOrg>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}

type Api = 'oauth' | 'rest' | 'soap';

function faultReply(api: Api, kind: FaultRule['kind']): Reply {
  if (api === 'oauth' && kind === 'login-rate-limit') return oauthError(400, 'rate_limit_exceeded', 'rate limit exceeded');
  if (api === 'oauth') return htmlReply(kind === 'http-500' ? 500 : 503, 'Service Unavailable (sandbox fault)');
  if (api === 'soap') {
    if (kind === 'http-503') return htmlReply(503, 'Service Unavailable (sandbox fault)');
    if (kind === 'request-limit' || kind === 'login-rate-limit') return soapFault('sf:REQUEST_LIMIT_EXCEEDED', 'REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.');
    return soapFault('sf:UNKNOWN_EXCEPTION', 'UNKNOWN_EXCEPTION: An unexpected error occurred (sandbox fault).');
  }
  if (kind === 'http-503') return restError(503, 'SERVER_UNAVAILABLE', 'Server unavailable (sandbox fault)');
  if (kind === 'request-limit' || kind === 'login-rate-limit') return restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  return restError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred (sandbox fault).');
}

function sessionError(api: Api): Reply {
  return api === 'soap'
    ? soapFault('sf:INVALID_SESSION_ID', 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session')
    : restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createSandboxOrg(options: SandboxOrgOptions): SandboxOrg {
  return {
    async start() {
      const fixture: SandboxFixture = typeof options.fixture === 'string' ? await loadFixtureFile(options.fixture) : parseFixture(options.fixture);
      const { state, secrets } = await buildOrgState(fixture, {
        extraTrustedCaPems: options.trustedCaPems ?? [],
        ...(options.clock ? { now: options.clock() } : {}),
      });
      const clock = options.clock ?? (() => new Date());
      attachSwitchLog(state, clock);
      const keyFiles = new Map<string, string>();
      if (options.connectedAppKeyOut && secrets.connectedAppKeys.size > 0) {
        const [first] = secrets.connectedAppKeys;
        if (first) {
          await mkdir(dirname(options.connectedAppKeyOut), { recursive: true });
          await writeFile(options.connectedAppKeyOut, first[1], { mode: 0o600 });
          keyFiles.set(first[0], options.connectedAppKeyOut);
        }
      }
      const sessions = new SessionStore((options.sessionTtlSeconds ?? 7200) * 1000);
      const faults = new FaultInjector(options.faults ?? []);
      /** What clients sent to the token endpoint (observed only; the answers do not change). */
      const received = { jwtAssertions: [] as string[], refreshTokens: [] as string[], clientSecrets: [] as string[] };
      let baseUrl = '';

      const apiCall = async (api: Api, operation: string, token: string | undefined, run: () => Promise<Reply>): Promise<Reply> => {
        const hits = faults.draw(operation);
        let after: FaultRule | undefined;
        for (const fault of hits) {
          if (fault.kind === 'latency') await sleep(fault.latencyMs ?? 0);
          else if (fault.kind === 'session-expired') sessions.expire(token);
          else if (fault.after) after = fault;
          else return faultReply(api, fault.kind);
        }
        if (api !== 'oauth') {
          // Salesforce's SOAP APIs refuse JWT-based access tokens with INVALID_SESSION_ID (REST takes them)
          if (!sessions.check(token) || (api === 'soap' && isJwtShaped(token))) return sessionError(api);
          state.dailyApiRequests.used += 1;
        }
        const reply = await run();
        return after ? faultReply(api, after.kind) : reply;
      };

      const handle = async (req: IncomingMessage): Promise<Reply> => {
        const url = new URL(req.url ?? '/', baseUrl);
        const method = req.method ?? 'GET';
        const body = await readBody(req);
        const path = url.pathname;

        if (path === '/services/oauth2/token' && method === 'POST') {
          const params = new URLSearchParams(body);
          for (const [name, list] of [
            ['assertion', received.jwtAssertions],
            ['refresh_token', received.refreshTokens],
            ['client_secret', received.clientSecrets],
          ] as const) {
            const value = params.get(name);
            if (value) list.push(value);
          }
          return apiCall('oauth', 'oauth.token', undefined, () => Promise.resolve(handleTokenRequest(body, { state, sessions, url: baseUrl })));
        }
        const rest = /^\/services\/data\/v(\d+\.\d+)(\/.*)$/.exec(path);
        if (rest) {
          const [, version = '', rest_path = ''] = rest;
          const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
          const route = routeRest(method, rest_path, url.searchParams, { ifUnmodifiedSince: headerValue(req.headers['if-unmodified-since']) }, body, {
            state,
            version,
            trustedCaPems: state.trustedCaPems,
          });
          if (!route) return restError(404, 'NOT_FOUND', 'The requested resource does not exist');
          return apiCall('rest', route.operation, token, () => route.run());
        }
        if (/^\/services\/Soap\/m\/\d+\.\d+$/.test(path) && method === 'POST') {
          const soap = parseSoapRequest(body);
          if (!soap) return soapFault('soapenv:Client', 'The request is not a SOAP envelope with an operation in its Body');
          return apiCall('soap', `metadata.${soap.method}`, soap.sessionId, () => handleMetadata(soap, state, clock));
        }
        if (path === '/__sandbox/state' && method === 'GET') return jsonReply(200, publicView(state));
        if (path === '/__sandbox/limits' && method === 'GET') return jsonReply(200, { dailyApiRequests: state.dailyApiRequests });
        if (path === '/__sandbox/switches' && method === 'GET') return jsonReply(200, { switches: switches(state) });
        if (path === '/__sandbox/switches' && method === 'DELETE') {
          clearSwitches(state);
          return jsonReply(200, { switches: [] });
        }
        if (path === '/__sandbox/faults') {
          if (method === 'GET') return jsonReply(200, { faults: faults.list() });
          if (method === 'DELETE') {
            faults.clear();
            return jsonReply(200, { faults: [] });
          }
          if (method === 'POST') {
            let json: unknown;
            try {
              json = JSON.parse(body);
            } catch {
              return jsonReply(400, { error: 'body must be JSON: { "faults": [...] }' });
            }
            const parsed = faultRequestSchema.safeParse(json);
            if (!parsed.success) {
              const issue = parsed.error.issues[0];
              return jsonReply(400, { error: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` });
            }
            if (parsed.data.replace) faults.clear();
            faults.add(parsed.data.faults);
            return jsonReply(200, { faults: faults.list() });
          }
        }
        return restError(404, 'NOT_FOUND', 'The requested resource does not exist');
      };

      const server = createServer((req, res) => {
        handle(req).then(
          (reply) => send(res, reply),
          (error: unknown) => send(res, restError(500, 'UNKNOWN_EXCEPTION', `sandbox org error: ${error instanceof Error ? error.message : String(error)}`)),
        );
      });
      const host = options.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      return {
        url: baseUrl,
        port,
        connectedAppKeyFiles: keyFiles,
        login: { loginUrl: baseUrl, usernames: state.users.map((u) => u.username), consumerKeys: state.connectedApps.map((a) => a.consumerKey) },
        faults,
        secrets: () => ({
          connectedAppPrivateKeys: [...secrets.connectedAppKeys.values()],
          consumerSecrets: state.connectedApps.flatMap((a) => (a.consumerSecret ? [a.consumerSecret] : [])),
          refreshTokens: [...new Set([...state.connectedApps.flatMap((a) => a.refreshTokens.map((t) => t.token)), ...received.refreshTokens])],
          accessTokens: sessions.issued(),
          jwtAssertions: [...received.jwtAssertions],
          clientSecrets: [...new Set(received.clientSecrets)],
          certificatePrivateKeys: state.certificates.map((c) => ({ uniqueName: c.uniqueName, privateKeyPem: c.privateKeyPem, deleted: c.deleted })),
        }),
        save: (path: string) => saveState(state, path),
        close: () => closeServer(server),
      };
    },
  };
}

function isJwtShaped(token: string | undefined): boolean {
  return token?.split('.').length === 3;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // keep-alive sockets from jsforce's agent would otherwise hold close() open
    server.closeAllConnections();
  });
}
