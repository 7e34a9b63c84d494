/**
 * Describe flags decide how a field is searched and whether it may be written: a Long Text
 * Area cannot be filtered in a WHERE (Salesforce refuses the query), a formula or read-only
 * field cannot be written (Salesforce refuses the PATCH) — and the adapter never tries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { isRotationError } from '../../src/domain/errors';
import type { ReferenceTarget, SalesforceOrg } from '../../src/salesforce/org-port';
import { errorCodeOf, rawConnection } from './raw-connection';
import { loadDemoFixture, startDemoOrg, type DemoOrg } from './support';

async function fixture(): Promise<Record<string, unknown>> {
  const demo = await loadDemoFixture();
  return {
    ...demo,
    customObjects: [
      ...(demo.customObjects as Record<string, unknown>[]),
      {
        apiName: 'Vendor_Profile__c',
        label: 'Vendor Profile',
        fields: [
          { name: 'Cert_Notes__c', type: 'textarea', length: 32768 },
          { name: 'Short_Note__c', type: 'textarea', length: 255 },
          { name: 'Cert_Formula__c', type: 'string', calculated: true },
          { name: 'Locked_Cert__c', type: 'string', updateable: false },
        ],
        records: [
          { name: 'orders', values: { Cert_Notes__c: 'Vendor_Signing', Short_Note__c: 'x', Cert_Formula__c: 'Vendor_Signing', Locked_Cert__c: 'Vendor_Signing' } },
          { name: 'partner', values: { Cert_Notes__c: 'Partner_Signing is used here, not a reference' } },
        ],
      },
    ],
  };
}

const LONG_TEXT: ReferenceTarget = { object: 'Vendor_Profile__c', field: 'Cert_Notes__c', kind: 'custom-object' };

describe('sandbox org and adapter: describe flags', () => {
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

  it('describe says filterable, calculated and updateable as Salesforce does', async () => {
    const described = await raw.describe('Vendor_Profile__c');
    const flags = (name: string) => {
      const f = described.fields.find((x) => x.name === name);
      return f ? [f.type, f.filterable, f.calculated, f.updateable] : null;
    };
    assert.deepEqual(flags('Cert_Notes__c'), ['textarea', false, false, true]);
    assert.deepEqual(flags('Short_Note__c'), ['textarea', true, false, true]);
    assert.deepEqual(flags('Cert_Formula__c'), ['string', true, true, false]);
    assert.deepEqual(flags('Locked_Cert__c'), ['string', true, false, false]);
  });

  it('Salesforce refuses a WHERE on a Long Text Area and a write to a formula or read-only field', async () => {
    await assert.rejects(async () => raw.query("SELECT Id FROM Vendor_Profile__c WHERE Cert_Notes__c = 'Vendor_Signing'"), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal((err as { errorCode?: string }).errorCode, 'INVALID_FIELD');
      assert.match(err.message, /field 'Cert_Notes__c' can not be filtered in query call/);
      return true;
    });
    const rows = (await raw.query<{ Id: string }>("SELECT Id FROM Vendor_Profile__c WHERE Name = 'orders'")).records;
    const id = rows[0]?.Id ?? '';
    assert.equal(await errorCodeOf(raw.sobject('Vendor_Profile__c').update({ Id: id, Cert_Formula__c: 'x' })), 'INVALID_FIELD_FOR_INSERT_UPDATE');
    assert.equal(await errorCodeOf(raw.sobject('Vendor_Profile__c').update({ Id: id, Locked_Cert__c: 'x' })), 'INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('finds a reference in a Long Text Area by reading it whole and matching locally', async () => {
    const refs = await org.findReferences('Vendor_Signing', [LONG_TEXT]);
    assert.deepEqual(
      refs.filter((r) => r.object === 'Vendor_Profile__c').map((r) => [r.field, r.owner, r.value]),
      [['Cert_Notes__c', 'orders', 'Vendor_Signing']],
    );
    const partner = await org.findReferencesToAny([{ uniqueName: 'Partner_Signing', label: null }], [LONG_TEXT]);
    assert.deepEqual(partner.filter((r) => r.object === 'Vendor_Profile__c'), [], 'a longer text naming it is not a reference');
  });

  it('refuses to write a formula or read-only field before switching anything', async () => {
    const [notes] = await org.findReferences('Vendor_Signing', [LONG_TEXT]);
    assert.ok(notes);
    const formula = { ...notes, field: 'Cert_Formula__c' };
    const change = (r: typeof notes) => ({ object: r.object, field: r.field, recordId: r.recordId, scope: r.scope, owner: r.owner, expected: 'Vendor_Signing', value: 'Partner_Signing' });
    for (const bad of [formula, { ...notes, field: 'Locked_Cert__c' }]) {
      await assert.rejects(org.updateReferences([change(notes), change(bad)]), (err: unknown) => {
        assert.ok(isRotationError(err, 'CONFIG_INVALID'));
        assert.match(err.message, new RegExp(`Vendor_Profile__c\\.${bad.field}: it is (a formula|not updateable)`));
        return true;
      });
    }
    const after = await raw.query<Record<string, string>>("SELECT Cert_Notes__c FROM Vendor_Profile__c WHERE Name = 'orders'");
    assert.equal(after.records[0]?.Cert_Notes__c, 'Vendor_Signing', 'the writable change before it was not applied either');
    // the Long Text Area itself is writable
    const result = await org.updateReferences([change(notes)]);
    assert.equal(result.applied.length, 1);
  });

  it('discovery leaves formula and read-only fields out of the targets to switch', async () => {
    const found = await org.discoverReferenceTargets(['Vendor_Profile__c']);
    assert.deepEqual(
      found.filter((t) => t.object === 'Vendor_Profile__c').map((t) => t.field),
      ['Cert_Notes__c'],
    );
  });
});
