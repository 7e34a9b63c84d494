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

// A hung test file fails after 5 minutes instead of holding CI until its deadline. A file that
// is long on purpose (a simulation of years) says so in a line of its own near its top:
//   // test-timeout-minutes: 20
const DEFAULT_FILE_MINUTES = 5;
function fileMinutes(file) {
  const head = readFileSync(resolve(root, file), 'utf8').slice(0, 4000);
  const match = /^\/\/ test-timeout-minutes: (\d+)$/m.exec(head);
  return match ? Number(match[1]) : DEFAULT_FILE_MINUTES;
}
const groups = new Map();
for (const file of files) {
  const minutes = fileMinutes(file);
  groups.set(minutes, [...(groups.get(minutes) ?? []), file]);
}

let child;
function runGroup(minutes, groupFiles, index) {
  const countsFile = join(work, `counts-${index}.json`);
  const args = [
    '--import',
    'tsx',
    '--test',
    `--test-timeout=${minutes * 60_000}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'count-reporter.mjs')}`,
    `--test-reporter-destination=${countsFile}`,
    ...groupFiles,
  ];
  // In a process group of its own, so that the deadline below can stop every test process.
  child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env, detached: true });
  return new Promise((resolveRun) => {
    child.on('exit', (code, signal) => {
      let counts = { passed: 0, failed: 0, skipped: 0 };
      try {
        counts = JSON.parse(readFileSync(countsFile, 'utf8'));
      } catch {
        counts.failed += 1; // the runner died before reporting: count that as a failure
      }
      const failed = code !== 0 && counts.failed === 0 ? 1 : counts.failed;
      resolveRun({ ...counts, failed, code: code ?? (signal ? 1 : 0) });
    });
  });
}
const forward = (signal) => child?.kill(signal);
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
      if (child) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
}, deadlineMinutes * 60_000);
deadline.unref();

const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;
let index = 0;
for (const [minutes, groupFiles] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
  if (deadlinePassed) break;
  const run = await runGroup(minutes, groupFiles, index++);
  totals.passed += run.passed;
  totals.failed += run.failed;
  totals.skipped += run.skipped;
  if (run.code !== 0) exitCode = run.code;
}
rmSync(work, { recursive: true, force: true });
clearTimeout(deadline);
const failed = (exitCode !== 0 || deadlinePassed) && totals.failed === 0 ? 1 : totals.failed;
console.log(`\n${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`);
process.exit(deadlinePassed ? 1 : exitCode);
