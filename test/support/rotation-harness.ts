/**
 * Rotation tests on a real Temporal server with the real adapters against the sandboxes:
 * a fresh sandbox world (org + vendor) per test, one workflow bundle per test file, a
 * worker per test. Everything started is stopped in `after`/`finally`, also on failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities/rotation-activities';
import type { RotationActivities } from '../../src/domain/activity-contract';
import type { Phase, Reference, RotationRequest, RotationStatus } from '../../src/domain/rotation';
import { rotationWorkflowId } from '../../src/domain/rotation';
import { startSandboxWorld, type SandboxWorld, type WorldOptions } from '../../src/sandbox/world';
import { createAdapters, type Adapters } from '../../src/workers/adapters';
import { buildWorkflowBundle } from '../../src/workers/workflow-bundle';
import { workerDataConverter } from '../../src/codec/data-converter';
import { statusQuery } from '../../src/workflows/messages';
import { rotateCertificate } from '../../src/workflows/rotate-certificate';
import { createTimeSkippingEnv } from './temporal';

export interface RotationHarness {
  env(): TestWorkflowEnvironment;
  /** A fresh world; closed automatically at the end of the file. */
  world(options?: Omit<WorldOptions, 'dir'>): Promise<SandboxWorld>;
  /** Starts a worker for `world` on a fresh task queue (or the given one); stopped at the end of the file. */
  worker(world: SandboxWorld, adapters?: Adapters, taskQueue?: string, overrides?: Partial<RotationActivities>): Promise<{ worker: Worker; taskQueue: string; stop(): Promise<void> }>;
  start(taskQueue: string, request: RotationRequest): Promise<WorkflowHandle>;
  /**
   * The failure a rotation refused with (type ROTATION_REFUSED), awaited through a client
   * that does not skip time: the environment's own client lets the server jump ahead while
   * it waits (to another rotation's approval timeout), and a refusal needs no timer.
   */
  refusal(handle: WorkflowHandle): Promise<{ message: string; status: RotationStatus }>;
}

export interface RotationHarnessOptions {
  /** Data converter (e.g. with the encryption codec) for the client and every worker alike. */
  dataConverter?: DataConverter;
  /**
   * One server (and its worlds and workers) for the whole file instead of one per test, for
   * files whose last test looks back at every earlier rotation. Such a file must not start
   * two rotations of one certificate that both receive updates (see beforeEach below).
   */
  serverPerFile?: boolean;
}

let queueCounter = 0;

export function useRotationHarness(options: RotationHarnessOptions = {}): RotationHarness {
  let bundle: { code: string } | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    const built = await buildWorkflowBundle();
    bundle = { code: built.code };
  });
  // A fresh time-skipping server per test: every rotation of one certificate has the same
  // (canonical) workflow id, and the test server mishandles updates to a reused id. Workers
  // and worlds stop before their server does, also when the test failed.
  let current: TestWorkflowEnvironment | undefined;
  const up = async (): Promise<void> => {
    current = await createTimeSkippingEnv(options.dataConverter ? { dataConverter: options.dataConverter } : {});
  };
  const down = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await current?.teardown();
    current = undefined;
  };
  if (options.serverPerFile) {
    before(up);
    after(down);
  } else {
    beforeEach(up);
    afterEach(down);
  }
  const env = (): TestWorkflowEnvironment => {
    if (!current) throw new Error('the time-skipping Temporal environment is not running (did its start-up fail?)');
    return current;
  };

  return {
    env,
    async refusal(handle) {
      const plain = new Client({ connection: env().connection, ...(env().namespace ? { namespace: env().namespace } : {}) });
      const error = await plain.workflow.getHandle(handle.workflowId).result().then(
        () => assert.fail('the rotation should have been refused'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
      assert.equal(error.cause.type, 'ROTATION_REFUSED', error.cause.message);
      return { message: error.cause.message, status: error.cause.details?.[0] as RotationStatus };
    },
    async world(options = {}) {
      const dir = await mkdtemp(join(tmpdir(), 'certrot-world-'));
      const world = await startSandboxWorld({ ...options, dir });
      cleanups.push(async () => {
        await world.close();
        await rm(dir, { recursive: true, force: true });
      });
      return world;
    },
    async worker(world, adapters, existingQueue, overrides = {}) {
      if (!bundle) throw new Error('the workflow bundle was not built');
      queueCounter += 1;
      const taskQueue = existingQueue ?? `rotation-test-${process.pid}-${queueCounter}`;
      const deps = adapters ?? createAdapters(world.config);
      const worker = await Worker.create({
        connection: env().nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        // `overrides`: scripted stand-ins for single activities (the rest are the real ones).
        activities: { ...createActivities(deps), ...overrides },
        dataConverter: workerDataConverter(options.dataConverter),
        // No workflow cache: every task replays the whole history, so each test also proves the
        // workflow deterministic — and a stopped worker leaves no sticky queue behind (the
        // time-skipping test server never hands a dead worker's sticky tasks back).
        maxCachedWorkflows: 0,
      });
      const running = worker.run();
      const stop = async (): Promise<void> => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        deps.close();
      };
      cleanups.push(stop);
      return { worker, taskQueue, stop };
    },
    async start(taskQueue, request) {
      // One rotation per certificate: the canonical id.
      const workflowId = rotationWorkflowId(request.org, request.certificate);
      return env().client.workflow.start(rotateCertificate, { taskQueue, workflowId, args: [request] });
    },
  };
}

/** Polls the status query (real time, bounded) until the rotation reaches `phase`. */
export async function waitForPhase(handle: WorkflowHandle, phase: Phase | Phase[], timeoutMs = 60_000): Promise<RotationStatus> {
  const wanted = Array.isArray(phase) ? phase : [phase];
  const deadline = Date.now() + timeoutMs;
  let last: RotationStatus | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(statusQuery);
    if (wanted.includes(last.phase)) return last;
    if (last.outcome !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`rotation did not reach ${wanted.join('/')}; last phase ${last?.phase ?? '?'} (${last?.reason ?? ''}) errors: ${last?.errors.join('; ') ?? ''}`);
}

/** Every reference in the world's org naming `uniqueName`, found the way an admin would: discover, then look. */
export async function referencesNaming(world: SandboxWorld, uniqueName: string): Promise<Reference[]> {
  const targets = (await world.salesforce.discoverReferenceTargets()).map(({ object, field, kind }) => ({ object, field, kind }));
  return world.salesforce.findReferences(uniqueName, targets);
}
