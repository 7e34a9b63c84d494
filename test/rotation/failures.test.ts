import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { RotationError } from '../../src/domain/errors';
import type { RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';
import type { KeyRegistry } from '../../src/vendors/vendor-port';
import { createAdapters, type Adapters } from '../../src/workers/adapters';
import { abortSignal, approveUpdate, rollbackSignal, statusQuery } from '../../src/workflows/messages';
import { makeOrgKey } from '../vendors/vendor-test-kit';
import { referencesNaming, useRotationHarness, waitForPhase } from '../support/rotation-harness';

const ORG = WORLD_ORGS.singleKey;

async function approve(handle: Parameters<typeof waitForPhase>[0]): Promise<RotationStatus> {
  const waiting = await waitForPhase(handle, 'awaiting-approval');
  await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
  return waiting;
}

/** Both sides as they were before the rotation: every reference, every key, the certificates. */
async function assertRestored(world: SandboxWorld, status: RotationStatus): Promise<void> {
  const references = await referencesNaming(world, DEMO_CERTIFICATE);
  assert.equal(references.length, status.referencesFound.length, 'every reference names the old certificate again');
  for (const scope of ['org-default', 'profile', 'user', 'named-credential']) {
    assert.ok(references.some((r) => r.scope === scope), `the ${scope} reference was restored`);
  }
  assert.equal((await referencesNaming(world, status.newCertificate!.uniqueName)).length, 0);
  const names = (await world.salesforce.listCertificates()).map((c) => c.uniqueName);
  assert.ok(names.includes(DEMO_CERTIFICATE));
  assert.ok(!names.includes(status.newCertificate!.uniqueName), 'the new certificate was deleted');
}

/** A vendor adapter that, asked to activate the new key, installs some other key instead. */
function installsAnotherKey(real: KeyRegistry, rogueCertificatePem: string, overrides: Partial<KeyRegistry> = {}): KeyRegistry {
  return {
    kind: 'registry',
    name: real.name,
    capabilities: (orgId) => real.capabilities(orgId),
    listKeys: (orgId) => real.listKeys(orgId),
    stageKey: (orgId, pem, options) => real.stageKey(orgId, pem, options),
    activateKey: async (orgId, _fingerprint, options) => {
      const rogue = await real.stageKey(orgId, rogueCertificatePem, options);
      await real.activateKey(orgId, rogue, options);
    },
    retireKey: (orgId, fingerprint, options) => real.retireKey(orgId, fingerprint, options),
    restoreKey: (orgId, fingerprint, options) => real.restoreKey(orgId, fingerprint, options),
    verifySignature: (orgId, nonce, signature) => real.verifySignature(orgId, nonce, signature),
    approvalState: (orgId, fingerprint) => real.approvalState(orgId, fingerprint),
    submitContinuity: (orgId, fingerprint, signed, options) => real.submitContinuity(orgId, fingerprint, signed, options),
    ...overrides,
  };
}

function registryOf(adapters: Adapters): KeyRegistry {
  const vendor = adapters.vendors.get('acme');
  if (vendor?.kind !== 'registry') throw new Error('the sandbox world\'s acme vendor is a key registry');
  return vendor;
}

function withVendor(world: SandboxWorld, vendor: KeyRegistry): Adapters {
  const adapters = createAdapters(world.config);
  return { ...adapters, vendors: new Map([['acme', vendor]]) };
}

describe('rotation failures and compensation', () => {
  const harness = useRotationHarness();

  it('verification fails when the vendor trusts another key: every reference, profile and user overrides included, is restored', async () => {
    const world = await harness.world();
    const rogue = await makeOrgKey('not-the-org');
    const adapters = createAdapters(world.config);
    const { taskQueue } = await harness.worker(world, withVendor(world, installsAnotherKey(registryOf(adapters), rogue.certificatePem)));
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    await approve(handle);
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    assert.match(status.reason ?? '', /^verification failed: .*vendor-key: .*not the new one.*signature: .*vendor rejected it/);
    assert.ok(status.referencesChanged.some((c) => c.scope === 'profile') && status.referencesChanged.some((c) => c.scope === 'user'));
    await assertRestored(world, status);
    const active = (await world.registry.listKeys(ORG.vendorOrgId)).filter((k) => k.state === 'active');
    assert.deepEqual(active.map((k) => k.fingerprint), [status.oldCertificate!.spkiFingerprint], 'the vendor trusts the old key again');
  });

  it('rolls back when the window closes before applying completes', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const now = await harness.env().currentTimeMs();
    const start = now + 3_600_000;
    const handle = await harness.start(taskQueue, {
      org: ORG.alias,
      certificate: DEMO_CERTIFICATE,
      vendor: 'acme',
      window: { mode: 'fixed', start: new Date(start).toISOString(), end: new Date(start + 2_000).toISOString() },
    });
    await approve(handle);
    // Salesforce is slow today: the request switching the references (one Composite request) takes longer than the whole window.
    world.org.faults.add([{ operation: 'rest.composite', kind: 'latency', latencyMs: 3_000, times: 1 }]);
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    assert.match(status.reason ?? '', /the window closed at .* before applying completed/);
    await assertRestored(world, status);
  });

  it('rollback during the grace period puts both sides back; the old certificate was kept until then', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    await approve(handle);
    await waitForPhase(handle, 'grace-period');
    assert.ok((await world.salesforce.listCertificates()).some((c) => c.uniqueName === DEMO_CERTIFICATE), 'old certificate kept in grace');
    await handle.signal(rollbackSignal, { reason: 'orders failing at the vendor', by: 'ops' });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    assert.equal(status.reason, 'rolled back by ops: orders failing at the vendor');
    await assertRestored(world, status);
    const active = (await world.registry.listKeys(ORG.vendorOrgId)).filter((k) => k.state === 'active');
    assert.deepEqual(active.map((k) => k.fingerprint), [status.oldCertificate!.spkiFingerprint]);
  });

  it('abort before the window rolls back; rollback outside the grace period is refused and recorded', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    await waitForPhase(handle, 'awaiting-approval');
    await handle.signal(rollbackSignal, { reason: 'too early' });
    const ignored = (await handle.query(statusQuery)).ignoredMessages;
    assert.equal(ignored.length, 1);
    assert.match(ignored[0]!.reason, /only during the grace period/);
    await handle.signal(abortSignal, { reason: 'vendor freeze announced', by: 'ops' });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    assert.equal(status.reason, 'aborted by ops: vendor freeze announced');
    await assertRestored(world, status);
  });

  it('ends failed with exact manual steps when compensation itself cannot finish', async () => {
    const world = await harness.world();
    const rogue = await makeOrgKey('not-the-org');
    const real = registryOf(createAdapters(world.config));
    const broken = installsAnotherKey(real, rogue.certificatePem, {
      restoreKey: () => Promise.reject(new RotationError('VENDOR_UNAVAILABLE', 'registry down for maintenance')),
    });
    const { taskQueue } = await harness.worker(world, withVendor(world, broken));
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const waiting = await approve(handle);
    await assert.rejects(handle.result(), (error: unknown) => {
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure);
      assert.equal(error.cause.type, 'ROTATION_FAILED');
      assert.match(error.cause.message, /could not be fully undone/);
      assert.match(error.cause.message, new RegExp(`Ask vendor acme to trust key ${waiting.oldCertificate!.spkiFingerprint} again`));
      const status = error.cause.details?.[0] as RotationStatus;
      assert.equal(status.outcome, 'failed');
      assert.ok(status.errors.some((e) => /VENDOR_UNAVAILABLE: registry down for maintenance/.test(e)));
      return true;
    });
    // What could be undone was undone: the org names the old certificate again.
    assert.equal((await referencesNaming(world, DEMO_CERTIFICATE)).length, waiting.referencesFound.length);
  });

  it('survives a worker restart mid-rotation and a lost Salesforce answer without duplicating the certificate', async () => {
    const world = await harness.world();
    // Salesforce creates the certificate but the answer is lost: the adapter must recognise it.
    world.org.faults.add([{ operation: 'metadata.createMetadata', kind: 'http-503', after: true, times: 1 }]);
    const first = await harness.worker(world);
    const handle = await harness.start(first.taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await first.stop();

    const second = await harness.worker(world, undefined, first.taskQueue);
    assert.equal(second.taskQueue, first.taskQueue);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    const names = (await world.salesforce.listCertificates()).map((c) => c.uniqueName).sort();
    assert.deepEqual(names, ['Partner_Signing', status.newCertificate!.uniqueName].sort(), 'exactly one new certificate, the old one deleted');
  });
});
