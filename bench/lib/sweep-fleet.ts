/**
 * A fleet for the renewal sweep (P4): `orgs` sandbox orgs of `perOrg` certificates each,
 * built as test/renewals/fleet.test.ts builds its fleet (even orgs name some certificates in
 * a custom object, odd ones in a hierarchy custom setting; every org one inventory
 * integration with a certificate pattern and a daily window), with the orgs sharing their
 * generated key material (`behaviour.shareFixtureKeyMaterial`, FIXTURE.md). Every
 * certificate is fresh, so nothing is due: the sweep inventories every org and starts
 * nothing. One sandbox vendor holds a multi-key org per Salesforce org.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandboxOrg, type RunningSandboxOrg } from '../../src/sandbox/salesforce';
import { startSandboxVendor, type SandboxVendor, type SandboxVendorHandle } from '../../src/sandbox/vendor';
import { parseWorkerConfig, type WorkerConfig } from '../../src/workers/config';

type Shape = 'custom-object' | 'hierarchy-setting';

const TARGETS: Record<Shape, { object: string; field: string; kind: Shape }> = {
  'custom-object': { object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' },
  'hierarchy-setting': { object: 'acme__Gateway__c', field: 'acme__Certificate__c', kind: 'hierarchy-setting' },
};
const REFERENCED = 3;

export const sweepAlias = (i: number): string => `org${String(i).padStart(3, '0')}`;
const prefixOf = (i: number): string => `Org${String(i).padStart(3, '0')}`;
const certName = (i: number, c: number): string => `${prefixOf(i)}_Cert_${String(c).padStart(2, '0')}`;
const id = (prefix: string, i: number): string => `${prefix}F${String(i).padStart(11, '0')}AAA`;
export const sweepShapeOf = (i: number): Shape => (i % 2 === 0 ? 'custom-object' : 'hierarchy-setting');

export function sweepOrgFixture(i: number, perOrg: number): Record<string, unknown> {
  const shape = sweepShapeOf(i);
  const orgId = id('00D', i);
  const profileId = id('00e', i);
  const userId = id('005', i);
  const names = Array.from({ length: perOrg }, (_, c) => certName(i, c));
  const referenced = names.slice(0, REFERENCED);
  const field = { name: TARGETS[shape].field, label: 'Certificate', type: 'string', length: 80 };
  return {
    orgId,
    orgName: `certrot bench fleet ${sweepAlias(i)}`,
    profiles: [{ id: profileId, name: 'Integration' }],
    users: [{ id: userId, username: `integration@${sweepAlias(i)}.fleet`, name: 'Integration User', profileId }],
    connectedApps: [{ name: 'certrot', consumerKey: `3MVG9certrotFleet${prefixOf(i)}ConsumerKey0000` }],
    certificates: names.map((uniqueName) => ({ uniqueName, label: uniqueName.replaceAll('_', ' '), keySize: 2048 })),
    ...(shape === 'custom-object'
      ? { customObjects: [{ apiName: TARGETS[shape].object, label: 'Integration Credential', fields: [field], records: referenced.map((name, r) => ({ name: `Credential ${r}`, values: { [field.name]: name } })) }] }
      : {
          customSettings: [
            {
              apiName: TARGETS[shape].object,
              label: 'Acme Gateway',
              settingType: 'hierarchy',
              fields: [field],
              records: [
                { setupOwnerId: orgId, values: { [field.name]: referenced[0] } },
                { setupOwnerId: profileId, values: { [field.name]: referenced[1] } },
                { setupOwnerId: userId, values: { [field.name]: referenced[2] } },
              ],
            },
          ],
        }),
    behaviour: { shareFixtureKeyMaterial: true },
  };
}

export interface SweepFleet {
  readonly orgs: readonly { alias: string; sandbox: RunningSandboxOrg }[];
  readonly vendor: SandboxVendorHandle & { vendor: SandboxVendor };
  readonly config: WorkerConfig;
  readonly certificates: number;
  /** Each org's DailyApiRequests used, in `orgs` order. */
  apiCalls(): Promise<number[]>;
  close(): Promise<void>;
}

async function inChunks<T, R>(items: readonly T[], atOnce: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += atOnce) out.push(...(await Promise.all(items.slice(i, i + atOnce).map(fn))));
  return out;
}

export async function startSweepFleet(orgCount: number, perOrg: number): Promise<SweepFleet> {
  const dir = await mkdtemp(join(tmpdir(), 'certrot-bench-sweep-'));
  const token = randomBytes(24).toString('base64url');
  const started: { alias: string; sandbox: RunningSandboxOrg }[] = [];
  let vendor: (SandboxVendorHandle & { vendor: SandboxVendor }) | undefined;
  const close = async (): Promise<void> => {
    await Promise.allSettled([...started.map((o) => o.sandbox.close()), vendor?.close()]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    vendor = await startSandboxVendor({
      host: '127.0.0.1',
      port: 0,
      tlsPort: 0,
      token,
      fixture: { orgs: Array.from({ length: orgCount }, (_, i) => ({ orgId: `${sweepAlias(i)}-vendor`, mode: 'multi-key' as const, keys: [] })) },
    });
    const orgConfig: Record<string, unknown> = {};
    const inventory: Record<string, unknown> = {};
    for (let i = 0; i < orgCount; i += 1) {
      const alias = sweepAlias(i);
      const keyFile = join(dir, `${alias}-jwt.pem`);
      const sandbox = await createSandboxOrg({ fixture: sweepOrgFixture(i, perOrg), host: '127.0.0.1', port: 0, connectedAppKeyOut: keyFile }).start();
      started.push({ alias, sandbox });
      const auth = { kind: 'jwt', loginUrl: sandbox.url, consumerKey: sandbox.login.consumerKeys[0]!, username: sandbox.login.usernames[0]!, privateKeyPath: keyFile };
      orgConfig[alias] = { vendorOrgId: `${alias}-vendor`, apiVersion: '62.0', auth, retry: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 500 } };
      inventory[alias] = {
        integrations: [{ certificatePattern: `${prefixOf(i)}_Cert_*`, vendor: 'acme', strategy: 'overlap', references: { targets: [TARGETS[sweepShapeOf(i)]] }, approvers: ['provisioning-team'], window: 'daily 02:00-04:00 UTC' }],
        maxActiveRotations: 2,
      };
    }
    const config = parseWorkerConfig(
      {
        orgs: orgConfig,
        vendors: { acme: { kind: 'http', registry: { vendorName: 'Acme (sandbox)', baseUrl: vendor.url, bearerToken: token, retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 200 } } } },
        inventory: { orgs: inventory },
      },
      {},
      dir,
    );
    const running = vendor;
    return {
      orgs: started,
      vendor: running,
      config,
      certificates: orgCount * perOrg,
      apiCalls: () =>
        inChunks(started, 50, async ({ sandbox }) => {
          const response = await fetch(`${sandbox.url}/__sandbox/limits`);
          return ((await response.json()) as { dailyApiRequests: { used: number } }).dailyApiRequests.used;
        }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
