/**
 * The workflow code as one prebuilt bundle. Production workers load `dist/workflow-bundle.js`
 * (made by `npm run build:workflows`) so they start fast and run exactly the code that was
 * built; without it (development, tests) the worker bundles from source at start.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WORKFLOWS_ENTRY = require.resolve('../workflows');
/** Baked into the bundle: a payload a signal sender forged cannot wedge a workflow (see the file). */
export const PAYLOAD_CONVERTER = require.resolve('../codec/payload-converter');
export const PREBUILT_BUNDLE = join(__dirname, '..', '..', 'dist', 'workflow-bundle.js');

export function buildWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, payloadConverterPath: PAYLOAD_CONVERTER, logger: quietLogger });
}

/** The prebuilt bundle if one was built, else a fresh one. */
export async function workflowBundle(): Promise<{ code: string } | { codePath: string }> {
  if (process.env.CERTROT_WORKFLOW_BUNDLE) return { codePath: process.env.CERTROT_WORKFLOW_BUNDLE };
  if (existsSync(PREBUILT_BUNDLE)) return { codePath: PREBUILT_BUNDLE };
  const { code } = await buildWorkflowBundle();
  return { code };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
