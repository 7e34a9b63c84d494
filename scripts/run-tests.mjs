#!/usr/bin/env node
// Runs the test suite on node's built-in runner (through tsx) and ends with one line that
// states how many tests passed and failed, which is what CI reads.
//
//   npm test                       every test/**/*.test.ts
//   npm test -- test/unit          only the files under a folder (or named files)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

function collect(path, out) {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      collect(join(path, entry), out);
    }
  } else if (/\.test\.(ts|mts)$/.test(path)) {
    out.push(relative(root, path));
  }
  return out;
}

const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['test']).flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  console.error(`No test files found under: ${(targets.length ? targets : ['test']).join(', ')}`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'certrot-tests-'));
const countsFile = join(work, 'counts.json');
const args = [
  '--import',
  'tsx',
  '--test',
  // A hung test fails after 5 minutes instead of holding CI until its deadline.
  '--test-timeout=300000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts', 'count-reporter.mjs')}`,
  `--test-reporter-destination=${countsFile}`,
  ...files,
];

// In a process group of its own, so that the deadline below can stop every test process.
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env, detached: true });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);

// node's runner reports a test file as timed out but keeps waiting for its process to exit; a
// file whose cleanup hangs would then hold CI until its own deadline. This one stops the run.
const deadlineMinutes = Number(process.env.CERTROT_TEST_DEADLINE_MINUTES ?? 75);
let deadlinePassed = false;
const deadline = setTimeout(() => {
  deadlinePassed = true;
  console.error(`\nThe tests ran past ${deadlineMinutes} minutes (CERTROT_TEST_DEADLINE_MINUTES): stopping every test process.`);
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
}, deadlineMinutes * 60_000);
deadline.unref();

child.on('exit', (code, signal) => {
  let counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    counts = JSON.parse(readFileSync(countsFile, 'utf8'));
  } catch {
    counts.failed += 1; // the runner died before reporting: count that as a failure
  }
  rmSync(work, { recursive: true, force: true });
  clearTimeout(deadline);
  const failed = (code !== 0 || deadlinePassed) && counts.failed === 0 ? 1 : counts.failed;
  console.log(`\n${counts.passed} passed, ${failed} failed, ${counts.skipped} skipped`);
  process.exit(deadlinePassed ? 1 : (code ?? (signal ? 1 : 0)));
});
