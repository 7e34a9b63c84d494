/**
 * Custom Metadata Type records: discovered and found by SOQL, switched only through the
 * Metadata API (`CustomMetadata`), compare-and-set, every other value kept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import type { ReferenceChange, ReferenceTarget, SalesforceOrg } from '../../src/salesforce/org-port';
import { errorCodeOf, rawConnection } from './raw-connection';
import { loadDemoFixture, startDemoOrg, type DemoOrg } from './support';

const TARGET: ReferenceTarget = { object: 'Vendor_Setting__mdt', field: 'Certificate__c', kind: 'custom-metadata' };

async function fixture(): Promise<Record<string, unknown>> {
  return {
    ...(await loadDemoFixture()),
    customMetadataTypes: [
      {
        apiName: 'Vendor_Setting__mdt',
        label: 'Vendor Setting',
        fields: [
          { name: 'Certificate__c', type: 'string', length: 80 },
          { name: 'Endpoint__c', type: 'string' },
          { name: 'Enabled__c', type: 'boolean' },
          { name: 'Notes__c', type: 'textarea', length: 5000 },
        ],
        records: [
          { developerName: 'Default', label: 'Default vendor', values: { Certificate__c: 'Vendor_Signing', Endpoint__c: 'https://orders.vendor.example', Enabled__c: true, Notes__c: 'keep me' } },
          { developerName: 'Staging', label: 'Staging', values: { Certificate__c: 'Partner_Signing', Enabled__c: false } },
        ],
      },
    ],
  };
}

async function readRecord(raw: Connection, developerName: string): Promise<Record<string, unknown> | undefined> {
  const result = await raw.query<Record<string, unknown>>(
    `SELECT DeveloperName, MasterLabel, Certificate__c, Endpoint__c, Enabled__c, Notes__c FROM Vendor_Setting__mdt WHERE DeveloperName = '${developerName}'`,
  );
  const { attributes: _attributes, ...record } = result.records[0] ?? {};
  return record;
}

function changeTo(value: string, expected: string, recordId = 'Vendor_Setting.Default'): ReferenceChange {
  return { object: 'Vendor_Setting__mdt', field: 'Certificate__c', recordId, scope: 'metadata-record', owner: 'Default vendor', expected, value };
}

describe('jsforce adapter: custom metadata records', () => {
  let demo: DemoOrg;
  let org: SalesforceOrg;
  let raw: Connection;

  before(async () => {
    demo = await startDemoOrg({ fixture: await fixture() });
    org = demo.adapter();
    raw = await rawConnection(demo);
  });
  after(async () => {
    await demo?.close();
  });

  it('discovers a metadata type naming certificates', async () => {
    const found = await org.discoverReferenceTargets();
    assert.deepEqual(
      found.find((t) => t.object === 'Vendor_Setting__mdt'),
      { object: 'Vendor_Setting__mdt', field: 'Certificate__c', kind: 'custom-metadata', valuesSeen: ['Partner_Signing', 'Vendor_Signing'] },
    );
  });

  it('finds the record, named by its Metadata fullName', async () => {
    const refs = (await org.findReferences('Vendor_Signing', [TARGET])).filter((r) => r.scope === 'metadata-record');
    assert.deepEqual(refs, [
      { object: 'Vendor_Setting__mdt', field: 'Certificate__c', recordId: 'Vendor_Setting.Default', scope: 'metadata-record', owner: 'Default vendor', value: 'Vendor_Signing', matchedBy: 'unique-name' },
    ]);
  });

  it('Salesforce refuses DML on a metadata record, and a Metadata update replaces the whole record', async () => {
    const id = String((await raw.query<{ Id: string }>("SELECT Id FROM Vendor_Setting__mdt WHERE DeveloperName = 'Staging'")).records[0]?.Id);
    assert.equal(await errorCodeOf(raw.sobject('Vendor_Setting__mdt').update({ Id: id, Certificate__c: 'Vendor_Signing' })), 'INVALID_TYPE_FOR_OPERATION');
    // the trap the adapter must avoid: values left out are cleared
    const result = await raw.metadata.update('CustomMetadata', { fullName: 'Vendor_Setting.Staging', label: 'Staging', values: [{ field: 'Certificate__c', value: 'Partner_Signing' }] } as never);
    assert.equal((result as unknown as { success: boolean }).success, true);
    assert.deepEqual(await readRecord(raw, 'Staging'), { DeveloperName: 'Staging', MasterLabel: 'Staging', Certificate__c: 'Partner_Signing', Endpoint__c: null, Enabled__c: false, Notes__c: null });
  });

  it('switches through the Metadata API keeping every other value, and switches back (rollback)', async () => {
    const before = await readRecord(raw, 'Default');
    assert.deepEqual(await org.updateReferences([changeTo('Partner_Signing', 'Vendor_Signing')]), { applied: [changeTo('Partner_Signing', 'Vendor_Signing')], conflicts: [] });
    assert.deepEqual(await readRecord(raw, 'Default'), { ...before, Certificate__c: 'Partner_Signing' });
    // a retry of a switch whose answer was lost is applied, not a conflict
    assert.equal((await org.updateReferences([changeTo('Partner_Signing', 'Vendor_Signing')])).applied.length, 1);
    await org.updateReferences([changeTo('Vendor_Signing', 'Partner_Signing')]);
    assert.deepEqual(await readRecord(raw, 'Default'), before);
  });

  it('compare-and-set: a record changed behind our back is a conflict, not overwritten', async () => {
    const meta = (await raw.metadata.read('CustomMetadata', 'Vendor_Setting.Default')) as unknown as Record<string, unknown>;
    // xml2js reads a typed value as { _: text, $: { 'xsi:type' } } and a nil one as { $: { 'xsi:nil' } }
    const plain = (v: unknown) => (typeof v === 'object' && v !== null ? ((v as { _?: string })._ ?? null) : v);
    const values = (meta.values as { field: string; value: unknown }[]).map((v) => ({ field: v.field, value: v.field === 'Certificate__c' ? 'Hand_Edited' : plain(v.value) }));
    await raw.metadata.update('CustomMetadata', { fullName: 'Vendor_Setting.Default', label: 'Default vendor', values } as never);
    const change = changeTo('Partner_Signing', 'Vendor_Signing');
    assert.deepEqual(await org.updateReferences([change]), { applied: [], conflicts: [{ ...change, actual: 'Hand_Edited' }] });
    assert.equal((await readRecord(raw, 'Default'))?.Certificate__c, 'Hand_Edited');
    assert.equal((await org.updateReferences([changeTo('Partner_Signing', 'Vendor_Signing', 'Vendor_Setting.Gone')])).conflicts[0]?.actual, null);
  });
});
