/**
 * A rotation never destroys what it did not create, and there is one rotation per
 * certificate however it is started. Each test points a rotation at someone else's
 * certificate or key, or starts a second rotation of one certificate, and checks that
 * nothing of theirs changed. (On the first release each of these deleted a live
 * certificate, retired a live key, or ran two rotations at once.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RotationStatus } from '../../src/domain/rotation';
import { rotationWorkflowId } from '../../src/domain/rotation-id';
import { DEMO_CERTIFICATE, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';
import { abortUpdate, approveUpdate, rollbackUpdate } from '../../src/workflows/messages';
import { rotateCertificate } from '../../src/workflows/rotate-certificate';
import { useRotationHarness, waitForPhase } from '../support/rotation-harness';

const ORG = WORLD_ORGS.singleKey;

/** Everything an outsider owns: each certificate with its fingerprint, each vendor key with its state. */
async function snapshot(world: SandboxWorld): Promise<{ certificates: string[]; keys: string[] }> {
  const certificates: string[] = [];
  for (const c of await world.salesforce.listCertificates()) {
    const details = await world.salesforce.getCertificate(c.uniqueName);
    certificates.push(`${c.uniqueName} ${details.fingerprintSha256 ?? '-'}`);
  }
  const keys: string[] = [];
  for (const org of Object.values(WORLD_ORGS)) {
    for (const k of await world.registry.listKeys(org.vendorOrgId)) keys.push(`${org.vendorOrgId} ${k.fingerprint} ${k.state}`);
  }
  return { certificates: certificates.sort(), keys: keys.sort() };
}

describe('ownership: a rotation touches only what it created', () => {
  const harness = useRotationHarness();

  for (const newUniqueName of ['Partner_Signing', 'partner_SIGNING']) {
    it(`refuses a new Unique Name that already exists (${newUniqueName}) before any side effect`, async () => {
      const world = await harness.world();
      const { taskQueue } = await harness.worker(world);
      const before = await snapshot(world);
      const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', newUniqueName });
      const status = (await harness.refusal(handle)).status;
      assert.match(status.reason ?? '', /CERT_ALREADY_EXISTS: newUniqueName: .*Partner_Signing/);
      assert.equal(status.newCertificate, null);
      assert.deepEqual(await snapshot(world), before, 'nothing of anyone changed');
    });
  }

  it('rotating a certificate that already carries today\'s date gets a new name, and undo deletes only that one', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const today = new Date(await harness.env().currentTimeMs()).toISOString().slice(0, 10).replace(/-/g, '_');
    const dated = `Vendor_Signing_${today}`;
    await world.salesforce.createCertificate({ uniqueName: dated, label: `Vendor Signing ${today}`, keySize: 2048, caSigned: false, privateKeyExportable: false });
    const datedFingerprint = (await world.salesforce.getCertificate(dated)).fingerprintSha256;
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: dated, vendor: 'acme' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    assert.notEqual(waiting.newCertificate!.uniqueName.toLowerCase(), dated.toLowerCase());
    await handle.executeUpdate(abortUpdate, { args: [{ reason: 'test', by: 'ops' }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    const after = await world.salesforce.getCertificate(dated);
    assert.equal(after.fingerprintSha256, datedFingerprint, 'the certificate being rotated is untouched');
    const names = (await world.salesforce.listCertificates()).map((c) => c.uniqueName);
    assert.ok(!names.includes(waiting.newCertificate!.uniqueName), 'the rotation deleted the certificate it created');
  });

  it('one rotation per certificate: a name in another case is the same rotation', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const first = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    await waitForPhase(first, 'awaiting-approval');
    await assert.rejects(
      harness.start(taskQueue, { org: ORG.alias.toUpperCase(), certificate: DEMO_CERTIFICATE.toLowerCase(), vendor: 'acme' }),
      (error: unknown) => error instanceof WorkflowExecutionAlreadyStartedError,
    );
    await first.executeUpdate(abortUpdate, { args: [{ reason: 'test' }] });
    assert.equal(((await first.result()) as RotationStatus).outcome, 'rolled-back');
  });

  for (const [name, workflowId] of [
    ['a trailing space', `${rotationWorkflowId(ORG.alias, DEMO_CERTIFICATE)} `],
    ['the Unique Name in its own case', `rotate/${ORG.alias}/${DEMO_CERTIFICATE}`],
    ['an id of the operator\'s choosing', 'my-rotation'],
  ] as const) {
    it(`refuses to run under any other id (${name}), naming the id to use, before any side effect`, async () => {
      const world = await harness.world();
      const { taskQueue } = await harness.worker(world);
      const before = await snapshot(world);
      const handle = await harness.env().client.workflow.start(rotateCertificate, {
        taskQueue,
        workflowId,
        args: [{ org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' }],
      });
      const error = await handle.result().then(() => null, (e: unknown) => e);
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure);
      assert.equal(error.cause.type, 'INVALID_INPUT');
      assert.ok(error.cause.message.includes(`"${rotationWorkflowId(ORG.alias, DEMO_CERTIFICATE)}"`), error.cause.message);
      assert.deepEqual(await snapshot(world), before);
    });
  }

  it('two org aliases of one Salesforce org: the second rotation is refused by the certificate lock, nothing changes', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const first = await harness.start(taskQueue, { org: WORLD_ORGS.singleKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const waiting = await waitForPhase(first, 'awaiting-approval');
    const during = await snapshot(world);
    const second = await harness.start(taskQueue, { org: WORLD_ORGS.multiKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'overlap' });
    const status = (await harness.refusal(second)).status;
    assert.match(status.reason ?? '', /another rotation of Vendor_Signing in this Salesforce org/);
    assert.deepEqual(await snapshot(world), during, 'the second rotation changed nothing');
    // The first is unaffected and finishes.
    await first.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    assert.equal(((await first.result()) as RotationStatus).outcome, 'completed');
  });

  it('a second rotation of the same certificate repeats the vendor writes of the first and the vendor applies them (run-scoped idempotency)', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    for (let round = 1; round <= 2; round++) {
      const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', gracePeriod: '1 day' });
      const waiting = await waitForPhase(handle, 'awaiting-approval');
      await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
      await waitForPhase(handle, 'grace-period');
      await handle.executeUpdate(rollbackUpdate, { args: [{ reason: `round ${round}`, by: 'ops' }] });
      const status = (await handle.result()) as RotationStatus;
      assert.equal(status.outcome, 'rolled-back', status.reason ?? '');
      const active = (await world.registry.listKeys(ORG.vendorOrgId)).filter((k) => k.state === 'active').map((k) => k.fingerprint);
      assert.deepEqual(active, [status.oldCertificate!.spkiFingerprint], `after round ${round} the vendor trusts the old key again`);
      assert.ok(status.restored && status.restored.length === status.referencesFound.length, 'status lists every restored reference');
      assert.ok(status.restored.every((r) => r.now === DEMO_CERTIFICATE), 'each restored reference names the old certificate now');
      assert.match(status.verification?.supersededBy ?? '', /^rollback at /, 'the passed verification is marked superseded');
    }
  });
});
