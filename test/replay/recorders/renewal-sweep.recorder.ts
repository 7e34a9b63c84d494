/**
 * Records the history of one renewal sweep for the replay test (test/replay): two orgs,
 * certificates at every stage of life (due now, due later, one already expired, one no
 * integration covers), a dangling reference for the drift audit; the sweep starts the due
 * rotations. Not a test (the name does not end in .test.ts): run it through
 *
 *   npx tsx scripts/record-sweep-history.ts v2
 *
 * which writes test/replay/histories/renewal-sweep-<label>.history.pb. Keep old files:
 * they prove a change to the sweep still replays sweeps that were running when it shipped.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { useRenewalHarness } from '../../renewals/support';

export const RECORDED_SWEEP_ID = 'renewal-sweep-recorded';

describe('record a renewal sweep', () => {
  const harness = useRenewalHarness();

  it('records', { timeout: 120_000 }, async () => {
    const target = process.env.CERTROT_RECORD_TO;
    assert.ok(target, 'CERTROT_RECORD_TO: the file to write');
    const world = await harness.world({
      orgs: [
        { alias: 'alpha', fixture: 'alpha-org.json', ageDays: { Alpha_Orders: 150, Alpha_Billing: 20, Alpha_New: 0 } },
        { alias: 'beta', fixture: 'beta-org.json', ageDays: { Beta_Gateway: 190, Beta_Portal: 60, Beta_Unmanaged: 10 } },
      ],
      inventory: {
        orgs: {
          alpha: {
            integrations: [
              { certificatePattern: 'Alpha_*', vendor: 'acme', strategy: 'overlap', references: { targets: [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }] }, window: 'Saturdays 02:00-04:00 UTC', renewal: { jitterMaxHours: 24 } },
              { certificate: 'Alpha_Gone', vendor: 'acme', strategy: 'overlap', window: 'Saturdays 02:00-04:00 UTC' },
            ],
          },
          beta: {
            integrations: [
              { certificatePattern: 'Beta_Gateway*', vendor: 'acme', strategy: 'simultaneous', references: { discover: true }, window: 'daily 22:00-23:30 Europe/London' },
              { certificatePattern: 'Beta_Portal*', vendor: 'acme', strategy: 'overlap', references: { discover: true }, window: 'daily 22:00-23:30 Europe/London', renewal: { renewBeforeDays: 30 } },
            ],
          },
        },
      },
    });
    const handle = await harness.client().workflow.start('renewalSweep', { taskQueue: world.taskQueue, workflowId: RECORDED_SWEEP_ID, args: [{}] });
    const result = (await handle.result()) as { started: { workflowId: string }[]; orgs: { workflowId?: string | null }[] };
    for (const rotation of result.started) harness.track(rotation.workflowId);
    assert.ok(result.started.length > 0, 'the recorded sweep starts rotations');
    const history = await handle.fetchHistory();
    await writeFile(target, temporal.api.history.v1.History.encode(history).finish());
    console.log(`recorded ${history.events?.length ?? 0} events to ${target}; started ${result.started.map((s) => s.workflowId).join(', ')}`);
    // From v2 on each org is swept by a child workflow: record the first org's history too.
    const child = result.orgs.find((o) => typeof o.workflowId === 'string')?.workflowId;
    if (child) {
      const childTarget = target.replace('renewal-sweep-', 'renewal-org-sweep-');
      const childHistory = await harness.client().workflow.getHandle(child).fetchHistory();
      await writeFile(childTarget, temporal.api.history.v1.History.encode(childHistory).finish());
      console.log(`recorded ${childHistory.events?.length ?? 0} events of ${child} to ${childTarget}`);
    }
  });
});
