/**
 * Places certrot cannot switch through an API — here an Apex class that names the
 * certificate in code — are found at backing-up, before anything changes. The rotation
 * refuses with each one named and what to do, unless the request acknowledges them; then
 * clean-up keeps the old certificate until an operator confirms the manual steps, and ends
 * `completed-with-manual-steps` (old certificate kept) when nobody does before it expires.
 * (Before, such a rotation switched everything else and deleted the certificate the Apex
 * code still named: an outage at clean-up.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';
import { approveUpdate, confirmManualStepsUpdate } from '../../src/workflows/messages';
import { useRotationHarness, waitForPhase } from '../support/rotation-harness';

const ORG = WORLD_ORGS.singleKey;
const CALLOUT_CLASS = [
  'public with sharing class Contoso_Callout {',
  '  public static HttpResponse send(String body) {',
  '    HttpRequest req = new HttpRequest();',
  "    req.setClientCertificateName('Vendor_Signing');",
  '    return new Http().send(req);',
  '  }',
  '}',
].join('\n');
const ACK = 'apex-class:Contoso_Callout';

function withApexClass(demo: Record<string, unknown>): Record<string, unknown> {
  return { ...demo, apexClasses: [{ name: 'Contoso_Callout', body: CALLOUT_CLASS }] };
}

async function certificateNames(world: SandboxWorld): Promise<string[]> {
  return (await world.salesforce.listCertificates()).map((c) => c.uniqueName).sort();
}

describe('places certrot cannot switch (Apex code naming the certificate)', () => {
  const harness = useRotationHarness();

  it('refuses at backing-up, naming the class, its line and the acknowledgement, and changes nothing', async () => {
    const world = await harness.world({ orgFixture: withApexClass });
    const { taskQueue } = await harness.worker(world);
    const before = await certificateNames(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const { message, status } = await harness.refusal(handle);
    assert.match(message, /UNSWITCHABLE_REFERENCES: 1 place\(s\) name Vendor_Signing/);
    assert.match(message, /ApexClass Contoso_Callout line 4/);
    assert.match(message, new RegExp(`--acknowledge ${ACK}`));
    assert.deepEqual(await certificateNames(world), before, 'no certificate was created');
    assert.equal(status.newCertificate, null);
  });

  it('acknowledged: clean-up keeps the old certificate until an operator confirms, then deletes it and completes', async () => {
    const world = await harness.world({ orgFixture: withApexClass });
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', gracePeriod: '1 day', references: { acknowledge: [ACK] } });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    assert.deepEqual(
      waiting.manualReferences?.map((m) => m.key),
      [ACK],
    );
    assert.match(waiting.manualReferences?.[0]?.fix ?? '', /from 'Vendor_Signing' to 'Vendor_Signing_\d{4}_\d{2}_\d{2}' and deploy it/);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    await waitForPhase(handle, 'grace-period');
    await harness.env().sleep('2 days');
    const cleaning = await waitForPhase(handle, 'cleaning-up');
    assert.match(cleaning.timeline.at(-1)?.note ?? '', /kept until an operator confirms that 1 manual reference\(s\) name/);
    assert.ok((await certificateNames(world)).includes(DEMO_CERTIFICATE), 'the old certificate is kept while unconfirmed');

    const answer = await handle.executeUpdate(confirmManualStepsUpdate, { args: [{ by: 'ops', note: 'deployed Contoso_Callout' }] });
    assert.match(answer.message, /manual steps confirmed by ops/);
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.equal(status.manualStepsConfirmed?.by, 'ops');
    assert.ok(!(await certificateNames(world)).includes(DEMO_CERTIFICATE), 'the old certificate was deleted after the confirmation');
    await assert.rejects(handle.executeUpdate(confirmManualStepsUpdate, { args: [{ by: 'ops' }] }), /ended|not found/, 'an ended rotation takes no confirmation');
  });

  it('acknowledged but never confirmed: ends completed-with-manual-steps after the approval timeout, and keeps the old certificate', async () => {
    const world = await harness.world({ orgFixture: withApexClass });
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', gracePeriod: '1 day', references: { acknowledge: ['APEX-CLASS:contoso_callout'] } });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed-with-manual-steps', status.reason ?? '');
    assert.ok(status.manualSteps.some((s) => /ApexClass Contoso_Callout line 4: change .* and deploy it/.test(s)), status.manualSteps.join('\n'));
    assert.ok(status.manualSteps.some((s) => /delete the old certificate Vendor_Signing/.test(s)), status.manualSteps.join('\n'));
    assert.ok((await certificateNames(world)).includes(DEMO_CERTIFICATE), 'the old certificate was kept');
  });
});
