/**
 * Whether Salesforce compares If-Unmodified-Since (an HTTP date: whole seconds) in whole
 * seconds or against the millisecond LastModifiedDate is unconfirmed, so the sandbox offers
 * both (`behaviour.ifUnmodifiedSincePrecision`) and the compare-and-set must work under both.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReferenceChange, ReferenceTarget } from '../../src/salesforce/org-port';
import { errorCodeOf, rawConnection } from './raw-connection';
import { loadDemoFixture, startDemoOrg } from './support';

const TARGET: ReferenceTarget = { object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' };
const MODIFIED = '2026-01-05T10:00:00.500Z';

async function fixture(precision: 'second' | 'millisecond'): Promise<Record<string, unknown>> {
  const demo = await loadDemoFixture();
  const objects = (demo.customObjects as { records: Record<string, unknown>[] }[]).map((o) => ({
    ...o,
    records: o.records.map((r) => ({ ...r, lastModifiedDate: MODIFIED })),
  }));
  return { ...demo, customObjects: objects, behaviour: { ifUnmodifiedSincePrecision: precision } };
}

for (const precision of ['second', 'millisecond'] as const) {
  describe(`compare-and-set with If-Unmodified-Since compared to the ${precision}`, () => {
    it('the sandbox answers 412 as configured', async () => {
      const demo = await startDemoOrg({ fixture: await fixture(precision) });
      try {
        const raw = await rawConnection(demo);
        const [row] = (await raw.query<{ Id: string }>("SELECT Id FROM Integration_Credential__c WHERE Name = 'Partner portal'")).records;
        const update = (since: string) => raw.sobject('Integration_Credential__c').update({ Id: row?.Id ?? '', Credential_Type__c: 'x' }, { headers: { 'If-Unmodified-Since': since } });
        const sameSecond = new Date(Date.parse(MODIFIED) - 500).toUTCString();
        assert.equal(await errorCodeOf(update(sameSecond)), precision === 'millisecond' ? 'PRECONDITION_FAILED' : '');
        assert.equal(await errorCodeOf(update(new Date(Date.parse(MODIFIED) - 60_000).toUTCString())), 'PRECONDITION_FAILED');
      } finally {
        await demo.close();
      }
    });

    it('switches a record last modified at .500, and still refuses to overwrite a change behind its back', async () => {
      const demo = await startDemoOrg({ fixture: await fixture(precision) });
      try {
        const org = demo.adapter();
        const [ref] = (await org.findReferences('Vendor_Signing', [TARGET])).filter((r) => r.object === TARGET.object);
        assert.ok(ref);
        const change: ReferenceChange = { object: ref.object, field: ref.field, recordId: ref.recordId, scope: ref.scope, owner: ref.owner, expected: 'Vendor_Signing', value: 'Partner_Signing' };
        assert.deepEqual(await org.updateReferences([change]), { applied: [change], conflicts: [] });

        const raw = await rawConnection(demo);
        await raw.sobject(TARGET.object).update({ Id: ref.recordId, Certificate_Name__c: 'Hand_Edited' });
        const back = { ...change, expected: 'Partner_Signing', value: 'Vendor_Signing' };
        assert.deepEqual(await org.updateReferences([back]), { applied: [], conflicts: [{ ...back, actual: 'Hand_Edited' }] });
      } finally {
        await demo.close();
      }
    });
  });
}
