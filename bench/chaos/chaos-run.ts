/**
 * The chaos run (`npm run chaos`, test/chaos/chaos.test.ts): rotations one after another in
 * the chaos world, under
 *
 *   R1  the worker SIGKILLed at random moments (and restarted), the dev server restarted
 *       now and then (same port, same SQLite file);
 *   R2  ~10% injected faults on the sandbox org (HTTP 503 before the call; the answer lost
 *       after the change took effect) and on the sandbox vendor (503 before / after apply);
 *
 * and after each rotation DESIGN.md's invariants checked on both sandboxes (invariants.ts).
 * Every random choice comes from the seeded PRNG; every process started is stopped in the
 * `finally`, and by `stopActiveRuns()` on Ctrl-C.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { RotationRequest } from '../../src/domain/rotation';
import { buildWorkflowBundle } from '../../src/workers/workflow-bundle';
import { CHAOS_TARGETS, CHAOS_TOKEN_VARIABLE, startChaosWorld, type Chain, type ChaosWorld } from './chaos-world';
import { countFaults, faultsOff, faultsOn, type FaultCounts } from './fault-plan';
import { checkRotation } from './invariants';
import { afterRotation } from './operator';
import { RestartableServer, WorkerSupervisor } from './processes';
import { seededPrng, type Prng } from './prng';
import { driveRotation } from './rotation-driver';
import { readWorldView } from './sandbox-state';

export type Part = 'r1' | 'r2';

export interface ChaosOptions {
  /** Rotations per part. */
  readonly rotations: number;
  readonly parts: readonly Part[];
  readonly seed: number;
  readonly gracePeriodSeconds?: number;
  /** A rotation not ended after this long counts as "did not end" (default 10 minutes). */
  readonly rotationTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface RotationRecord {
  readonly index: number;
  readonly part: Part;
  readonly chain: string;
  readonly strategy: string;
  readonly certificate: string;
  readonly newUniqueName: string;
  /** The outcome, `refused` for a refusal that made nothing, or `did-not-end`. */
  readonly outcome: string;
  readonly violations: readonly string[];
}

export interface PartCounts {
  /** Printed, never asserted. */
  durationMs: number;
  workerKills: number;
  serverRestarts: number;
  faults: FaultCounts;
}

export interface ChaosReport {
  readonly seed: number;
  readonly rotations: readonly RotationRecord[];
  readonly parts: Partial<Record<Part, PartCounts>>;
  readonly workerCrashes: readonly string[];
  readonly violations: readonly string[];
}

const active = new Set<() => Promise<void>>();

/** Stops every process of every run in progress (the CLI's Ctrl-C handler). */
export async function stopActiveRuns(): Promise<void> {
  await Promise.allSettled([...active].map((stop) => stop()));
}

const totalFaults = (c: FaultCounts): number => c.salesforceBefore + c.salesforceAfter + c.vendorBefore + c.vendorAfter;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Kills the worker at random moments until stopped: each worker process, once it polls,
 * lives a random 1-15 s (a kill before it polls would test nothing but start-up).
 */
