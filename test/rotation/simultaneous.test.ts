import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../../src/sandbox/world';
import { approveUpdate } from '../../src/workflows/messages';
import { referencesNaming, useRotationHarness, waitForPhase } from '../support/rotation-harness';

describe('rotation, simultaneous strategy (single-key vendor)', () => {
  const harness = useRotationHarness();

  it('rotates both sides, verifies, waits the grace period, then deletes the old certificate', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, {
      org: WORLD_ORGS.singleKey.alias,
      certificate: DEMO_CERTIFICATE,
      vendor: 'acme',
      strategy: 'simultaneous',
    });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const staged = (await world.registry.listKeys(WORLD_ORGS.singleKey.vendorOrgId)).filter((k) => k.state === 'staged');
    assert.equal(staged.length, 1, 'the vendor received exactly one new key');
    assert.equal(staged[0]?.fingerprint, waiting.newCertificate?.spkiFingerprint);

    // The provisioning team approves with the fingerprint it received.
    const approved = await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: staged[0]!.fingerprint }] });
    assert.ok(Date.parse(approved.window.end) > Date.parse(approved.window.start));

    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', `reason: ${status.reason ?? ''} errors: ${status.errors.join('; ')}`);
    assert.deepEqual(
      status.timeline.filter((t, i, all) => i === 0 || all[i - 1]!.phase !== t.phase).map((t) => t.phase),
      ['backing-up', 'generating', 'sharing', 'awaiting-approval', 'scheduled', 'applying', 'verifying', 'grace-period', 'cleaning-up', 'completed'],
    );
    assert.ok(status.verification?.passed);
    assert.equal(typeof status.mismatchWindowMs, 'number');
    const newName = status.newCertificate!.uniqueName;

    // Salesforce: every reference names the new certificate; the old one is gone.
    const certificates = await world.salesforce.listCertificates();
    assert.ok(certificates.some((c) => c.uniqueName === newName));
    assert.ok(!certificates.some((c) => c.uniqueName === DEMO_CERTIFICATE));
    assert.equal((await referencesNaming(world, DEMO_CERTIFICATE)).length, 0);
    assert.equal(status.referencesChanged.length, status.referencesFound.length);
    assert.ok(status.referencesChanged.some((c) => c.scope === 'profile'));
    assert.ok(status.referencesChanged.some((c) => c.scope === 'user'));
    assert.ok(status.referencesChanged.some((c) => c.scope === 'named-credential'));

    // Vendor: exactly the new key is trusted.
    const active = (await world.registry.listKeys(WORLD_ORGS.singleKey.vendorOrgId)).filter((k) => k.state === 'active');
    assert.deepEqual(active.map((k) => k.fingerprint), [status.newCertificate!.spkiFingerprint]);
    console.log(`simultaneous mismatch window: ${status.mismatchWindowMs} ms`);

    // What traffic saw, from the sandboxes' own logs (one clock: both run in this process).
    const { switches } = (await (await fetch(`${world.org.url}/__sandbox/switches`)).json()) as { switches: { at: string; object: string; from: string | null; to: string | null }[] };
    const { activations } = (await (await fetch(`${world.vendor.url}/__sandbox/activations`)).json()) as {
      activations: { at: string; fingerprint: string; replacing: string | null; action: string }[];
    };
    const flips = switches.filter((s) => s.from === DEMO_CERTIFICATE && s.to === newName);
    assert.equal(flips.length, status.referencesChanged.length, 'the switch log shows each reference flipping once');
    const records = flips.filter((s) => s.object !== 'NamedCredential');
    assert.ok(records.length >= 3);
    assert.equal(new Set(records.map((s) => s.at)).size, 1, 'every record reference flipped in one request');
    const activation = activations.find((a) => a.fingerprint === status.newCertificate!.spkiFingerprint && a.action === 'activated');
    assert.ok(activation);
    assert.equal(activation.replacing, waiting.oldCertificate?.spkiFingerprint ?? activation.replacing, 'the old key stopped being trusted in the same step');
    const instants = [...flips.map((s) => Date.parse(s.at)), Date.parse(activation.at)];
    const observed = Math.max(...instants) - Math.min(...instants);
    assert.ok(status.mismatchWindowMs! >= observed, `reported ${status.mismatchWindowMs} ms must cover the observed ${observed} ms`);
    console.log(`observed from the sandbox logs: ${observed} ms`);
  });
});
