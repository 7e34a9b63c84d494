/**
 * Records one renewal sweep's history into test/replay/histories/ for the replay test:
 *
 *   npx tsx scripts/record-sweep-history.ts v2
 *
 * Runs test/replay/recorders/renewal-sweep.recorder.ts (the renewal harness: time-skipping
 * server, sandbox orgs and vendor) under node's test runner. Run it when the sweep changes
 * on purpose, and keep the older files.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const label = process.argv[2];
if (!label || !/^[a-z0-9-]+$/.test(label)) {
  console.error('usage: npx tsx scripts/record-sweep-history.ts <label>   (e.g. v2: lower-case letters, digits and -)');
  process.exit(2);
}
const root = join(__dirname, '..');
const target = join(root, 'test', 'replay', 'histories', `renewal-sweep-${label}.history.pb`);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', join(root, 'test', 'replay', 'recorders', 'renewal-sweep.recorder.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CERTROT_RECORD_TO: target },
});
process.exit(run.status ?? 1);
