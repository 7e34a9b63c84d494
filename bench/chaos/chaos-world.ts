/**
 * The world a chaos run rotates in: the bundled sandbox world (src/sandbox/world.ts) with
 * more certificates, each the start of a *chain* of rotations (one integration: an org
 * alias whose vendor org holds its keys), and *bystanders* no rotation targets — a
 * certificate and references naming it, the demo's Partner_Signing, and vendor orgs whose
 * keys belong to other integrations. The invariants check that bystanders stay exactly as
 * they were.
 *
 * Each chain has its own vendor org: a single-key vendor org holds one integration's one
 * key, so two chains sharing one would replace each other's key.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReferenceTarget, Strategy } from '../../src/domain/rotation';
import { DEMO_CONSUMER_KEY, DEMO_USERNAME, startSandboxWorld, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';

export interface Chain {
  /** Short name for the table: V, A, B, ... */
  readonly id: string;
  /** The worker configuration's org alias for this integration. */
  readonly alias: string;
  readonly vendorOrgId: string;
  readonly strategy: Strategy;
  /** The chain's first Unique Name: new names are made from it. */
  readonly base: string;
  /** The Unique Name the references hold now (changes with each completed rotation). */
  current: string;
  /** Set when the chain cannot be rotated again (its references no longer agree, ...). */
  broken: string | null;
}

export const CHAOS_TOKEN_VARIABLE = 'CERTROT_CHAOS_VENDOR_TOKEN';

