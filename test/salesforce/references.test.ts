/**
 * Finding, discovering and switching the records that name a certificate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { signJwtAssertion } from '../../src/salesforce/auth';
import type { Reference, ReferenceChange, ReferenceTarget, SalesforceOrg } from '../../src/salesforce/org-port';
import { CONSUMER_KEY, startDemoOrg, type DemoOrg } from './support';

const TARGETS: ReferenceTarget[] = [
  { object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'hierarchy-setting' },
  { object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' },
];

/** The change that moves `ref` from `expected` (default: what it holds) to `value`. */
function changeOf(ref: Reference, value: string, expected: string = ref.value): ReferenceChange {
  return { object: ref.object, field: ref.field, recordId: ref.recordId, scope: ref.scope, owner: ref.owner, expected, value };
}

describe('jsforce adapter: references', () => {
  let demo: DemoOrg;
  let org: SalesforceOrg;
  /** Another client of the same org, editing records behind the adapter's back. */
  let someoneElse: Connection;

  before(async () => {
    demo = await startDemoOrg();
    org = demo.adapter();
    someoneElse = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
    await someoneElse.authorize({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: 'admin@certrot.demo', audience: 'https://login.salesforce.com', privateKeyPem: demo.jwtKeyPem }),
    });
  });
  after(async () => {
    await demo?.close();
  });

  it('finds the org default, the profile and user overrides, the credential record and the named credential', async () => {
    const refs = await org.findReferences('Vendor_Signing', TARGETS);
    assert.deepEqual(
      refs.map((r) => [r.object, r.scope, r.owner, r.value, r.matchedBy]),
      [
        ['csam__AsyncMessOptions__c', 'org-default', 'Organization default', 'Vendor_Signing', 'unique-name'],
        ['csam__AsyncMessOptions__c', 'profile', 'Order Integration', 'Vendor_Signing', 'unique-name'],
        ['csam__AsyncMessOptions__c', 'user', 'ops@certrot.demo', 'Vendor_Signing', 'unique-name'],
        ['Integration_Credential__c', 'record', 'Order vendor signing', 'Vendor_Signing', 'unique-name'],
        ['NamedCredential', 'named-credential', 'Vendor Orders (mTLS)', 'Vendor_Signing', 'unique-name'],
        ['NamedCredential', 'named-credential', 'Vendor Orders (secured endpoint)', 'Vendor_Signing', 'unique-name'],
      ],
    );
    assert.ok(refs.filter((r) => r.scope !== 'named-credential').every((r) => /^[A-Za-z0-9]{18}$/.test(r.recordId)));
  });

  it('searches many certificates in one pass, saying which certificate each reference names', async () => {
    const single = await org.findReferences('Vendor_Signing', TARGETS);
    const batch = await org.findReferencesToAny(
      [
        { uniqueName: 'Vendor_Signing', label: 'Vendor Signing' },
        { uniqueName: 'Partner_Signing', label: 'Partner Signing' },
        { uniqueName: 'Gone_After_Refresh', label: null },
      ],
      TARGETS,
    );
    assert.deepEqual(
      batch.filter((r) => r.certificate === 'Vendor_Signing').map(({ certificate: _c, ...r }) => r),
      single,
    );
    assert.ok(batch.some((r) => r.certificate === 'Partner_Signing' && r.object === 'Integration_Credential__c'));
    assert.ok(!batch.some((r) => r.certificate === 'Gone_After_Refresh'));
    assert.deepEqual(await org.findReferencesToAny([], TARGETS), []);
  });

  it('discovers a custom setting nobody configured that names a certificate', async () => {
    const found = await org.discoverReferenceTargets(['Integration_Credential__c']);
    const unconfigured = found.find((t) => t.object === 'csutil__Configurator_Options__c');
    assert.deepEqual(unconfigured, { object: 'csutil__Configurator_Options__c', field: 'csutil__Signing_Certificate__c', kind: 'hierarchy-setting', valuesSeen: ['Vendor_Signing'] });
    assert.ok(found.some((t) => t.object === 'Integration_Credential__c' && t.kind === 'custom-object' && t.valuesSeen.includes('Partner_Signing')));
  });

  it('reports a label held in a reference as matchedBy "label"', async () => {
    const [credential] = (await org.findReferences('Partner_Signing', TARGETS)).filter((r) => r.object === 'Integration_Credential__c');
    assert.ok(credential);
    await someoneElse.sobject('Integration_Credential__c').update({ Id: credential.recordId, Certificate_Name__c: 'Partner Signing' });
    const refs = await org.findReferences('Partner_Signing', TARGETS);
    assert.deepEqual(refs.map((r) => [r.value, r.matchedBy]), [['Partner Signing', 'label']]);
  });

  it('compare-and-set: a record changed behind our back is reported as a conflict and not overwritten', async () => {
    const refs = await org.findReferences('Vendor_Signing', TARGETS);
    const profile = refs.find((r) => r.scope === 'profile');
    const user = refs.find((r) => r.scope === 'user');
    assert.ok(profile && user);
    await someoneElse.sobject('csam__AsyncMessOptions__c').update({ Id: user.recordId, csam__Certificate__c: 'Hand_Edited' });

    const changes = [changeOf(profile, 'Partner_Signing'), changeOf(user, 'Partner_Signing')];
    const result = await org.updateReferences(changes);
    assert.deepEqual(result.applied.map((c) => c.recordId), [profile.recordId]);
    assert.equal(result.applied[0], changes[0], 'applied entries are the caller\'s own changes');
    assert.deepEqual(result.conflicts, [{ ...changes[1], actual: 'Hand_Edited' }], 'a conflict keeps scope and owner');

    const settings = (await demo.state()).customSettings.find((s) => s.apiName === 'csam__AsyncMessOptions__c');
    const record = (id: string) => settings?.records.find((r) => r.Id === id)?.csam__Certificate__c;
    assert.equal(record(user.recordId), 'Hand_Edited', 'the conflicting record keeps what its editor wrote');
    assert.equal(record(profile.recordId), 'Partner_Signing');

    // switching back: applying the same change twice is idempotent (a retry after a lost answer)
    const back = changeOf(profile, 'Vendor_Signing', 'Partner_Signing');
    assert.equal((await org.updateReferences([back])).applied.length, 1);
    assert.equal((await org.updateReferences([back])).applied.length, 1);
    await someoneElse.sobject('csam__AsyncMessOptions__c').update({ Id: user.recordId, csam__Certificate__c: 'Vendor_Signing' });
  });

  it('switches every reference, overrides and named credential included, to a new certificate', async () => {
    await org.createCertificate({ uniqueName: 'Vendor_Signing_Next', label: 'Vendor Signing Next', keySize: 2048, caSigned: false, privateKeyExportable: true });
    const refs = await org.findReferences('Vendor_Signing', TARGETS);
    assert.equal(refs.length, 6);
    const changes = refs.map((r) => changeOf(r, 'Vendor_Signing_Next'));
    const heard: { applied: ReferenceChange[]; conflicts: unknown[] }[] = [];
    const result = await org.updateReferences(changes, (done) => heard.push(done));
    assert.equal(result.conflicts.length, 0);
    assert.equal(result.applied.length, 6);
    // progress after each reference, the caller's own changes in order, each report a copy
    assert.deepEqual(
      heard.map((h) => [h.applied.length, h.conflicts.length]),
      [1, 2, 3, 4, 5, 6].map((n) => [n, 0]),
    );
    heard.forEach((h, i) => assert.ok(h.applied.every((c, j) => c === changes[j]), `report ${i} holds the caller's objects`));
    assert.notEqual(heard[5]?.applied, result.applied);
    assert.deepEqual(heard[5]?.applied, result.applied);

    assert.deepEqual(await org.findReferences('Vendor_Signing', TARGETS), []);
    const moved = await org.findReferences('Vendor_Signing_Next', TARGETS);
    assert.deepEqual(moved.map((r) => r.scope).sort(), ['named-credential', 'named-credential', 'org-default', 'profile', 'record', 'user']);
    // nothing uses the old certificate any more, so Salesforce lets it go
    await org.deleteCertificate('Vendor_Signing');
  });

  it('a named credential change is compare-and-set too', async () => {
    const result = await org.updateReferences([
      { object: 'NamedCredential', field: 'certificate', recordId: 'Vendor_Orders_mTLS', scope: 'named-credential', owner: 'Vendor Orders (mTLS)', expected: 'Vendor_Signing', value: 'Partner_Signing' },
    ]);
    assert.deepEqual(result.conflicts.map((c) => c.actual), ['Vendor_Signing_Next']);
    assert.equal((await demo.state()).namedCredentials[0]?.certificate, 'Vendor_Signing_Next');
  });

  it('rejects reference targets that are not API names (no SOQL injection)', async () => {
    await assert.rejects(
      org.findReferences('Partner_Signing', [{ object: 'Account WHERE Id != null', field: 'Name', kind: 'custom-object' }]),
      (err: unknown) => err instanceof Error && 'code' in err && err.code === 'CONFIG_INVALID',
    );
  });
});
