/**
 * Shared set-up for the Salesforce adapter tests: the bundled demo fixture served by a
 * sandbox org on 127.0.0.1 (free port), and adapters logged in to it over JWT bearer.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJsforceOrg, type JsforceOrgOptions } from '../../src/salesforce/jsforce-org';
import type { SalesforceOrg } from '../../src/salesforce/org-port';
import { createSandboxOrg, type FaultRule, type RunningSandboxOrg } from '../../src/sandbox/salesforce';

export const DEMO_FIXTURE = join(__dirname, '../../src/sandbox/salesforce/fixtures/demo-org.json');
export const CONSUMER_KEY = '3MVG9certrotDemoConsumerKey000000000000';
export const INTEGRATION_USER = 'integration@certrot.demo';

export interface DemoOrg {
  sandbox: RunningSandboxOrg;
  jwtKeyPem: string;
  /** An adapter logged in as the integration user (tiny retry delays for tests). */
  adapter(overrides?: Partial<JsforceOrgOptions>): SalesforceOrg;
  /** Faults through the runtime endpoint, as an operator would inject them. */
  injectFaults(faults: FaultRule[]): Promise<void>;
  state(): Promise<SandboxStateView>;
  close(): Promise<void>;
}

export interface SandboxStateView {
  dailyApiRequests: { max: number; used: number };
  certificates: { uniqueName: string; deleted: boolean; usable: boolean; certificatePem: string | null }[];
  customSettings: { apiName: string; records: Record<string, unknown>[] }[];
  customObjects: { apiName: string; records: Record<string, unknown>[] }[];
  namedCredentials: { fullName: string; certificate: string | null }[];
}

export async function loadDemoFixture(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(DEMO_FIXTURE, 'utf8')) as Record<string, unknown>;
}

export async function startDemoOrg(options: { fixture?: Record<string, unknown>; trustedCaPems?: string[] } = {}): Promise<DemoOrg> {
  const dir = await mkdtemp(join(tmpdir(), 'certrot-sf-'));
  const keyPath = join(dir, 'jwt-key.pem');
  const sandbox = await createSandboxOrg({
    fixture: options.fixture ?? DEMO_FIXTURE,
    host: '127.0.0.1',
    port: 0,
    connectedAppKeyOut: keyPath,
    ...(options.trustedCaPems ? { trustedCaPems: options.trustedCaPems } : {}),
  }).start();
  const jwtKeyPem = await readFile(keyPath, 'utf8');
  return {
    sandbox,
    jwtKeyPem,
    adapter: (overrides = {}) =>
      createJsforceOrg({
        auth: { kind: 'jwt', loginUrl: sandbox.url, consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, privateKeyPath: keyPath },
        apiVersion: '62.0',
        retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
        ...overrides,
      }),
    injectFaults: async (faults) => {
      const res = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults }) });
      if (!res.ok) throw new Error(`injecting faults failed: ${res.status} ${await res.text()}`);
    },
    state: async () => (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as SandboxStateView,
    close: async () => {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
