/**
 * What every benchmark runs on: one Temporal dev server on free ports (test/support's
 * createDevServerEnv), the rotation workflow bundle built once, sandbox worlds in temporary
 * folders, and in-process workers. Everything started is registered here and stopped in
 * reverse order by `close()` — at the end, on failure, and on Ctrl-C (bench/run.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkerOptions } from '@temporalio/worker';
import { createAllActivities, inventoryDepsFromConfig } from '../../src/activities';
import { workerDataConverter } from '../../src/codec/data-converter';
import { startSandboxWorld, type SandboxWorld, type WorldOptions } from '../../src/sandbox/world';
import { createAdapters } from '../../src/workers/adapters';
import type { WorkerConfig } from '../../src/workers/config';
import { buildWorkflowBundle, PAYLOAD_CONVERTER } from '../../src/workers/workflow-bundle';
import { createDevServerEnv } from '../../test/support/temporal';

export interface BenchEnv {
  readonly temporal: TestWorkflowEnvironment;
  /** The rotation workflows, bundled once for every worker of the run. */
  readonly rotationBundle: { code: string };
  /** The no-op workflow of bench/noop-workflow.ts, bundled on first use. */
  noopBundle(): Promise<{ code: string }>;
  /** Registers a clean-up; returns a function that runs it now (and unregisters it). */
  defer(cleanup: () => Promise<void>): () => Promise<void>;
  /** A unique task queue name. */
  taskQueue(prefix: string): string;
  close(): Promise<void>;
}

export async function startBenchEnv(): Promise<BenchEnv> {
  const cleanups: (() => Promise<void>)[] = [];
  const temporal = await createDevServerEnv();
  cleanups.push(() => temporal.teardown());
  let noop: { code: string } | undefined;
  let queues = 0;
  try {
    const rotationBundle = { code: (await buildWorkflowBundle()).code };
    const env: BenchEnv = {
      temporal,
      rotationBundle,
      async noopBundle() {
        noop ??= { code: (await bundleWorkflowCode({ workflowsPath: require.resolve('../noop-workflow'), payloadConverterPath: PAYLOAD_CONVERTER, logger: quietBundleLogger })).code };
        return noop;
      },
      defer(cleanup) {
        cleanups.push(cleanup);
        return async () => {
          const at = cleanups.indexOf(cleanup);
          if (at >= 0) cleanups.splice(at, 1);
          await cleanup();
        };
      },
      taskQueue(prefix) {
        queues += 1;
        return `bench-${prefix}-${process.pid}-${queues}`;
      },
      async close() {
        while (cleanups.length > 0) await cleanups.pop()!().catch((error: unknown) => console.error(`clean-up failed: ${String(error)}`));
      },
    };
    return env;
  } catch (error) {
    await temporal.teardown();
    throw error;
  }
}

const quietBundleLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.error(message),
  error: (message: string) => console.error(message),
};

/** A sandbox world (demo fixture, or changed by `orgFixture`) in a temporary folder, stopped by `env.close()` at the latest. */
export async function benchWorld(env: BenchEnv, options: Omit<WorldOptions, 'dir'> = {}): Promise<{ world: SandboxWorld; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'certrot-bench-'));
  let world: SandboxWorld;
  try {
    world = await startSandboxWorld({ ...options, dir });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const stop = env.defer(async () => {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { world, stop };
}

export interface BenchWorker {
  readonly taskQueue: string;
  stop(): Promise<void>;
}

/** Runs a worker until `stop()` (or `env.close()`), on the env's dev server. */
export async function runWorker(env: BenchEnv, options: Omit<WorkerOptions, 'connection'>, onStop: () => void = () => undefined): Promise<BenchWorker> {
  const worker = await Worker.create({ connection: env.temporal.nativeConnection, ...options });
  const running = worker.run();
  const stop = env.defer(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch((error: unknown) => console.error(`worker stopped with ${String(error)}`));
    onStop();
  });
  return { taskQueue: options.taskQueue, stop };
}

/** certrot's own worker (every workflow and activity), on the prebuilt bundle, for `config`. */
export async function rotationWorker(env: BenchEnv, config: WorkerConfig, prefix: string): Promise<BenchWorker> {
  const adapters = createAdapters(config);
  return runWorker(
    env,
    {
      taskQueue: env.taskQueue(prefix),
      workflowBundle: env.rotationBundle,
      activities: createAllActivities({ ...adapters, ...inventoryDepsFromConfig(config) }),
      dataConverter: workerDataConverter(undefined),
    },
    () => adapters.close(),
  );
}
