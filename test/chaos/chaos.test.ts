// test-timeout-minutes: 20
/**
 * The chaos run in small (bench/chaos/chaos-run.ts, the code `npm run chaos` runs): 10
 * rotations with a fixed seed — 5 with the worker SIGKILLed at random moments and the dev
 * server restarted (R1), 5 with ~10% injected faults on the sandbox org and vendor (R2) —
 * and DESIGN.md's invariants checked on both sandboxes after each. Asserts only invariants
 * and that every rotation ended; how long anything took is never asserted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runChaos } from '../../bench/chaos/chaos-run';
import { formatReport } from '../../bench/chaos/report';

const SEED = 15_003;

describe('chaos: worker kills, server restarts and injected faults', () => {
  it('ends every rotation with no invariant violated', async () => {
    const report = await runChaos({ rotations: 5, parts: ['r1', 'r2'], seed: SEED, gracePeriodSeconds: 1, log: (line) => console.log(line) });
    console.log(formatReport(report));
    assert.equal(report.rotations.length, 10, 'every planned rotation ran');
    assert.deepEqual(
      report.rotations.filter((r) => r.outcome === 'did-not-end').map((r) => `rotation ${r.index} (${r.chain})`),
      [],
      'every rotation ended',
    );
    assert.deepEqual(report.violations, [], 'no invariant violated');
    // The run did disrupt: R1 killed the worker and restarted the server, R2 injected faults.
    assert.ok((report.parts.r1?.workerKills ?? 0) > 0, 'R1 killed the worker');
    assert.ok((report.parts.r1?.serverRestarts ?? 0) > 0, 'R1 restarted the dev server');
    const faults = report.parts.r2?.faults;
    assert.ok(faults && faults.salesforceBefore + faults.salesforceAfter > 0 && faults.vendorBefore + faults.vendorAfter > 0, 'R2 injected faults on both sides');
  });
});
