/**
 * A rotation on an org as they are today: named credentials of the current model
 * (`namedCredentialParameters`, ClientCertificate) and legacy ones, a Custom Metadata Type
 * record, an Apex class naming the certificate in code and a managed package's protected
 * setting. certrot switches what an API can switch (and restores it on a rollback), and
 * refuses — before anything changes — until the rest is acknowledged as manual steps.
 * (Before, the current-model credential and the metadata record stayed on the old
 * certificate, and the Apex class and the protected setting went unnoticed: an outage at
 * clean-up.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceKey } from '../../src/domain/reference';
import type { RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';
import { approveUpdate, confirmManualStepsUpdate, rollbackUpdate } from '../../src/workflows/messages';
import { referencesNaming, useRotationHarness, waitForPhase } from '../support/rotation-harness';

const ORG = WORLD_ORGS.singleKey;
const ACKNOWLEDGE = ['apex-class:Contoso_Callout', 'protected-setting:secret__Vault_Options__c'];

function modernOrg(demo: Record<string, unknown>): Record<string, unknown> {
  const settings = (demo.customSettings as unknown[] | undefined) ?? [];
  return {
    ...demo,
    customMetadataTypes: [
      {
        apiName: 'Vendor_Setting__mdt',
        label: 'Vendor Setting',
        fields: [
          { name: 'Certificate__c', type: 'string', length: 80 },
          { name: 'Endpoint__c', type: 'string' },
        ],
        records: [{ developerName: 'Default', label: 'Default vendor', values: { Certificate__c: 'Vendor_Signing', Endpoint__c: 'https://orders.vendor.example' } }],
      },
    ],
    apexClasses: [{ name: 'Contoso_Callout', body: "public class Contoso_Callout {\n  public static String clientCertName_x = 'Vendor_Signing';\n}" }],
    customSettings: [
      ...settings,
      {
        apiName: 'secret__Vault_Options__c',
        label: 'Vault Options',
        access: 'refuses-query',
        fields: [{ name: 'secret__Cert__c', type: 'string' }],
        records: [{ setupOwnerId: '00D000000000001EAA', values: { secret__Cert__c: 'Vendor_Signing' } }],
      },
    ],
  };
}

/** `object.field` of every reference naming `name`, as an admin would find them. */
async function placesNaming(world: SandboxWorld, name: string): Promise<string[]> {
  return (await referencesNaming(world, name)).map((r) => `${r.object}.${r.field} ${r.recordId}`).sort();
}

describe('a rotation on a modern org', () => {
  const harness = useRotationHarness();

  it('refuses until the Apex class and the protected setting are acknowledged, then switches both named-credential models and the metadata record', async () => {
    const world = await harness.world({ orgFixture: modernOrg });
    const { taskQueue } = await harness.worker(world);
    const before = await placesNaming(world, DEMO_CERTIFICATE);
    for (const place of ['NamedCredential.namedCredentialParameters.ClientCertificate Vendor_Orders_Secured', 'NamedCredential.certificate Vendor_Orders_mTLS']) {
      assert.ok(before.includes(place), `${place} names the certificate at start: ${before.join(', ')}`);
    }
    assert.ok(before.some((p) => p.startsWith('Vendor_Setting__mdt.Certificate__c ')), before.join(', '));

    const refused = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const { message } = await harness.refusal(refused);
    assert.match(message, /UNSWITCHABLE_REFERENCES: 2 place\(s\)/);
    for (const key of ACKNOWLEDGE) assert.ok(message.includes(`--acknowledge ${key}`), message);
    assert.deepEqual(await placesNaming(world, DEMO_CERTIFICATE), before, 'the refusal changed nothing');

    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', gracePeriod: '1 day', references: { acknowledge: ACKNOWLEDGE } });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    assert.deepEqual(waiting.manualReferences?.map((m) => m.key).sort(), [...ACKNOWLEDGE].sort());
    await handle.executeUpdate(confirmManualStepsUpdate, { args: [{ by: 'ops', note: 'deployed Contoso_Callout; package setup switched' }] });
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    const newName = status.newCertificate!.uniqueName;
    const after = await placesNaming(world, newName);
    assert.deepEqual(after, before, 'every place that named the old certificate names the new one');
    assert.deepEqual(await placesNaming(world, DEMO_CERTIFICATE), [], 'nothing names the old certificate');
    assert.ok(!(await world.salesforce.listCertificates()).some((c) => c.uniqueName === DEMO_CERTIFICATE), 'the old certificate was deleted after the confirmation');
  });

  it('a rollback restores both named-credential models and the metadata record', async () => {
    const world = await harness.world({ orgFixture: modernOrg });
    const { taskQueue } = await harness.worker(world);
    const before = await placesNaming(world, DEMO_CERTIFICATE);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', gracePeriod: '1 day', references: { acknowledge: ACKNOWLEDGE } });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const grace = await waitForPhase(handle, 'grace-period');
    assert.deepEqual(await placesNaming(world, grace.newCertificate!.uniqueName), before, 'switched');
    await handle.executeUpdate(rollbackUpdate, { args: [{ reason: 'integration errors', by: 'ops' }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back', status.reason ?? '');
    assert.deepEqual(await placesNaming(world, DEMO_CERTIFICATE), before, 'every place names the old certificate again');
    const restored = new Set((status.restored ?? []).map(referenceKey));
    for (const r of status.referencesChanged) assert.ok(restored.has(referenceKey(r)), `${referenceKey(r)} restored`);
    assert.ok(status.timeline.some((t) => /Contoso_Callout.*if it was already switched/.test(t.note ?? '')), 'says what to switch back if a person already did');
  });
});
