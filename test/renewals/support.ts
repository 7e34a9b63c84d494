/**
 * Renewal tests on Temporal's time-skipping server with the real adapters: one or more
 * sandbox orgs (fixtures under ./fixtures, certificates aged as each test says), one
 * sandbox vendor whose multi-key orgs already trust every certificate, and a worker
 * running every activity (rotation + inventory) with the inventory configuration given.
 *
 * The sandbox org and vendor date things by `clock`, which follows the test server's
 * skipped time (`syncClock()` after each jump), so certificates age with the workflows.
 * Everything started is stopped in `after`, workers before the server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { Command } from 'commander';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { registerExpiringCommand } from '../../src/cli/commands/expiring';
import { createAllActivities, inventoryDepsFromConfig, type AllActivities } from '../../src/activities';
import type { KeySize } from '../../src/domain/certificate';
import { salesforceLifetimeDays } from '../../src/domain/certificate-lifetime';
import type { RotationStatus } from '../../src/domain/rotation';
import { createJsforceOrg } from '../../src/salesforce/jsforce-org';
import type { SalesforceOrg } from '../../src/salesforce/org-port';
import { createSandboxOrg, type RunningSandboxOrg } from '../../src/sandbox/salesforce';
import { startSandboxVendor, type SandboxVendor, type SandboxVendorHandle } from '../../src/sandbox/vendor';
import { HttpVendorRegistry } from '../../src/vendors/http-registry';
import { createAdapters } from '../../src/workers/adapters';
import { parseWorkerConfig, type WorkerConfig } from '../../src/workers/config';
import { buildWorkflowBundle } from '../../src/workers/workflow-bundle';
import { approveUpdate } from '../../src/workflows/messages';
import { waitForPhase } from '../support/rotation-harness';
import { useTemporalEnv } from '../support/temporal';

export const DAY_MS = 86_400_000;
export const APPROVER = 'provisioning-team';

/** Whole days Salesforce (and so the sandbox org) makes a certificate of `keySize` made `ageDays` before `now` last. */
export function lifetimeDays(keySize: KeySize, now: number, ageDays: number): number {
  return salesforceLifetimeDays(keySize, new Date(now - ageDays * DAY_MS));
}

/**
 * How many days before `now` to make a certificate so that, at `now`, `used` (0 to 1) of
 * its own lifetime has passed, or `leftDays` remain of it. A lifetime depends on the day
 * the certificate is made (398, 200, 100, then 47 days), so a fixed age would mean a
 * different certificate every year the tests run; ask for the stage of life instead.
 */
export function madeAgo(keySize: KeySize, now: number, at: { used: number } | { leftDays: number }): number {
  for (const lifetime of [47, 100, 200, 365, 398, 730]) {
    const age = 'used' in at ? at.used * lifetime : lifetime - at.leftDays;
    if (age >= 0 && lifetimeDays(keySize, now, age) === lifetime) return age;
  }
  throw new Error(`no age gives a ${keySize}-bit certificate ${JSON.stringify(at)} of its lifetime on ${new Date(now).toISOString()}`);
}

export interface OrgSpec {
  readonly alias: string;
  /** File name under test/renewals/fixtures, or the fixture itself (copied; a test generating many orgs). */
  readonly fixture: string | Readonly<Record<string, unknown>>;
  /** Certificate Unique Name -> how many days before the world starts it was made (see `madeAgo`). */
  readonly ageDays?: Readonly<Record<string, number>>;
  /** Another Organization.Id than the fixture's (one fixture for two orgs). */
  readonly orgId?: string;
  /**
   * false: the vendor is not told about the org's certificates before the test (default true:
   * it trusts every unexpired one, 2 HTTP calls each). Enough for orgs nothing rotates in.
   */
  readonly seedVendor?: boolean;
}

export interface WorldOrg {
  readonly alias: string;
  readonly vendorOrgId: string;
  readonly sandbox: RunningSandboxOrg;
  /** An admin's adapter on the org. */
  readonly salesforce: SalesforceOrg;
  /** API calls the org has answered so far (its DailyApiRequests counter). */
  apiCalls(): Promise<number>;
}

export interface RenewalWorld {
  readonly orgs: Record<string, WorldOrg>;
  readonly vendor: SandboxVendorHandle & { vendor: SandboxVendor };
  readonly registry: HttpVendorRegistry;
  readonly config: WorkerConfig;
  readonly taskQueue: string;
  /** How often each activity ran (the sweep's "one inventory call per org" is counted here). */
  readonly calls: Map<string, number>;
}

