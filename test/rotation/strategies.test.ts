import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, parseCertificateChain, verifyChain } from '../../src/certificates';
import type { RotationStatus } from '../../src/domain/rotation';
import { createAdapters } from '../../src/workers/adapters';
import { parseWorkerConfig } from '../../src/workers/config';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../../src/sandbox/world';
import { approveUpdate, vendorAppliedSignal } from '../../src/workflows/messages';
import { startSmtpCapture, type SmtpCapture } from '../vendors/vendor-test-kit';
import { useRotationHarness, waitForPhase } from '../support/rotation-harness';

const FINGERPRINT = /(?:[0-9A-F]{2}:){31}[0-9A-F]{2}/;

describe('rotation strategies', () => {
  const harness = useRotationHarness();
  let smtp: SmtpCapture;
  before(async () => {
    smtp = await startSmtpCapture();
  });
  after(async () => {
    await smtp?.close();
  });

  it('overlap: the vendor trusts both keys while the org switches, then the old key is retired at clean-up', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const org = WORLD_ORGS.multiKey;
    const handle = await harness.start(taskQueue, { org: org.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'overlap', gracePeriod: '3 days' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const oldKey = waiting.oldCertificate!.spkiFingerprint;
    const newKey = waiting.newCertificate!.spkiFingerprint;
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: newKey }] });

    // During the grace period both keys are trusted and the org already uses the new one.
    const grace = await waitForPhase(handle, 'grace-period');
    const keysInGrace = await world.registry.listKeys(org.vendorOrgId);
    assert.deepEqual(keysInGrace.filter((k) => k.state === 'active').map((k) => k.fingerprint).sort(), [newKey, oldKey].sort());
    assert.equal(grace.mismatchWindowMs, 0, 'overlap has no mismatch window by construction');
    assert.ok((await world.salesforce.listCertificates()).some((c) => c.uniqueName === DEMO_CERTIFICATE), 'old certificate kept during grace');

    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? status.errors.join('; '));
    const keys = await world.registry.listKeys(org.vendorOrgId);
    assert.deepEqual(keys.filter((k) => k.state === 'active').map((k) => k.fingerprint), [newKey]);
    assert.equal(keys.find((k) => k.fingerprint === oldKey)?.state, 'retired');
    assert.ok(!(await world.salesforce.listCertificates()).some((c) => c.uniqueName === DEMO_CERTIFICATE));
    // The old certificate is deleted only after verification and the grace period.
    const phases = status.timeline.map((t) => t.phase);
    assert.ok(phases.indexOf('verifying') < phases.indexOf('grace-period') && phases.indexOf('grace-period') < phases.indexOf('cleaning-up'));
    const graceStart = Date.parse(status.timeline.find((t) => t.phase === 'grace-period')!.at);
    const cleanup = Date.parse(status.timeline.find((t) => t.phase === 'cleaning-up')!.at);
    assert.ok(cleanup - graceStart >= 3 * 86_400_000, 'clean-up waited the whole grace period');
  });

  it('overlap is refused at start, with no side effect, when the vendor holds one key per org', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const before = await world.salesforce.listCertificates();
    const handle = await harness.start(taskQueue, { org: WORLD_ORGS.singleKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'overlap' });
    await assert.rejects(handle.result(), (error: unknown) => {
      assert.ok(error instanceof WorkflowFailedError);
      assert.ok(error.cause instanceof ApplicationFailure);
      assert.match(error.cause.message, /nothing was changed.*"overlap" needs a vendor that can trust the old and the new key at once.*simultaneous/s);
      return true;
    });
    assert.deepEqual(await world.salesforce.listCertificates(), before);
    assert.equal((await world.registry.listKeys(WORLD_ORGS.singleKey.vendorOrgId)).length, 1);
  });

  it('manual vendor: the provisioning team gets the key by email, approves, confirms with vendorApplied', async () => {
    const world = await harness.world({
      extraVendors: {
        'acme-manual': {
          kind: 'manual',
          manual: {
            vendorName: 'Acme provisioning',
            email: { host: '127.0.0.1', port: smtp.port, from: 'certrot@customer.test', to: ['provisioning@acme.test'] },
          },
        },
      },
    });
    const { taskQueue } = await harness.worker(world);
    const mailBefore = smtp.messages.length;
    const handle = await harness.start(taskQueue, { org: WORLD_ORGS.singleKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme-manual', strategy: 'simultaneous' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');

    const mail = smtp.messages.slice(mailBefore);
    assert.equal(mail.length, 1, 'one email with the new key');
    assert.deepEqual(mail[0]!.to, ['provisioning@acme.test']);
    const body = mail[0]!.raw.replace(/=\r?\n/g, '');
    const received = FINGERPRINT.exec(body)?.[0];
    assert.equal(received, waiting.newCertificate!.spkiFingerprint, 'the email carries the SPKI fingerprint');
    assert.match(body, /BEGIN CERTIFICATE|application\/x-pem-file|\.pem/, 'the public certificate is attached');

    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'acme-team', fingerprint: received }] });
    await waitForPhase(handle, 'applying');
    await handle.signal(vendorAppliedSignal, { fingerprint: received, by: 'acme-team' });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? status.errors.join('; '));
    assert.ok(status.vendorAppliedAt);
    // Honest checks: the team's word is reported as theirs; the signature was checked inside certrot.
    const vendorKey = status.verification?.checks.find((c) => c.name === 'vendor-key');
    assert.equal(vendorKey?.observedBy, 'provisioning-team');
    assert.match(vendorKey?.detail ?? '', /^reported active by acme-team at .*certrot cannot observe/);
    const signature = status.verification?.checks.find((c) => c.name === 'signature');
    assert.equal(signature?.observedBy, 'certrot');
    assert.match(signature?.detail ?? '', /inside certrot against the new public key; the vendor was not asked/);
    assert.equal(status.vendorConfirmation?.by, 'acme-team');
    assert.ok(smtp.messages.length > mailBefore + 1, 'the team was also asked to activate the key');
  });

  it('CA-signed: Salesforce makes the CSR, the configured CA signs it, the chain is uploaded, then the rotation completes', async () => {
    const world = await harness.world();
    const ca = await createCertificateAuthority({ commonName: 'certrot test issuing CA', validityDays: 400 });
    await writeFile(join(world.dir, 'ca.pem'), ca.certificatePem);
    await writeFile(join(world.dir, 'ca-key.pem'), ca.privateKeyPem, { mode: 0o600 });
    const config = parseWorkerConfig({ ...world.config, ca: { certificateFile: 'ca.pem', privateKeyFile: 'ca-key.pem', validityDays: 365 } }, {}, world.dir);
    const { taskQueue } = await harness.worker(world, createAdapters(config));
    const handle = await harness.start(taskQueue, { org: WORLD_ORGS.singleKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', caSigned: true });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const issued = parseCertificateChain(waiting.newCertificate!.certificatePem);
    assert.equal(issued[0]?.issuer, 'CN=certrot test issuing CA', 'the new certificate was issued by the configured CA');
    verifyChain({ chainPem: waiting.newCertificate!.certificatePem, trustAnchorPems: [ca.certificatePem] });
    assert.equal(waiting.newCertificate!.caSigned, true);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? status.errors.join('; '));
    assert.ok(status.verification?.passed);
  });
});
