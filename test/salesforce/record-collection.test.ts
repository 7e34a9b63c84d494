/**
 * Switching references at once (`updateReferences(..., { atOnce: true })`): every record in
 * one all-or-none Composite request, each PATCH guarded by If-Unmodified-Since, named
 * credentials beside it — against the sandbox's Composite resource, under both answers it
 * may give a refused precondition (`behaviour.compositePreconditionBody`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { isRotationError } from '../../src/domain/errors';
import type { Reference, ReferenceChange, ReferenceTarget, SalesforceOrg } from '../../src/salesforce/org-port';
import { rawConnection } from './raw-connection';
import { loadDemoFixture, startDemoOrg, type DemoOrg } from './support';

const TARGETS: ReferenceTarget[] = [
  { object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'hierarchy-setting' },
  { object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' },
];

interface Switch {
  at: string;
  object: string;
  recordId: string;
  fullName?: string;
  field: string;
  from: string | null;
  to: string | null;
}

function changeOf(ref: Reference, value: string, expected: string = ref.value): ReferenceChange {
  return { object: ref.object, field: ref.field, recordId: ref.recordId, scope: ref.scope, owner: ref.owner, expected, value };
}

async function switchLog(demo: DemoOrg): Promise<Switch[]> {
  return ((await (await fetch(`${demo.sandbox.url}/__sandbox/switches`)).json()) as { switches: Switch[] }).switches;
}

async function clearLog(demo: DemoOrg): Promise<void> {
  await fetch(`${demo.sandbox.url}/__sandbox/switches`, { method: 'DELETE' });
}

const isRecord = (r: { object: string }) => r.object !== 'NamedCredential';

for (const body of ['errors', 'empty'] as const) {
  describe(`switching at once (a refused precondition answers with ${body === 'errors' ? 'an error list' : 'no body'})`, () => {
    let demo: DemoOrg;
    let org: SalesforceOrg;
    let someoneElse: Connection;
    before(async () => {
      demo = await startDemoOrg({ fixture: { ...(await loadDemoFixture()), behaviour: { compositePreconditionBody: body } } });
      org = demo.adapter();
      someoneElse = await rawConnection(demo);
    });
    after(async () => {
      await demo?.close();
    });

    it('flips every record reference in one request, named credentials beside it; progress is per reference, in order', async () => {
      // a one-by-one PATCH would fail: the records must go in the Composite request
      await demo.injectFaults([{ operation: 'rest.update', kind: 'http-500' }]);
      const refs = await org.findReferences('Vendor_Signing', TARGETS);
      assert.ok(refs.filter(isRecord).length >= 3 && refs.some((r) => !isRecord(r)));
      const changes = refs.map((r) => changeOf(r, 'Partner_Signing'));
      await clearLog(demo);
      const heard: number[] = [];
      const result = await org.updateReferences(changes, (done) => heard.push(done.applied.length), { atOnce: true });
      assert.deepEqual(result, { applied: changes, conflicts: [] });
      assert.deepEqual(heard, changes.map((_, i) => i + 1));

      const log = await switchLog(demo);
      const records = log.filter(isRecord);
      assert.equal(records.length, changes.filter(isRecord).length);
      assert.equal(new Set(records.map((s) => s.at)).size, 1, 'every record flipped at one instant: one transaction');
      assert.ok(records.every((s) => s.from === 'Vendor_Signing' && s.to === 'Partner_Signing'));
      assert.ok(log.some((s) => s.object === 'NamedCredential' && s.fullName === s.recordId && s.to === 'Partner_Signing'));
      await fetch(`${demo.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });

      // a retry after a lost answer: already at the new value counts as done, nothing written again
      await clearLog(demo);
      assert.deepEqual(await org.updateReferences(changes, undefined, { atOnce: true }), { applied: changes, conflicts: [] });
      assert.deepEqual(await switchLog(demo), []);
      // back again, for the next test
      assert.equal((await org.updateReferences(changes.map((c) => ({ ...c, expected: c.value, value: c.expected })), undefined, { atOnce: true })).applied.length, changes.length);
    });

    it('all-or-none: one record Salesforce refuses leaves none switched, and the adapter names it', async () => {
      const refs = (await org.findReferences('Vendor_Signing', TARGETS)).filter(isRecord);
      const changes = refs.map((r, i) => changeOf(r, i === refs.length - 1 ? 'X'.repeat(300) : 'Partner_Signing'));
      await clearLog(demo);
      await assert.rejects(org.updateReferences(changes, undefined, { atOnce: true }), (err: unknown) => {
        assert.ok(isRotationError(err, 'SALESFORCE_ERROR'));
        assert.match(err.message, new RegExp(`${refs[refs.length - 1]!.recordId}.*STRING_TOO_LONG`));
        assert.match(err.message, /none of its \d+ record\(s\) was switched/);
        return true;
      });
      assert.deepEqual(await switchLog(demo), [], 'nothing flipped');
      assert.equal((await org.findReferences('Vendor_Signing', TARGETS)).filter(isRecord).length, refs.length);
    });

    it('a write between our read and our write is not lost: it is reported as a conflict, the rest rolled back and retried', async () => {
      const refs = (await org.findReferences('Vendor_Signing', TARGETS)).filter(isRecord);
      const victim = refs[0]!;
      const changes = refs.map((r) => changeOf(r, 'Partner_Signing'));
      // An HTTP date has whole seconds: a hand edit in the same second as the record's last
      // write could pass If-Unmodified-Since (jsforce-record-swap.ts). Earlier tests wrote
      // these records moments ago; let that second pass so the edit is always a later one.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      // hold the Composite request long enough for someone else's write to land after our read
      await demo.injectFaults([{ operation: 'rest.composite', kind: 'latency', latencyMs: 1500, times: 1 }]);
      const switching = org.updateReferences(changes, undefined, { atOnce: true });
      await new Promise((resolve) => setTimeout(resolve, 700));
      await someoneElse.sobject(victim.object).update({ Id: victim.recordId, [victim.field]: 'Hand_Edited' });
      const result = await switching;
      // whichever came first on a slow machine, the hand edit survives and is reported
      assert.deepEqual(result.conflicts, [{ ...changes[0]!, actual: 'Hand_Edited' }]);
      assert.deepEqual(result.applied, changes.slice(1));
      const rows = await someoneElse.query<{ Id: string }>(`SELECT Id, ${victim.field} FROM ${victim.object} WHERE Id = '${victim.recordId}'`);
      assert.equal((rows.records[0] as Record<string, unknown> | undefined)?.[victim.field], 'Hand_Edited');
    });
  });
}

describe('the sandbox Composite resource', () => {
  let demo: DemoOrg;
  let raw: Connection;
  before(async () => {
    demo = await startDemoOrg();
    raw = await rawConnection(demo);
  });
  after(async () => {
    await demo?.close();
  });

  const post = (body: unknown) => raw.request<{ compositeResponse: { httpStatusCode: number; referenceId: string; body: unknown }[] }>({
    method: 'POST',
    url: `${raw._baseUrl()}/composite`,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });

  it('rolls every subrequest back when one fails its If-Unmodified-Since, and halts the others', async () => {
    const rows = (await raw.query<{ Id: string }>("SELECT Id FROM Integration_Credential__c WHERE Name = 'Order vendor signing'")).records;
    const settings = (await raw.query<{ Id: string }>('SELECT Id FROM csam__AsyncMessOptions__c')).records;
    await clearLog(demo);
    const answer = await post({
      allOrNone: true,
      compositeRequest: [
        { method: 'PATCH', url: `/services/data/v62.0/sobjects/csam__AsyncMessOptions__c/${settings[0]!.Id}`, referenceId: 'first', body: { csam__Certificate__c: 'Partner_Signing' } },
        {
          method: 'PATCH',
          url: `/services/data/v62.0/sobjects/Integration_Credential__c/${rows[0]!.Id}`,
          referenceId: 'stale',
          body: { Certificate_Name__c: 'Partner_Signing' },
          httpHeaders: { 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' },
        },
      ],
    });
    assert.deepEqual(
      answer.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode, (r.body as { errorCode: string }[])[0]?.errorCode]),
      [
        ['first', 400, 'PROCESSING_HALTED'],
        ['stale', 412, 'PRECONDITION_FAILED'],
      ],
    );
    assert.deepEqual(await switchLog(demo), []);
    const now = (await raw.query<Record<string, unknown>>(`SELECT Id, csam__Certificate__c FROM csam__AsyncMessOptions__c WHERE Id = '${settings[0]!.Id}'`)).records[0];
    assert.equal(now?.csam__Certificate__c, 'Vendor_Signing', 'the first write was rolled back');
  });

  it('refuses more than 25 subrequests', async () => {
    const settings = (await raw.query<{ Id: string }>('SELECT Id FROM csam__AsyncMessOptions__c')).records;
    const compositeRequest = Array.from({ length: 26 }, (_, i) => ({ method: 'GET', url: `/services/data/v62.0/sobjects/csam__AsyncMessOptions__c/${settings[0]!.Id}`, referenceId: `r${i}` }));
    await assert.rejects(post({ allOrNone: true, compositeRequest }), (err: unknown) => (err as { errorCode?: string }).errorCode === 'LIMIT_EXCEEDED');
  });
});