export interface WorldOptions {
  readonly orgs: readonly OrgSpec[];
  /** The worker configuration's `inventory` (orgs + alerts). */
  readonly inventory: Record<string, unknown>;
  /**
   * Awaited after each activity returns, before the worker reports its result (so before the
   * workflow goes on): e.g. to read an org's counter just after its inventory.
   */
  readonly afterActivity?: (name: string, args: readonly unknown[]) => Promise<void>;
}

export interface RenewalHarness {
  env(): TestWorkflowEnvironment;
  /**
   * A plain client on the test server. Unlike `env().client`, waiting for a result with it
   * does not let the server skip time: once the sweep is done and every rotation waits on a
   * timer, the time-skipping client would jump to the next timer (years ahead). Here time
   * moves only when the test says so, with `env().sleep()`.
   */
  client(): Client;
  /** The sandbox clock: the test server's time, as of the last `syncClock()`, moving on in real time. */
  clock(): Date;
  syncClock(): Promise<void>;
  world(options: WorldOptions): Promise<RenewalWorld>;
  /**
   * Moves the test server's time forward by `ms` (rotations run their windows, grace
   * periods and clean-up meanwhile), then syncs the sandbox clock.
   *
   * Works around a time-skipping test server bug: when a child started with
   * ParentClosePolicy ABANDON closes after its parent has closed, the server keeps one
   * time-skipping lock it never releases, and time then only moves in real time. Each
   * tracked rotation seen closed gets exactly one compensating `unlockTimeSkipping`.
   */
  advance(ms: number): Promise<void>;
  /** A rotation started by a sweep, whose closing `advance` must compensate. */
  track(workflowId: string): void;
  /** Plays the provisioning team: waits for awaiting-approval, approves the staged key. */
  approve(world: RenewalWorld, workflowId: string): Promise<RotationStatus>;
}

let queueCounter = 0;

async function loadFixture(source: OrgSpec['fixture'], now: number, ageDays: Readonly<Record<string, number>>): Promise<Record<string, unknown>> {
  const fixture = (typeof source === 'string' ? JSON.parse(await readFile(join(__dirname, 'fixtures', source), 'utf8')) : structuredClone(source)) as { certificates?: Array<Record<string, unknown>> };
  for (const cert of fixture.certificates ?? []) {
    const age = ageDays[String(cert.uniqueName)];
    if (age !== undefined) cert.notBefore = new Date(now - age * DAY_MS).toISOString().replace(/\.\d{3}Z$/, '.000Z');
  }
  return fixture;
}

