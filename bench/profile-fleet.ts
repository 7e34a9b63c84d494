/**
 * Where a fleet rotation's time and Salesforce calls go, and how they grow with the org.
 *
 *   npx tsx bench/profile-fleet.ts activities 1 20 50   one rotation's activities, alone, in orgs of 1/20/50 fleet certificates
 *   npx tsx bench/profile-fleet.ts fleet 20              N overlap rotations at once through a Temporal dev server and one worker
 *   node --cpu-prof --import tsx bench/profile-fleet.ts fleet 20    the same with a CPU profile of the whole process
 *
 * `activities` runs backUpCertificate, generateCertificate, verifyRotation and
 * deleteCertificate on one certificate (outside Temporal, in a mock activity context) and
 * prints each one's Salesforce calls (the sandbox's own DailyApiRequests counter) and time.
 * `fleet` starts N rotations at once (approved as soon as they ask, one second of grace (the least a request may give)) and prints
 * per-activity time (min/median/max), Salesforce calls per rotation and rotations per second.
 * Add `--pool` to either to have the sandbox serve new keys from its pre-generated pool
 * (`behaviour.pregeneratedKeys`, FIXTURE.md), so its own RSA key generation is not measured.
 * Timings here are for reading, never for assertions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities/rotation-activities';
import type { RotationActivities } from '../src/domain/activity-contract';
import type { CertificateSummary } from '../src/domain/certificate';
import { rotationWorkflowId, type RotationRequest, type RotationStatus } from '../src/domain/rotation';
import { WORLD_ORGS } from '../src/sandbox/world';
import { createAdapters } from '../src/workers/adapters';
import { buildWorkflowBundle } from '../src/workers/workflow-bundle';
import { workerDataConverter } from '../src/codec/data-converter';
import { approveUpdate, statusQuery } from '../src/workflows/messages';
import { createDevServerEnv } from '../test/support/temporal';
import { startFleetWorld, type FleetWorld } from './lib/fleet-world';

const say = (line = ''): void => console.log(line);
const args = process.argv.slice(2);
const pool = args.includes('--pool');
const behaviour = (size: number) => (pool ? { pregeneratedKeys: size + 1 } : {});
const org = WORLD_ORGS.multiKey;
const trace = args.includes('--trace');

/** `--trace`: every Salesforce request the process makes (REST path + query, or the SOAP operation), to list per activity. */
const requests: string[] = [];
if (trace) {
  const original = globalThis.fetch;
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url);
    const body = typeof init?.body === 'string' ? init.body : init?.body instanceof Uint8Array ? Buffer.from(init.body).toString('utf8') : '';
    const soap = /Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(body)?.[1];
    const q = url.searchParams.get('q');
    if (url.pathname.startsWith('/services/')) requests.push(soap ? `SOAP ${soap}` : `${init?.method ?? 'GET'} ${url.pathname.replace(/^\/services\/data\/v[\d.]+/, '')}${q ? ` ${q.slice(0, 90)}` : ''}`);
    return original(input, init);
  };
}

