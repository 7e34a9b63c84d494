/**
 * A simulated year of automatic renewals across two orgs: the renewal sweep runs every
 * week on the time-skipping server; certificates of different lifetimes (2048 bits -> 1
 * year, 4096 -> 2 years) and policies come due at different times; the test plays the
 * provisioning team and approves each staged key. Every managed certificate must be
 * rotated exactly once, inside its maintenance window, outside the freeze, before expiry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RotationStatus } from '../../src/domain/rotation';
import { parseWindowPolicy, windowContains } from '../../src/domain/maintenance-window';
import type { renewalSweep, RenewalSweepResult, StartedRotation } from '../../src/workflows/renewal-sweep';
import { APPROVER, DAY_MS, useRenewalHarness } from './support';

const ALPHA_WINDOW = 'Saturdays 02:00-04:00 UTC';
const BETA_WINDOW = 'Tue,Thu 22:00-23:30 Europe/London';
const STEP_DAYS = 7;
const YEAR_DAYS = 365;

describe('automatic renewals over a simulated year', () => {
  const harness = useRenewalHarness();

  it('rotates each managed certificate exactly once, in its window, before it expires', { timeout: 150_000 }, async () => {
    const env = harness.env();
    const t0 = await env.currentTimeMs();
    const day = (n: number): string => new Date(t0 + n * DAY_MS).toISOString();
    const freeze = { start: day(280), end: day(300), reason: 'year-end freeze' };
    const world = await harness.world({
      orgs: [
        // Alpha_Billing: 4096 -> 2 years, two thirds used at day ~87. Alpha_Orders: 2048, due ~day 143.
        // Alpha_New: made today, renewBeforePercent 75 -> due ~day 274.
        { alias: 'alpha', fixture: 'alpha-org.json', ageDays: { Alpha_Orders: 100, Alpha_Billing: 400, Alpha_New: 0 } },
        // Beta_Portal: renewBeforeDays 30 -> due day 35. Beta_Gateway: 4096, due ~day 287 but frozen until 300.
        { alias: 'beta', fixture: 'beta-org.json', ageDays: { Beta_Gateway: 200, Beta_Portal: 300, Beta_Unmanaged: 50 } },
      ],
      inventory: {
        orgs: {
          alpha: {
            integrations: [
              {
                certificatePattern: 'Alpha_Orders*',
                vendor: 'acme',
                strategy: 'overlap',
                references: { targets: [{ object: 'acme__Gateway__c', field: 'acme__Certificate__c', kind: 'hierarchy-setting' }] },
                approvers: [APPROVER],
                window: ALPHA_WINDOW,
                renewal: { jitterMaxHours: 72 },
              },
              {
                certificatePattern: 'Alpha_Billing*',
                vendor: 'acme',
                strategy: 'overlap',
                references: { targets: [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }] },
                approvers: [APPROVER],
                window: ALPHA_WINDOW,
              },
              {
                certificatePattern: 'Alpha_New*',
                vendor: 'acme',
                strategy: 'overlap',
                references: { targets: [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }] },
                approvers: [APPROVER],
                window: ALPHA_WINDOW,
                renewal: { renewBeforePercent: 75 },
              },
            ],
          },
          beta: {
            integrations: [
              { certificatePattern: 'Beta_Gateway*', vendor: 'acme', strategy: 'overlap', references: { discover: true }, approvers: [APPROVER], window: BETA_WINDOW, renewal: { freezePeriods: [freeze] } },
              { certificatePattern: 'Beta_Portal*', vendor: 'acme', strategy: 'overlap', references: { discover: true }, approvers: [APPROVER], window: BETA_WINDOW, renewal: { renewBeforeDays: 30 } },
            ],
          },
        },
      },
    });
    const original = new Map<string, { org: string; expiresAt: string }>();
    for (const org of Object.values(world.orgs)) {
      for (const c of await org.salesforce.listCertificates()) original.set(c.uniqueName, { org: org.alias, expiresAt: c.expiresAt! });
    }

    const started: (StartedRotation & { sweptAt: string })[] = [];
    const sweeps: RenewalSweepResult[] = [];
    for (let d = 0; d < YEAR_DAYS; d += STEP_DAYS) {
      const result = await harness.client().workflow.execute<typeof renewalSweep>('renewalSweep', { taskQueue: world.taskQueue, workflowId: `sweep-year-${d}`, args: [{}] });
      sweeps.push(result);
      assert.deepEqual(result.orgs.map((o) => o.error), [null, null], `day ${d}: ${JSON.stringify(result.orgs)}`);
      assert.deepEqual(result.drift, [], `day ${d}: no reference drift expected`);
      for (const rotation of result.started) {
        started.push({ ...rotation, sweptAt: result.sweptAt });
        harness.track(rotation.workflowId);
        await harness.approve(world, rotation.workflowId);
      }
      await harness.advance(STEP_DAYS * DAY_MS);
    }
    await harness.advance(30 * DAY_MS); // the last grace periods end

    // Exactly once per managed certificate; never the unmanaged one, never a renewed one.
    const managed = ['Alpha_Billing', 'Alpha_New', 'Alpha_Orders', 'Beta_Gateway', 'Beta_Portal'];
    assert.deepEqual(started.map((s) => s.certificate).sort(), managed, JSON.stringify(started.map((s) => [s.certificate, s.sweptAt])));
    assert.ok(sweeps.every((s) => s.skipped.some((k) => k.certificate === 'Beta_Unmanaged' && k.kind === 'no-integration')));
    assert.ok(sweeps.some((s) => s.skipped.some((k) => k.kind === 'frozen' && k.certificate === 'Beta_Gateway')), 'Beta_Gateway waited for the freeze to end');
    assert.ok(sweeps.some((s) => s.skipped.some((k) => k.kind === 'already-running' || k.kind === 'superseded')), 'later sweeps left running rotations alone');

    for (const rotation of started) {
      const { org, expiresAt } = original.get(rotation.certificate)!;
      const status = (await harness.client().workflow.getHandle(rotation.workflowId).result()) as RotationStatus;
      assert.equal(status.outcome, 'completed', `${rotation.workflowId}: ${status.reason ?? ''} ${status.errors.join('; ')}`);
      assert.equal(status.approval?.approver, APPROVER);
      const applying = Date.parse(status.timeline.find((t) => t.phase === 'applying')!.at);
      const window = rotation.window!;
      assert.ok(!rotation.urgent && window, `${rotation.certificate} had a maintenance window`);
      assert.ok(applying >= Date.parse(window.start) && applying < Date.parse(window.end), `${rotation.certificate} applied at ${new Date(applying).toISOString()}, window ${window.start} → ${window.end}`);
      assert.ok(windowContains(parseWindowPolicy(org === 'alpha' ? ALPHA_WINDOW : BETA_WINDOW), new Date(window.start)), `${window.start} is one of ${org}'s windows`);
      assert.ok(applying < Date.parse(expiresAt), `${rotation.certificate} renewed before it expired at ${expiresAt}`);
      assert.ok(Date.parse(rotation.sweptAt) >= Date.parse(rotation.renewAt) - STEP_DAYS * DAY_MS, 'not started long before it was due');
      if (rotation.certificate === 'Beta_Gateway') {
        assert.ok(Date.parse(rotation.sweptAt) >= Date.parse(freeze.end), 'not started during the freeze');
        assert.ok(Date.parse(window.start) >= Date.parse(freeze.end), 'not applied during the freeze');
      }
      // Salesforce: the old certificate is gone, the new one is there with the same key size.
      const now = await world.orgs[org]!.salesforce.listCertificates();
      assert.ok(!now.some((c) => c.uniqueName === rotation.certificate), `${rotation.certificate} was deleted`);
      const renewed = now.find((c) => c.uniqueName === status.newCertificate!.uniqueName);
      assert.equal(renewed?.keySize, status.oldCertificate!.keySize);
      assert.ok(Date.parse(renewed.expiresAt!) > Date.parse(expiresAt));
    }
    console.log(`simulated year: ${sweeps.length} sweeps, ${started.length} rotations: ${started.map((s) => `${s.certificate}@${s.sweptAt.slice(0, 10)}`).join(', ')}`);
  });
});
