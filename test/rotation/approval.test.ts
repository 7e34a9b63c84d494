import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApproveRequest, RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';
import { approveSignal, approveUpdate, rejectSignal, rescheduleUpdate, statusQuery } from '../../src/workflows/messages';
import { referencesNaming, useRotationHarness, waitForPhase } from '../support/rotation-harness';

const ORG = WORLD_ORGS.singleKey;

/** What a rolled-back rotation must leave behind: the org and the vendor exactly as before. */
async function assertUntouched(world: SandboxWorld, status: RotationStatus): Promise<void> {
  const certificates = await world.salesforce.listCertificates();
  assert.ok(certificates.some((c) => c.uniqueName === DEMO_CERTIFICATE), 'the old certificate is still there');
  assert.ok(!certificates.some((c) => c.uniqueName === status.newCertificate?.uniqueName), 'the new certificate was deleted');
  const references = await referencesNaming(world, DEMO_CERTIFICATE);
  assert.equal(references.length, status.referencesFound.length, 'every reference still names the old certificate');
  const keys = await world.registry.listKeys(ORG.vendorOrgId);
  assert.deepEqual(keys.filter((k) => k.state === 'active').map((k) => k.fingerprint), [status.oldCertificate!.spkiFingerprint]);
  assert.notEqual(keys.find((k) => k.fingerprint === status.newCertificate?.spkiFingerprint)?.state, 'active');
}

describe('rotation approval', () => {
  const harness = useRotationHarness();

  it('rolls back when nobody approves within the approval timeout (days of workflow time)', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', approval: { timeout: '3 days' } });
    await waitForPhase(handle, 'awaiting-approval');
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    assert.equal(status.reason, 'no approval within 3 days');
    // Since 'approval-routes' the deadline is fixed before sharing (the team's link expires with it).
    const waited = Date.parse(status.timeline.find((t) => t.phase === 'compensating')!.at) - Date.parse(status.timeline.find((t) => t.phase === 'sharing')!.at);
    assert.ok(waited >= 3 * 86_400_000, `waited ${waited} ms`);
    assert.equal(status.approvalDeadline, new Date(Date.parse(status.timeline.find((t) => t.phase === 'sharing')!.at) + 3 * 86_400_000).toISOString());
    await assertUntouched(world, status);
  });

  it('rolls back on rejection', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    await waitForPhase(handle, 'awaiting-approval');
    await handle.signal(rejectSignal, { approver: 'vendor-team', reason: 'key size policy changed' });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    assert.equal(status.reason, 'rejected by vendor-team: key size policy changed');
    await assertUntouched(world, status);
  });

  it('refuses a wrong fingerprint or an unlisted approver without disturbing the rotation', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, {
      org: ORG.alias,
      certificate: DEMO_CERTIFICATE,
      vendor: 'acme',
      approval: { approvers: ['alice@acme.test'] },
      gracePeriod: '1 day',
    });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const newKey = waiting.newCertificate!.spkiFingerprint;
    const oldKey = waiting.oldCertificate!.spkiFingerprint;

    const refused = async (args: ApproveRequest, message: RegExp): Promise<void> => {
      await assert.rejects(handle.executeUpdate(approveUpdate, { args: [args] }), (error: unknown) => {
        assert.ok(error instanceof WorkflowUpdateFailedError);
        assert.match(String((error.cause as Error).message), message);
        return true;
      });
    };
    await refused({ approver: 'alice@acme.test', fingerprint: oldKey }, /fingerprint: .* is not the new certificate's SPKI fingerprint/);
    await refused({ approver: 'mallory@acme.test', fingerprint: newKey }, /approver: "mallory@acme.test" may not approve/);
    await refused({ approver: 'alice@acme.test', fingerprint: 'not-hex' }, /not a SHA-256 fingerprint/);
    await refused({ approver: 'alice@acme.test', fingerprint: newKey, window: { start: '2020-01-01T00:00:00Z', end: '2020-01-01T02:00:00Z' } }, /not in the future/);
    // The same mistakes sent as signals (Temporal UI) are recorded and ignored.
    await handle.signal(approveSignal, { approver: 'alice@acme.test', fingerprint: oldKey });
    const afterSignal = await handle.query(statusQuery);
    assert.equal(afterSignal.phase, 'awaiting-approval');
    assert.equal(afterSignal.approval, null);
    assert.equal(afterSignal.ignoredMessages.length, 1);
    assert.match(afterSignal.ignoredMessages[0]!.reason, /fingerprint/);

    // A correct approval, by signal, still works afterwards.
    await handle.signal(approveSignal, { approver: 'alice@acme.test', fingerprint: newKey.toLowerCase().replace(/:/g, '') });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.equal(status.approval?.approver, 'alice@acme.test');
    assert.equal(status.approval?.via, 'signal');
  });

  it('sleeps until a window days ahead, can be rescheduled, then applies inside the window', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const now = await harness.env().currentTimeMs();
    const window = { start: new Date(now + 3 * 86_400_000).toISOString(), end: new Date(now + 3 * 86_400_000 + 2 * 3_600_000).toISOString() };
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', window: { mode: 'fixed', ...window } });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    await waitForPhase(handle, 'scheduled');
    // Nothing is switched while the rotation waits for its window.
    assert.equal((await referencesNaming(world, DEMO_CERTIFICATE)).length, waiting.referencesFound.length);

    const moved = { start: new Date(now + 5 * 86_400_000).toISOString(), end: new Date(now + 5 * 86_400_000 + 3_600_000).toISOString() };
    await handle.executeUpdate(rescheduleUpdate, { args: [{ window: moved }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.deepEqual(status.window, moved);
    const applying = Date.parse(status.timeline.find((t) => t.phase === 'applying')!.at);
    assert.ok(applying >= Date.parse(moved.start) && applying < Date.parse(moved.end), 'applied inside the rescheduled window');
  });
});