function stats(values: readonly number[]): string {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${(sorted[0] ?? 0).toFixed(0)} / ${median.toFixed(0)} / ${(sorted[sorted.length - 1] ?? 0).toFixed(0)}`;
}

async function withWorld<T>(size: number, run: (world: FleetWorld) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'certrot-profile-'));
  const world = await startFleetWorld({ size, dir, behaviour: behaviour(size) });
  try {
    return await run(world);
  } finally {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One rotation's Salesforce-facing activities, alone, in an org holding `size` fleet certificates. */
async function profileActivities(size: number): Promise<void> {
  await withWorld(size, async (world) => {
    const adapters = createAdapters(world.config);
    const activities = createActivities(adapters);
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
    const certificate = world.certificates[0] ?? 'Vendor_Signing';
    const rows: string[] = [];
    const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      const before = await world.apiCalls();
      requests.length = 0;
      const started = performance.now();
      const result = await env.run<[], T, () => Promise<T>>(run);
      const ms = performance.now() - started;
      rows.push(`  ${name.padEnd(20)} ${String((await world.apiCalls()) - before).padStart(4)} calls ${ms.toFixed(0).padStart(6)} ms`);
      if (trace) rows.push(...requests.map((r) => `      ${r}`));
      return result;
    };
    try {
      await activities.preflight({ org: org.alias, vendor: 'acme', strategy: 'overlap' } as never).catch(() => undefined); // warms the session (login)
      const backup = await step('backUpCertificate', () => activities.backUpCertificate({ org: org.alias, certificate, discover: true, targets: [] }));
      const created: CertificateSummary = await step('generateCertificate', () =>
        activities.generateCertificate({ org: org.alias, uniqueName: `${certificate}_2`, label: `${certificate} 2`, keySize: 2048, caSigned: false, rotationStartedAt: new Date().toISOString(), replacing: certificate }),
      );
      await step('verifyRotation', () =>
        activities.verifyRotation({
          org: org.alias,
          orgId: org.vendorOrgId,
          vendor: 'acme',
          newCertificate: created,
          previousCertificate: certificate,
          expectedReferences: backup.references.length,
          targets: backup.targets,
          signature: true,
          calloutUrl: null,
          vendorConfirmation: null,
          unswitchable: backup.unswitchable ?? [],
        }),
      );
      await step('deleteCertificate', () => activities.deleteCertificate({ org: org.alias, uniqueName: created.uniqueName, fingerprint: created.fingerprint }));
      say(`org with ${size} fleet certificates (+2 demo), ${backup.references.length} reference(s), ${backup.targets.length} target(s):`);
      for (const row of rows) say(row);
    } finally {
      adapters.close();
    }
  });
}

/** Times every activity of `activities` (per name), for the fleet run. */
function timed(activities: RotationActivities, times: Map<string, number[]>): RotationActivities {
  const wrapped: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities) as Array<[string, (input: never) => Promise<unknown>]>) {
    wrapped[name] = async (input: never) => {
      const started = performance.now();
      try {
        return await fn(input);
      } finally {
        const list = times.get(name) ?? [];
        list.push(performance.now() - started);
        times.set(name, list);
      }
    };
  }
  return wrapped as unknown as RotationActivities;
}

async function profileFleet(size: number): Promise<void> {
  const bundle = await buildWorkflowBundle();
  let env: TestWorkflowEnvironment | undefined;
  try {
    env = await createDevServerEnv();
    const temporal = env;
    await withWorld(size, async (world) => {
      const adapters = createAdapters(world.config);
      const times = new Map<string, number[]>();
      const taskQueue = `profile-fleet-${process.pid}`;
      const worker = await Worker.create({
        connection: temporal.nativeConnection,
        taskQueue,
        workflowBundle: { code: bundle.code },
        activities: timed(createActivities(adapters), times),
        dataConverter: workerDataConverter(undefined),
      });
      const running = worker.run();
      try {
        const before = await world.apiCalls();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const outcomes = await Promise.all(
          world.certificates.map(async (certificate) => {
            const request: RotationRequest = { org: org.alias, certificate, vendor: 'acme', strategy: 'overlap', gracePeriod: '1 seconds' };
            const handle = await temporal.client.workflow.start('rotateCertificate', { taskQueue, workflowId: rotationWorkflowId(org.alias, certificate), args: [request] });
            for (;;) {
              const status = await handle.query(statusQuery).catch(() => null); // null: failed before its handlers were set
              if (status === null || status.outcome !== null) break;
              if (status.phase === 'awaiting-approval' && status.newCertificate) {
                await handle.executeUpdate(approveUpdate, { args: [{ approver: 'profile', fingerprint: status.newCertificate.spkiFingerprint }] });
                break;
              }
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
            return (await handle.result().catch((error: unknown) => ({ outcome: 'failed', phase: 'failed', reason: String(error), errors: [] }))) as RotationStatus;
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const calls = (await world.apiCalls()) - before;
        const completed = outcomes.filter((o) => o.outcome === 'completed').length;
        say(`fleet of ${size}${pool ? ' (sandbox key pool)' : ''}: ${completed}/${size} completed in ${seconds.toFixed(1)} s = ${(size / seconds).toFixed(2)} rotations/s`);
        say(`  Salesforce calls per rotation: ${(calls / size).toFixed(1)}; process CPU per rotation ${((cpu.user + cpu.system) / 1e6 / size).toFixed(2)} s`);
        for (const o of outcomes.filter((x) => x.outcome !== 'completed').slice(0, 3)) say(`  not completed: ${o.outcome ?? o.phase}: ${o.reason ?? o.errors.join('; ')}`);
        say('  activity             ms min / median / max');
        for (const [name, list] of [...times.entries()].sort()) say(`  ${name.padEnd(20)} ${stats(list)}  (${list.length})`);
      } finally {
        worker.shutdown();
        await running.catch(() => undefined);
        adapters.close();
      }
    });
  } finally {
    await env?.teardown();
  }
}

async function main(): Promise<void> {
  const [mode, ...rest] = args.filter((a) => !a.startsWith('--'));
  const sizes = rest.map(Number).filter((n) => Number.isInteger(n) && n > 0);
  if (mode === 'activities') {
    for (const size of sizes.length ? sizes : [1, 20, 50]) await profileActivities(size);
  } else if (mode === 'fleet') {
    for (const size of sizes.length ? sizes : [20]) await profileFleet(size);
  } else {
    say('usage: tsx bench/profile-fleet.ts activities [sizes...] | fleet [sizes...] [--pool]');
    process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