/** Custom objects are searched only when named; custom settings are discovered. */
export const CHAOS_TARGETS: readonly ReferenceTarget[] = [
  { object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' },
  { object: 'Chaos_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' },
];

const ORG_ID = '00D000000000001EAA';
const CHAINS: readonly Omit<Chain, 'broken' | 'base'>[] = [
  { id: 'V', alias: WORLD_ORGS.singleKey.alias, vendorOrgId: WORLD_ORGS.singleKey.vendorOrgId, strategy: 'simultaneous', current: 'Vendor_Signing' },
  { id: 'A', alias: 'chaos-a', vendorOrgId: 'chaos-a', strategy: 'simultaneous', current: 'Chaos_A' },
  { id: 'B', alias: 'chaos-b', vendorOrgId: 'chaos-b', strategy: 'overlap', current: 'Chaos_B' },
  { id: 'C', alias: 'chaos-c', vendorOrgId: 'chaos-c', strategy: 'overlap', current: 'Chaos_C' },
  { id: 'D', alias: 'chaos-d', vendorOrgId: 'chaos-d', strategy: 'simultaneous', current: 'Chaos_D' },
];
const BYSTANDER = 'Chaos_Bystander';
const BYSTANDER_VENDOR_ORG = 'chaos-bystander';

/** The demo org plus the chains' and the bystander's certificates and references. */
function chaosFixture(demo: Record<string, unknown>): Record<string, unknown> {
  const list = (key: string): unknown[] => (Array.isArray(demo[key]) ? (demo[key] as unknown[]) : []);
  const certificate = (uniqueName: string) => ({ uniqueName, label: uniqueName.replace(/_/g, ' '), keySize: 2048, caSigned: false, privateKeyExportable: false });
  const record = (name: string, value: string) => ({ name, values: { Certificate_Name__c: value } });
  return {
    ...demo,
    certificates: [...list('certificates'), ...['Chaos_A', 'Chaos_B', 'Chaos_C', 'Chaos_D', BYSTANDER].map(certificate)],
    customSettings: [
      ...list('customSettings'),
      {
        apiName: 'chaos__Options__c',
        label: 'Chaos Options',
        settingType: 'hierarchy',
        fields: [{ name: 'chaos__Certificate__c', label: 'Certificate', type: 'string', length: 80 }],
        records: [
          { setupOwnerId: ORG_ID, values: { chaos__Certificate__c: 'Chaos_A' } },
          { setupOwnerId: '00e000000000002AAA', values: { chaos__Certificate__c: 'Chaos_B' } },
          { setupOwnerId: '005000000000003AAA', values: { chaos__Certificate__c: 'Chaos_C' } },
          { setupOwnerId: '005000000000001AAA', values: { chaos__Certificate__c: 'Chaos_D' } },
          { setupOwnerId: '00e000000000001AAA', values: { chaos__Certificate__c: BYSTANDER } },
        ],
      },
    ],
    customObjects: [
      ...list('customObjects'),
      {
        apiName: 'Chaos_Credential__c',
        label: 'Chaos Credential',
        fields: [{ name: 'Certificate_Name__c', label: 'Certificate Name', type: 'string', length: 80 }],
        records: [record('A orders', 'Chaos_A'), record('A billing', 'Chaos_A'), record('B orders', 'Chaos_B'), record('C orders', 'Chaos_C'), record('D orders', 'Chaos_D'), record('Bystander', BYSTANDER)],
      },
    ],
    namedCredentials: [
      ...list('namedCredentials'),
      ...[
        ['Chaos_B_mTLS', 'Chaos_B'],
        ['Chaos_C_mTLS', 'Chaos_C'],
        ['Chaos_Bystander_mTLS', BYSTANDER],
      ].map(([fullName = '', certificateName = '']) => ({
        fullName,
        label: fullName.replace(/_/g, ' '),
        endpoint: `https://${fullName.toLowerCase().replace(/_/g, '-')}.vendor.example`,
        certificate: certificateName,
        principalType: 'Anonymous',
        protocol: 'NoAuthentication',
      })),
    ],
  };
}

export interface ChaosWorld {
  readonly sandbox: SandboxWorld;
  readonly chains: Chain[];
  readonly workerConfigFile: string;
  readonly vendorToken: string;
  close(): Promise<void>;
}

async function putVendorOrg(vendorUrl: string, orgId: string, mode: 'single-key' | 'multi-key'): Promise<void> {
  const response = await fetch(`${vendorUrl}/__sandbox/orgs/${encodeURIComponent(orgId)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode }) });
  if (!response.ok) throw new Error(`PUT /__sandbox/orgs/${orgId}: HTTP ${response.status} ${await response.text()}`);
}

/** Starts the world, gives each chain its vendor org trusting its current key, and writes the worker configuration. */
export async function startChaosWorld(dir: string, temporalAddress: string): Promise<ChaosWorld> {
  const sandbox = await startSandboxWorld({ dir, orgFixture: chaosFixture });
  try {
    const acme = sandbox.config.vendors.acme;
    if (acme?.kind !== 'http') throw new Error('the sandbox world has no http vendor "acme"');
    const vendorToken = acme.registry.bearerToken ?? '';
    const seed = { run: { workflowId: 'chaos-seed', runId: 'seed' } };
    const trust = async (vendorOrgId: string, uniqueName: string): Promise<void> => {
      const pem = (await sandbox.salesforce.getCertificate(uniqueName)).certificatePem;
      if (!pem) throw new Error(`${uniqueName} has no certificate`);
      await sandbox.registry.activateKey(vendorOrgId, await sandbox.registry.stageKey(vendorOrgId, pem, seed), seed);
    };
    const chains: Chain[] = CHAINS.map((chain) => ({ ...chain, base: chain.current, broken: null }));
    for (const chain of chains) {
      if (chain.alias === WORLD_ORGS.singleKey.alias) continue; // the world seeded it
      await putVendorOrg(sandbox.vendor.url, chain.vendorOrgId, chain.strategy === 'overlap' ? 'multi-key' : 'single-key');
      await trust(chain.vendorOrgId, chain.current);
    }
    await putVendorOrg(sandbox.vendor.url, BYSTANDER_VENDOR_ORG, 'multi-key');
    await trust(BYSTANDER_VENDOR_ORG, BYSTANDER);
    await trust(BYSTANDER_VENDOR_ORG, 'Partner_Signing');

    const auth = { kind: 'jwt', loginUrl: sandbox.org.url, consumerKey: DEMO_CONSUMER_KEY, username: DEMO_USERNAME, privateKeyPath: join(dir, 'connected-app-key.pem') };
    const retry = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 500 };
    const config = {
      temporal: { address: temporalAddress },
      orgs: Object.fromEntries(chains.map((chain) => [chain.alias, { vendorOrgId: chain.vendorOrgId, apiVersion: '62.0', auth, retry }])),
      vendors: {
        acme: {
          kind: 'http',
          registry: { vendorName: 'Acme (sandbox)', baseUrl: sandbox.vendor.url, bearerToken: `\${${CHAOS_TOKEN_VARIABLE}}`, retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 200 } },
        },
      },
    };
    const workerConfigFile = join(dir, 'chaos-worker.json');
    await writeFile(workerConfigFile, JSON.stringify(config, null, 2), { mode: 0o600 });
    return { sandbox, chains, workerConfigFile, vendorToken, close: () => sandbox.close() };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}
