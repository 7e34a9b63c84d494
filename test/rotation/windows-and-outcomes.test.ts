/**
 * Windows, outcomes and labels, as an operator relies on them:
 * - a window that closes before applying starts changes nothing, and the rotation waits
 *   for a new window instead of throwing the shared key away (it used to roll back);
 * - clean-up left for a person ends `completed-with-manual-steps`, not `completed`;
 * - a reference holding the certificate's label is refused before anything changes, or
 *   repaired when asked — and a rollback then writes the Unique Name, never the label.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { RotationError } from '../../src/domain/errors';
import type { RotationStatus } from '../../src/domain/rotation';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/domain/search-attributes';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../../src/sandbox/world';
import { createAdapters } from '../../src/workers/adapters';
import { approveUpdate, rescheduleUpdate, rollbackUpdate, statusQuery } from '../../src/workflows/messages';
import { referencesNaming, useRotationHarness, waitForPhase } from '../support/rotation-harness';

const ORG = WORLD_ORGS.singleKey;
const HOUR = 3_600_000;

describe('windows, outcomes and labels', () => {
  const harness = useRotationHarness();

  it('a window that closes before applying starts changes nothing; the rotation waits for a new window and then completes', async () => {
    const world = await harness.world();
    const first = await harness.worker(world);
    const handle = await harness.start(first.taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const key = waiting.newCertificate!.spkiFingerprint;
    // A short window a few (real) seconds ahead: the test server skips time only while a
    // client waits on a result, so the clock runs as usual here.
    const now = await harness.env().currentTimeMs();
    const window = { start: new Date(now + 2_000).toISOString(), end: new Date(now + 4_000).toISOString() };
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: key, window }] });
    await waitForPhase(handle, 'scheduled');

    // Every worker is down for the whole window (a deploy gone wrong); one comes back after it closed.
    await first.stop();
    while ((await harness.env().currentTimeMs()) < Date.parse(window.end) + 1_000) await new Promise((resolve) => setTimeout(resolve, 250));
    await harness.worker(world, undefined, first.taskQueue);
    const deadline = Date.now() + 60_000;
    let status = await handle.query(statusQuery);
    while (!status.timeline.some((t) => /closed before the switch started; nothing was changed/.test(t.note ?? '')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await handle.query(statusQuery);
    }
    assert.equal(status.phase, 'scheduled', status.reason ?? '');
    assert.equal(status.window, null, 'no window is agreed any more');
    assert.equal(status.referencesChanged.length, 0, 'nothing was switched');
    assert.equal((await referencesNaming(world, DEMO_CERTIFICATE)).length, status.referencesFound.length, 'every reference still names the old certificate');
    const keys = await world.registry.listKeys(ORG.vendorOrgId);
    assert.equal(keys.find((k) => k.fingerprint === key)?.state, 'staged', 'the shared key is kept, not withdrawn');

    // An approval without a new window is refused with the fix; a reschedule agrees a new one.
    await assert.rejects(handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: key }] }), (error: unknown) => {
      assert.ok(error instanceof WorkflowUpdateFailedError);
      assert.match(String((error.cause as Error).message), /approve with a new window/);
      return true;
    });
    const later = await harness.env().currentTimeMs();
    const next = { start: new Date(later + HOUR).toISOString(), end: new Date(later + 3 * HOUR).toISOString() };
    await handle.executeUpdate(rescheduleUpdate, { args: [{ window: next }] });
    const done = (await handle.result()) as RotationStatus;
    assert.equal(done.outcome, 'completed', done.reason ?? done.errors.join('; '));
    const applying = Date.parse(done.timeline.find((t) => t.phase === 'applying')!.at);
    assert.ok(applying >= Date.parse(next.start) && applying < Date.parse(next.end), 'applied inside the new window');
  });

  it('an approval for a proposed window that has already closed is refused, and the rotation keeps waiting', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const now = await harness.env().currentTimeMs();
    const window = { start: new Date(now + HOUR).toISOString(), end: new Date(now + 2 * HOUR).toISOString() };
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', window: { mode: 'fixed', ...window } });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await harness.env().sleep(3 * HOUR); // the provisioning team answers late
    await assert.rejects(
      handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] }),
      (error: unknown) => error instanceof WorkflowUpdateFailedError && /the proposed window .* has closed/.test(String((error.cause as Error).message)),
    );
    assert.equal((await handle.query(statusQuery)).phase, 'awaiting-approval');
    const later = await harness.env().currentTimeMs();
    const result = await handle.executeUpdate(approveUpdate, {
      args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint, window: { start: new Date(later + HOUR).toISOString(), end: new Date(later + 2 * HOUR).toISOString() } }],
    });
    assert.ok(Date.parse(result.window.start) > later);
    assert.equal(((await handle.result()) as RotationStatus).outcome, 'completed');
  });

  it('clean-up left for a person ends completed-with-manual-steps, in status and search attributes', async () => {
    const world = await harness.world();
    const adapters = createAdapters(world.config);
    const real = adapters.orgs.get(ORG.alias)!;
    const stubborn = {
      ...real,
      org: Object.assign(Object.create(real.org) as typeof real.org, {
        deleteCertificate: (name: string) =>
          name === DEMO_CERTIFICATE ? Promise.reject(new RotationError('CERT_IN_USE', `Certificate ${name} is in use by an identity provider`)) : real.org.deleteCertificate(name),
      }),
    };
    const { taskQueue } = await harness.worker(world, { ...adapters, orgs: new Map([...adapters.orgs, [ORG.alias, stubborn]]) });
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed-with-manual-steps');
    assert.equal(status.phase, 'completed');
    assert.match(status.manualSteps.join('\n'), /Delete the old certificate Vendor_Signing in org demo by hand \(CERT_IN_USE/);
    const described = await handle.describe();
    assert.equal(described.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.RotationOutcome), 'completed-with-manual-steps');
  });

  it('a reference holding the label is refused before anything changes, naming it and the fix', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const user = (await referencesNaming(world, DEMO_CERTIFICATE)).find((r) => r.scope === 'user')!;
    await world.salesforce.updateReferences([{ ...user, expected: user.value, value: 'Vendor Signing' }]);
    const before = (await world.salesforce.listCertificates()).map((c) => c.uniqueName);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const error = await handle.result().then(() => null, (e: unknown) => e);
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure);
    assert.equal(error.cause.type, 'ROTATION_REFUSED');
    const status = error.cause.details?.[0] as RotationStatus;
    assert.match(status.reason ?? '', new RegExp(`hold the label "Vendor Signing" instead of the Unique Name Vendor_Signing: ${user.object}\\.${user.field} on ${user.recordId} \\(user`));
    assert.match(status.reason ?? '', /references\.repairLabels true/);
    assert.deepEqual((await world.salesforce.listCertificates()).map((c) => c.uniqueName), before, 'no certificate was created');
  });

  it('with repairLabels the label reference is switched too, and a rollback writes the old Unique Name there, not the label', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const user = (await referencesNaming(world, DEMO_CERTIFICATE)).find((r) => r.scope === 'user')!;
    await world.salesforce.updateReferences([{ ...user, expected: user.value, value: 'Vendor Signing' }]);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', references: { repairLabels: true }, gracePeriod: '1 day' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    assert.ok(waiting.referencesFound.some((r) => r.matchedBy === 'label' && r.recordId === user.recordId));
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const grace = await waitForPhase(handle, 'grace-period');
    assert.ok(grace.referencesChanged.some((c) => c.recordId === user.recordId && c.value === grace.newCertificate!.uniqueName));
    await handle.executeUpdate(rollbackUpdate, { args: [{ reason: 'test', by: 'ops' }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    const now = (await referencesNaming(world, DEMO_CERTIFICATE)).find((r) => r.recordId === user.recordId);
    assert.equal(now?.value, DEMO_CERTIFICATE, 'the repaired reference names the Unique Name after the rollback');
    assert.equal(now?.matchedBy, 'unique-name');
  });
});
