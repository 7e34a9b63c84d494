/**
 * Real Temporal servers for tests, from the registry-installed binaries (never the SDK's
 * web download). Each helper registers node:test hooks so that one server is started per
 * test file and always torn down, also when a test or the set-up itself fails.
 */
import { after, before } from 'node:test';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { DataConverter } from '@temporalio/common';
import { resolveTemporalCli, resolveTestServer } from '../../src/temporal/binaries';
import { SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';

let runtimeInstalled = false;

/** Keep the SDK's own logging to warnings so test output stays readable. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by someone else in this process: keep theirs
  }
}

export interface TemporalEnvOptions {
  /**
   * Data converter for the environment's own client (`env.client`), e.g. one with payload
   * codecs. Workers a test creates must be given the same converter themselves.
   */
  dataConverter?: DataConverter;
}

function clientOptions(options: TemporalEnvOptions): { client?: { dataConverter: DataConverter } } {
  return options.dataConverter ? { client: { dataConverter: options.dataConverter } } : {};
}

export async function createTimeSkippingEnv(options: TemporalEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const server = await resolveTestServer({ log: (line) => console.error(line) });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: server.path } },
    ...clientOptions(options),
  });
  await registerSearchAttributes(env);
  return env;
}

/** The test server starts without custom search attributes; certrot's workflows upsert them. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const { IndexedValueType } = temporal.api.enums.v1;
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTES.map((key) => [
          key.name,
          key.type === 'DATETIME' ? IndexedValueType.INDEXED_VALUE_TYPE_DATETIME : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
  } catch (error) {
    await env.teardown();
    throw error;
  }
}

export async function createDevServerEnv(options: TemporalEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const cli = await resolveTemporalCli({ log: (line) => console.error(line) });
  return TestWorkflowEnvironment.createLocal({
    ...clientOptions(options),
    server: {
      executable: { type: 'existing-path', path: cli.path },
      ip: '127.0.0.1',
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: ['--ui-disable-news-fetch', '--headless'],
    },
  });
}

/**
 * Registers before/after hooks for the current test file and returns an accessor for the
 * environment. The server is torn down in `after`, which node runs even when tests fail.
 */
export function useTemporalEnv(kind: 'time-skipping' | 'dev-server', options: TemporalEnvOptions = {}): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    env = kind === 'time-skipping' ? await createTimeSkippingEnv(options) : await createDevServerEnv(options);
  });
  after(async () => {
    await env?.teardown();
    env = undefined;
  });
  return () => {
    if (!env) throw new Error(`the ${kind} Temporal environment is not running (did its start-up fail?)`);
    return env;
  };
}