export function useRenewalHarness(): RenewalHarness {
  let bundle: { code: string } | undefined;
  let skewMs = 0;
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    bundle = { code: (await buildWorkflowBundle()).code };
  });
  // Registered before the environment's own hook: workers and servers stop before Temporal does.
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  const env = useTemporalEnv('time-skipping');
  const clock = (): Date => new Date(Date.now() + skewMs);
  let plainClient: Client | undefined;
  const tracked = new Set<string>();
  const releaseClosedChildren = async (): Promise<void> => {
    for (const workflowId of [...tracked]) {
      const description = await client().workflow.getHandle(workflowId).describe();
      if (description.status.name === 'RUNNING') continue;
      tracked.delete(workflowId);
      await env().connection.testService!.unlockTimeSkipping({});
    }
  };
  const client = (): Client => (plainClient ??= new Client({ connection: env().connection, namespace: 'default' }));

  return {
    env,
    client,
    clock,
    async syncClock() {
      skewMs = (await env().currentTimeMs()) - Date.now();
    },

    track(workflowId) {
      tracked.add(workflowId);
    },

    async advance(ms) {
      let done = false;
      const sleeping = env()
        .sleep(ms)
        .finally(() => {
          done = true;
        });
      while (!done) {
        await Promise.race([sleeping, new Promise((resolve) => setTimeout(resolve, 200))]);
        await releaseClosedChildren();
      }
      await sleeping;
      await this.syncClock();
    },

    async world(options) {
      await this.syncClock();
      const now = clock().getTime();
      const dir = await mkdtemp(join(tmpdir(), 'certrot-renewals-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));

      const token = randomBytes(24).toString('base64url');
      const vendor = await startSandboxVendor({
        host: '127.0.0.1',
        port: 0,
        tlsPort: 0,
        token,
        clock,
        fixture: { orgs: options.orgs.map((o) => ({ orgId: `${o.alias}-vendor`, mode: 'multi-key' as const, keys: [] })) },
      });
      cleanups.push(() => vendor.close());
      const registry = new HttpVendorRegistry({ vendorName: 'Acme (sandbox)', baseUrl: vendor.url, bearerToken: token });

      const orgs: Record<string, WorldOrg> = {};
      const orgConfig: Record<string, unknown> = {};
      for (const spec of options.orgs) {
        const keyFile = join(dir, `${spec.alias}-jwt.pem`);
        const loaded = await loadFixture(spec.fixture, now, spec.ageDays ?? {});
        // Another org from the same fixture: its Id everywhere (org-default setting records name it).
        const fixture = spec.orgId ? (JSON.parse(JSON.stringify(loaded).replaceAll(String(loaded.orgId), spec.orgId)) as Record<string, unknown>) : loaded;
        const sandbox = await createSandboxOrg({ fixture, host: '127.0.0.1', port: 0, connectedAppKeyOut: keyFile, clock }).start();
        cleanups.push(() => sandbox.close());
        const auth = { kind: 'jwt', loginUrl: sandbox.url, consumerKey: sandbox.login.consumerKeys[0]!, username: sandbox.login.usernames[0]!, privateKeyPath: keyFile };
        const vendorOrgId = `${spec.alias}-vendor`;
        orgConfig[spec.alias] = { vendorOrgId, apiVersion: '62.0', auth, retry: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 500 } };
        const salesforce = createJsforceOrg({ auth: { kind: 'jwt', loginUrl: sandbox.url, consumerKey: auth.consumerKey, username: auth.username, privateKeyPath: keyFile } });
        // Before any rotation the vendor trusts every certificate the org has.
        for (const cert of spec.seedVendor === false ? [] : await salesforce.listCertificates()) {
          if (!cert.usable || Date.parse(cert.expiresAt!) <= now) continue; // the vendor refuses expired keys
          const details = await salesforce.getCertificate(cert.uniqueName);
          const fingerprint = await registry.stageKey(vendorOrgId, details.certificatePem!, { run: { workflowId: 'test-seed', runId: 'seed' } });
          await registry.activateKey(vendorOrgId, fingerprint, { run: { workflowId: 'test-seed', runId: 'seed' } });
        }
        orgs[spec.alias] = {
          alias: spec.alias,
          vendorOrgId,
          sandbox,
          salesforce,
          apiCalls: async () => {
            const response = await fetch(`${sandbox.url}/__sandbox/limits`);
            const state = (await response.json()) as { dailyApiRequests: { used: number } };
            return state.dailyApiRequests.used;
          },
        };
      }

      const config = parseWorkerConfig(
        {
          orgs: orgConfig,
          vendors: {
            acme: { kind: 'http', registry: { vendorName: 'Acme (sandbox)', baseUrl: vendor.url, bearerToken: token, retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 200 } } },
          },
          inventory: options.inventory,
        },
        {},
        dir,
      );

      if (!bundle) throw new Error('the workflow bundle was not built');
      queueCounter += 1;
      const taskQueue = `renewals-${process.pid}-${queueCounter}`;
      const adapters = createAdapters(config);
      const calls = new Map<string, number>();
      const activities = createAllActivities({ ...adapters, ...inventoryDepsFromConfig(config), clock });
      const counted = Object.fromEntries(
        Object.entries(activities).map(([name, fn]) => [
          name,
          async (...args: unknown[]) => {
            calls.set(name, (calls.get(name) ?? 0) + 1);
            const result = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
            await options.afterActivity?.(name, args);
            return result;
          },
        ]),
      ) as unknown as AllActivities;
      const worker = await Worker.create({ connection: env().nativeConnection, taskQueue, workflowBundle: bundle, activities: counted });
      const running = worker.run();
      cleanups.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        adapters.close();
      });
      return { orgs, vendor, registry, config, taskQueue, calls };
    },

    async approve(world, workflowId) {
      const handle: WorkflowHandle = client().workflow.getHandle(workflowId);
      const waiting = await waitForPhase(handle, 'awaiting-approval');
      const vendorOrgId = world.orgs[waiting.org]!.vendorOrgId;
      // The provisioning team approves the key it received, by its fingerprint.
      const staged = (await world.registry.listKeys(vendorOrgId)).find((k) => k.state === 'staged' && k.fingerprint === waiting.newCertificate?.spkiFingerprint);
      if (!staged) throw new Error(`${workflowId}: the vendor has no staged key ${waiting.newCertificate?.spkiFingerprint ?? '?'}`);
      await handle.executeUpdate(approveUpdate, { args: [{ approver: APPROVER, fingerprint: staged.fingerprint }] });
      return waiting;
    },
  };
}

/** What `certrot expiring` prints against the test server and the world's task queue. */
export async function printedByExpiring(address: string, taskQueue: string): Promise<string> {
  const printed: string[] = [];
  const program = new Command().exitOverride();
  registerExpiringCommand(program);
  const log = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.join(' '));
  try {
    await program.parseAsync(['node', 'certrot', 'expiring', '--address', address, '--task-queue', taskQueue]);
  } finally {
    console.log = log;
  }
  return printed.join('\n');
}
