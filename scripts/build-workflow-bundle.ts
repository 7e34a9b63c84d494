// Writes dist/workflow-bundle.js: the prebuilt workflow code production workers load.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildWorkflowBundle, PREBUILT_BUNDLE } from '../src/workers/workflow-bundle';

async function main(): Promise<void> {
  const { code } = await buildWorkflowBundle();
  mkdirSync(dirname(PREBUILT_BUNDLE), { recursive: true });
  writeFileSync(PREBUILT_BUNDLE, code);
  console.log(`wrote ${PREBUILT_BUNDLE} (${(code.length / 1024).toFixed(0)} KiB)`);
}

void main();