function startKiller(supervisor: WorkerSupervisor, prng: Prng): { stop(): Promise<void> } {
  let running = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (running) {
      const generation = await supervisor.whenPolling(() => running);
      if (generation === undefined) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, prng.between(1_000, 15_000));
      });
      if (running) supervisor.kill(generation);
    }
  })();
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const choices = seededPrng(options.seed);
  const kills = seededPrng(options.seed + 1);
  const restarts = seededPrng(options.seed + 2);
  const graceSeconds = options.gracePeriodSeconds ?? 2;
  const dir = await mkdtemp(join(tmpdir(), 'certrot-chaos-'));
  const stops: (() => Promise<void>)[] = [];
  let stopped = false;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  active.add(stopAll);

  const records: RotationRecord[] = [];
  const parts: Partial<Record<Part, PartCounts>> = {};
  let supervisor: WorkerSupervisor | undefined;
  try {
    // ---- the world: workflow bundle, dev server with a database file, sandboxes, worker ----
    const bundleFile = join(dir, 'workflow-bundle.js');
    await writeFile(bundleFile, (await buildWorkflowBundle()).code);
    const server = await RestartableServer.start(join(dir, 'temporal.db'));
    stops.push(() => server.stop());
    await mkdir(join(dir, 'world'));
    const world: ChaosWorld = await startChaosWorld(join(dir, 'world'), server.address);
    stops.push(() => world.close());
    const faults = countFaults(world);
    const workerEnv = { CERTROT_WORKFLOW_BUNDLE: bundleFile, [CHAOS_TOKEN_VARIABLE]: world.vendorToken };
    const worker = new WorkerSupervisor(world.workerConfigFile, workerEnv, () => kills.between(200, 1_500));
    supervisor = worker;
    stops.push(() => worker.stop());
    worker.start();
    const connection = await Connection.connect({ address: server.address });
    // Closed after the processes are stopped (stops run newest first).
    stops.unshift(() => connection.close());
    const client = new Client({ connection });
    log(`chaos: seed ${options.seed}, ${options.rotations} rotation(s) per part (${options.parts.join(', ')}), grace ${graceSeconds} s, dev server ${server.address}`);

    let index = 0;
    for (const part of options.parts) {
      const start = { at: Date.now(), kills: worker.kills, restarts: server.restarts, faults: { ...faults.counts } };
      if (part === 'r2') await faultsOn(world);
      const killer = part === 'r1' ? startKiller(worker, kills) : undefined;
      for (let i = 0; i < options.rotations; i++) {
        const healthy = world.chains.filter((c) => c.broken === null);
        if (healthy.length === 0) {
          log('chaos: every chain is broken; stopping');
          break;
        }
        index += 1;
        const chain = choices.pick(healthy);
        // R1: now and then (and at least once per part) the dev server restarts mid-rotation.
        const restartNow = part === 'r1' && (choices.next() < 0.2 || (i === Math.floor(options.rotations / 2) && server.restarts === start.restarts));
        const restartAfterMs = choices.between(500, 8_000);
        const restart = restartNow ? sleep(restartAfterMs).then(() => server.restart(restarts.between(200, 2_000))) : Promise.resolve();
        const seen = { kills: worker.kills, restarts: server.restarts, faults: totalFaults(faults.counts) };
        const disruptions = (): string =>
          `${worker.kills - seen.kills} kill(s), ${server.restarts - seen.restarts} restart(s), ${totalFaults(faults.counts) - seen.faults} fault(s)`;
        records.push(await rotateOnce(client, world, chain, { index, part, graceSeconds, timeoutMs: options.rotationTimeoutMs ?? 600_000, log, disruptions }));
        await restart;
      }
      await killer?.stop();
      if (part === 'r2') await faultsOff(world);
      parts[part] = {
        durationMs: Date.now() - start.at,
        workerKills: worker.kills - start.kills,
        serverRestarts: server.restarts - start.restarts,
        faults: {
          salesforceBefore: faults.counts.salesforceBefore - start.faults.salesforceBefore,
          salesforceAfter: faults.counts.salesforceAfter - start.faults.salesforceAfter,
          vendorBefore: faults.counts.vendorBefore - start.faults.vendorBefore,
          vendorAfter: faults.counts.vendorAfter - start.faults.vendorAfter,
        },
      };
    }
  } finally {
    await stopAll();
    active.delete(stopAll);
  }
  return {
    seed: options.seed,
    rotations: records,
    parts,
    workerCrashes: supervisor?.crashes ?? [],
    violations: records.flatMap((r) => r.violations.map((v) => `rotation ${r.index} (${r.part}, chain ${r.chain}, ${r.certificate} -> ${r.newUniqueName}): ${v}`)),
  };
}

async function rotateOnce(
  client: Client,
  world: ChaosWorld,
  chain: Chain,
  run: { index: number; part: Part; graceSeconds: number; timeoutMs: number; log: (line: string) => void; disruptions: () => string },
): Promise<RotationRecord> {
  const { sandbox } = world;
  const newUniqueName = `${chain.base}_R${run.index}`;
  const request: RotationRequest = {
    org: chain.alias,
    certificate: chain.current,
    vendor: 'acme',
    strategy: chain.strategy,
    newUniqueName,
    newLabel: `${chain.base.replace(/_/g, ' ')} R${run.index}`,
    references: { discover: true, targets: CHAOS_TARGETS },
    approval: { timeout: '30 minutes' },
    gracePeriod: `${run.graceSeconds} seconds`,
  };
  const before = await readWorldView(sandbox.org.url, sandbox.vendor.url);
  const driven = await driveRotation(client, request, { timeoutMs: run.timeoutMs, log: run.log });
  const after = await readWorldView(sandbox.org.url, sandbox.vendor.url);
  const violations = checkRotation({
    certificate: chain.current,
    newUniqueName,
    vendorOrgId: chain.vendorOrgId,
    strategy: chain.strategy,
    gracePeriodMs: run.graceSeconds * 1000,
    before,
    after,
    status: driven.status,
  });
  const status = driven.status;
  const refused = status?.outcome === 'failed' && status.newCertificate === null && status.manualSteps.length === 0;
  const outcome = status?.outcome ? (refused ? 'refused' : status.outcome) : 'did-not-end';
  const shown = status?.reason ? ` — ${status.reason.slice(0, 160)}` : outcome === 'did-not-end' ? ` — last phase ${driven.lastSeen?.phase ?? '?'}` : '';
  run.log(`#${run.index} ${run.part.toUpperCase()} chain ${chain.id} (${chain.strategy}) ${chain.current} -> ${newUniqueName}: ${outcome}${shown}; ${run.disruptions()}; ${violations.length} violation(s)`);
  for (const violation of violations) run.log(`   ! ${violation}`);
  await afterRotation(world, chain, { before, after, status, newUniqueName, index: run.index, log: run.log });
  return { index: run.index, part: run.part, chain: chain.id, strategy: chain.strategy, certificate: request.certificate, newUniqueName, outcome, violations };
}
