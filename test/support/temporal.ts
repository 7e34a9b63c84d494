/**
 * Real Temporal servers for tests, from the registry-installed binaries (never the SDK's
 * web download). Each helper registers node:test hooks so that one server is started per
 * test file and always torn down, also when a test or the set-up itself fails.
 */
import { after, before } from 'node:test';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
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

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const server = await resolveTestServer({ log: (line) => console.error(line) });
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: server.path } },
  });
}

export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const cli = await resolveTemporalCli({ log: (line) => console.error(line) });
  return TestWorkflowEnvironment.createLocal({
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
export function useTemporalEnv(kind: 'time-skipping' | 'dev-server'): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    env = kind === 'time-skipping' ? await createTimeSkippingEnv() : await createDevServerEnv();
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
