/**
 * The sweep never duplicates a rotation: a dry run starts nothing, two sweeps running at
 * once start each due rotation once, later sweeps leave running rotations alone, and a
 * sweep that continues as new takes each org's inventory once and considers each
 * certificate once. `certrot expiring` prints the same inventory through Temporal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { renewalSweep, RenewalSweepResult } from '../../src/workflows/renewal-sweep';
import { waitForPhase } from '../support/rotation-harness';
import { APPROVER, lifetimeDays, madeAgo, printedByExpiring, useRenewalHarness, type RenewalWorld } from './support';

const DUE = ['alpha/Alpha_Billing', 'alpha/Alpha_Orders', 'beta/Beta_Portal'];

function key(entry: { org: string; certificate: string }): string {
  return `${entry.org}/${entry.certificate}`;
}

describe('renewal sweeps never duplicate a rotation', () => {
  const harness = useRenewalHarness();
  let world: RenewalWorld;
  let sweepCounter = 0;
  const sweep = (input: Parameters<typeof renewalSweep>[0] = {}): Promise<RenewalSweepResult> => {
    sweepCounter += 1;
    return harness.client().workflow.execute<typeof renewalSweep>('renewalSweep', { taskQueue: world.taskQueue, workflowId: `sweep-overlap-${sweepCounter}`, args: [input] });
  };
  const integration = (pattern: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    certificatePattern: pattern,
    vendor: 'acme',
    strategy: 'overlap',
    references: { discover: true },
    approvers: [APPROVER],
    window: 'daily 02:00-04:00 UTC',
    ...extra,
  });

  it('a dry run lists what would start, and `certrot expiring` prints it by days left; nothing starts', async () => {
    // Stages of life, whatever lifetime Salesforce gives on the day each was made: due at two
    // thirds of it (Orders, Billing), or 30 days before expiry (Portal); the others not due.
    await harness.syncClock();
    const now = harness.clock().getTime();
    const ageDays = {
      Alpha_Orders: madeAgo(2048, now, { used: 0.8 }),
      Alpha_Billing: madeAgo(4096, now, { used: 0.85 }),
      Alpha_New: madeAgo(2048, now, { used: 0.05 }),
      Beta_Gateway: madeAgo(4096, now, { used: 0.4 }),
      Beta_Portal: madeAgo(3072, now, { leftDays: 3 }),
      Beta_Unmanaged: madeAgo(2048, now, { used: 0.1 }),
    };
    world = await harness.world({
      orgs: [
        { alias: 'alpha', fixture: 'alpha-org.json', ageDays: { Alpha_Orders: ageDays.Alpha_Orders, Alpha_Billing: ageDays.Alpha_Billing, Alpha_New: ageDays.Alpha_New } },
        { alias: 'beta', fixture: 'beta-org.json', ageDays: { Beta_Gateway: ageDays.Beta_Gateway, Beta_Portal: ageDays.Beta_Portal, Beta_Unmanaged: ageDays.Beta_Unmanaged } },
      ],
      inventory: {
        orgs: {
          alpha: {
            integrations: [
              integration('Alpha_Orders*', { references: { targets: [{ object: 'acme__Gateway__c', field: 'acme__Certificate__c', kind: 'hierarchy-setting' }] } }),
              integration('Alpha_Billing*', { references: { targets: [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }] } }),
              integration('Alpha_New*', { references: { targets: [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }] } }),
            ],
          },
          beta: { integrations: [integration('Beta_Gateway*'), integration('Beta_Portal*', { renewal: { renewBeforeDays: 30 } })] },
        },
      },
    });

    const dry = await sweep({ dryRun: true });
    assert.deepEqual(dry.started.map(key).sort(), DUE);
    assert.ok(dry.started.every((s) => s.dryRun && s.window !== null));
    // Due by each certificate's own lifetime, read from the certificate: not a 30-day fallback.
    for (const name of ['Alpha_Orders', 'Alpha_Billing'] as const) {
      const lifetime = lifetimeDays(name === 'Alpha_Billing' ? 4096 : 2048, now, ageDays[name]);
      assert.match(dry.started.find((s) => s.certificate === name)!.reason, new RegExp(`^due: two thirds of its ${lifetime}-day lifetime passed`), name);
    }
    assert.match(dry.started.find((s) => s.certificate === 'Beta_Portal')!.reason, /^due: \d days left ≤ renewBeforeDays 30/);
    assert.equal(dry.certificates.length, 6);
    for (const started of dry.started) {
      await assert.rejects(harness.client().workflow.getHandle(started.workflowId).describe(), WorkflowNotFoundError);
    }

    const output = await printedByExpiring(harness.env().address, world.taskQueue);
    const lines = output.split('\n');
    const rows = lines.filter((l) => /^-?\d+\s+\d{4}-\d{2}-\d{2}\s/.test(l));
    assert.equal(rows.length, 6, output);
    const days = rows.map((r) => Number(r.split(/\s+/)[0]));
    assert.deepEqual(days, [...days].sort((a, b) => a - b), 'sorted by days left');
    assert.match(rows[0]!, /Beta_Portal/);
    assert.match(output, /A sweep now would start:[\s\S]*rotate\/alpha\/alpha_billing/);
    assert.match(output, /Beta_Unmanaged.*no integration/);
  });

  it('two sweeps at once start each due rotation exactly once; later sweeps leave them alone', async () => {
    const [a, b] = await Promise.all([sweep(), sweep()]);
    const started = [...a.started, ...b.started];
    assert.deepEqual(started.map(key).sort(), DUE, 'each due certificate started by exactly one sweep');
    for (const entry of started) {
      const other = a.started.includes(entry) ? b : a;
      const skip = other.skipped.find((s) => key(s) === key(entry));
      assert.equal(skip?.kind, 'already-running', `${key(entry)} in the other sweep: ${JSON.stringify(skip)}`);
      assert.match(skip.reason, /rotation already running/);
      const description = await harness.client().workflow.getHandle(entry.workflowId).describe();
      assert.equal(description.status.name, 'RUNNING');
    }

    const later = await sweep();
    assert.deepEqual(later.started, []);
    assert.deepEqual(later.skipped.filter((s) => s.kind === 'already-running').map(key).sort(), DUE);
    assert.ok(later.skipped.some((s) => key(s) === 'alpha/Alpha_New' && s.kind === 'not-due'));
  });

  it('continues as new between orgs when history grows, taking each org inventory once and considering each certificate once', async () => {
    // Let the rotations make their new certificates first, so the orgs hold still.
    for (const id of DUE) await waitForPhase(harness.client().workflow.getHandle(`rotate/${id.toLowerCase()}`), 'awaiting-approval');
    const listed: string[] = [];
    for (const org of Object.values(world.orgs)) for (const c of await org.salesforce.listCertificates()) listed.push(`${org.alias}/${c.uniqueName}`);
    assert.equal(listed.length, 6 + DUE.length, 'the originals and one new certificate per running rotation');
    const before = world.calls.get('inventoryOrg') ?? 0;
    const result = await sweep({ continueAsNewAfterEvents: 1, orgsAtOnce: 1 });
    assert.equal(result.runs, 2, 'one execution per org: each org is swept whole by its own child workflow');
    assert.equal((world.calls.get('inventoryOrg') ?? 0) - before, 2, 'one inventory per org for the whole sweep');
    assert.deepEqual(result.orgs.map((o) => o.org), ['alpha', 'beta']);
    assert.deepEqual(result.certificates.map((c) => `${c.org}/${c.uniqueName}`).sort(), listed.sort(), 'every certificate considered exactly once');
    assert.deepEqual(result.started, []);
    assert.deepEqual(result.skipped.filter((s) => s.kind === 'already-running').map(key).sort(), DUE);
  });
});
