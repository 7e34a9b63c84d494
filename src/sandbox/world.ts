/**
 * A complete local world for a rotation: the sandbox org (bundled demo fixture), the
 * sandbox vendor already trusting the org's current certificate, and the worker
 * configuration that points certrot's real adapters at both. `npm run demo` and the
 * workflow tests run on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spkiFingerprint } from '../certificates';
import { createJsforceOrg } from '../salesforce/jsforce-org';
import type { SalesforceOrg } from '../salesforce/org-port';
import { HttpVendorRegistry } from '../vendors/http-registry';
import { parseWorkerConfig, type WorkerConfig } from '../workers/config';
import { createSandboxOrg, type RunningSandboxOrg } from './salesforce';
import { loadSandboxVendorFixture, startSandboxVendor, type SandboxVendor, type SandboxVendorHandle } from './vendor';

export const DEMO_ORG_FIXTURE = join(__dirname, 'salesforce', 'fixtures', 'demo-org.json');
export const DEMO_VENDOR_FIXTURE = join(__dirname, 'vendor', 'fixtures', 'demo-vendor.json');
export const DEMO_CERTIFICATE = 'Vendor_Signing';
export const DEMO_CONSUMER_KEY = '3MVG9certrotDemoConsumerKey000000000000';
export const DEMO_USERNAME = 'integration@certrot.demo';

/** Org aliases of the world: one Salesforce org seen by a single-key and a multi-key vendor integration. */
export const WORLD_ORGS = {
  /** The vendor holds one key for this org: `simultaneous` strategy. */
  singleKey: { alias: 'demo', vendorOrgId: 'demo-single-key' },
  /** The vendor can trust two keys at once for this org: `overlap` strategy. */
  multiKey: { alias: 'demo-overlap', vendorOrgId: 'demo-multi-key' },
} as const;

export interface SandboxWorld {
  readonly org: RunningSandboxOrg;
  readonly vendor: SandboxVendorHandle & { vendor: SandboxVendor };
  /** Worker configuration for the world (vendors `acme` = http registry, plus any given). */
  readonly config: WorkerConfig;
  /** An adapter on the sandbox org, for inspecting it as an admin would. */
  readonly salesforce: SalesforceOrg;
  /** The http adapter on the sandbox vendor. */
  readonly registry: HttpVendorRegistry;
  readonly dir: string;
  close(): Promise<void>;
}

export interface WorldOptions {
  /** Folder for the JWT key and CA files (kept out of the repository). */
  readonly dir: string;
  /** Extra vendors in worker-config form (e.g. a manual vendor writing to a local SMTP server). */
  readonly extraVendors?: Record<string, unknown>;
  /** Which vendor orgs trust the current certificate at start (default: both). */
  readonly seed?: boolean;
  /** Changes to the bundled demo org fixture (e.g. Apex classes naming the certificate), given its JSON. */
  readonly orgFixture?: (demo: Record<string, unknown>) => Record<string, unknown>;
}

export async function startSandboxWorld(options: WorldOptions): Promise<SandboxWorld> {
  await mkdir(options.dir, { recursive: true });
  const jwtKeyFile = join(options.dir, 'connected-app-key.pem');
  const token = randomBytes(24).toString('base64url');
  const fixture = options.orgFixture ? options.orgFixture(JSON.parse(await readFile(DEMO_ORG_FIXTURE, 'utf8')) as Record<string, unknown>) : DEMO_ORG_FIXTURE;
  const org = await createSandboxOrg({ fixture, host: '127.0.0.1', port: 0, connectedAppKeyOut: jwtKeyFile }).start();
  let vendor: (SandboxVendorHandle & { vendor: SandboxVendor }) | undefined;
  try {
    vendor = await startSandboxVendor({ host: '127.0.0.1', port: 0, tlsPort: 0, token, fixture: await loadSandboxVendorFixture(DEMO_VENDOR_FIXTURE) });
    await writeFile(join(options.dir, 'vendor-ca.pem'), vendor.caPem);
    const orgAuth = { kind: 'jwt', loginUrl: org.url, consumerKey: DEMO_CONSUMER_KEY, username: DEMO_USERNAME, privateKeyPath: jwtKeyFile };
    const retry = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 500 };
    const config = parseWorkerConfig(
      {
        orgs: {
          [WORLD_ORGS.singleKey.alias]: { vendorOrgId: WORLD_ORGS.singleKey.vendorOrgId, apiVersion: '62.0', auth: orgAuth, retry },
          [WORLD_ORGS.multiKey.alias]: { vendorOrgId: WORLD_ORGS.multiKey.vendorOrgId, apiVersion: '62.0', auth: orgAuth, retry },
        },
        vendors: {
          acme: {
            kind: 'http',
            registry: {
              vendorName: 'Acme (sandbox)',
              baseUrl: vendor.url,
              bearerToken: token,
              retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 200 },
            },
          },
          ...(options.extraVendors ?? {}),
        },
      },
      {},
      options.dir,
    );
    const salesforce = createJsforceOrg({ auth: { kind: 'jwt', loginUrl: org.url, consumerKey: DEMO_CONSUMER_KEY, username: DEMO_USERNAME, privateKeyPath: jwtKeyFile } });
    const registry = new HttpVendorRegistry({ vendorName: 'Acme (sandbox)', baseUrl: vendor.url, bearerToken: token });
    if (options.seed !== false) {
      // Before any rotation the vendor trusts the org's current certificate.
      const current = await salesforce.getCertificate(DEMO_CERTIFICATE);
      if (!current.certificatePem) throw new Error(`the demo fixture's ${DEMO_CERTIFICATE} has no certificate`);
      for (const { vendorOrgId } of Object.values(WORLD_ORGS)) {
        const fingerprint = await registry.stageKey(vendorOrgId, current.certificatePem, { run: { workflowId: 'sandbox-seed', runId: 'seed' } });
        await registry.activateKey(vendorOrgId, fingerprint, { run: { workflowId: 'sandbox-seed', runId: 'seed' } });
        if (fingerprint !== spkiFingerprint(current.certificatePem)) throw new Error('the sandbox vendor registered another fingerprint');
      }
    }
    const running = vendor;
    return {
      org,
      vendor: running,
      config,
      salesforce,
      registry,
      dir: options.dir,
      close: async () => {
        await Promise.allSettled([org.close(), running.close()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([org.close(), vendor?.close()]);
    throw error;
  }
}

/** The JWT key the sandbox generated, for a worker config file the demo writes. */
export function readWorldKey(world: SandboxWorld): Promise<string> {
  return readFile(join(world.dir, 'connected-app-key.pem'), 'utf8');
}
