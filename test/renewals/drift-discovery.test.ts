/**
 * Drift that finds what is gone. An org configured with discovery only (no targets) and a
 * certificatePattern integration: settings and named credentials name a certificate that
 * was deleted, and one that was never created in this org (copied from production by a
 * sandbox refresh). One inventory reports each such reference with its object, field,
 * scope, owner and record (the sweep's drift audit then calls it 'missing-certificate'),
 * leaves unrelated values of fields that are not certificate fields alone, and costs the
 * Salesforce API calls documented in inventory-activities.ts — as many for more dangling
 * references as for fewer.
 *
 * Salesforce's Tooling query "may also return deleted records" (SALESFORCE.md): for how long
 * is not documented, so every test runs against both answers of the sandbox's
 * `behaviour.deletedCertificatesInTooling` — `listed` and `purged`.
 *
 * The real inventory activity and jsforce adapter against the sandbox org, in a mock
 * activity environment (no Temporal server needed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Connection } from 'jsforce';
import { createInventoryActivities } from '../../src/activities/inventory-activities';
import { parseInventoryConfig } from '../../src/domain/inventory-config';
import type { InventoryReference, OrgInventory } from '../../src/domain/renewal/inventory-contract';
import { signJwtAssertion } from '../../src/salesforce/auth';
import { CONSUMER_KEY, loadDemoFixture, startDemoOrg, type DemoOrg } from '../salesforce/support';

const ORG_ID = '00D000000000001EAA';
const ORDER_INTEGRATION_PROFILE = '00e000000000002AAA';
const OPS_USER = '005000000000003AAA';
/** Deleted in this org: gone from Metadata; the Tooling query may still list it. */
const DELETED = 'Vendor_Signing_2025';
/** Never created in this org: production's name, copied by a refresh. */
const NEVER_CREATED = 'Vendor_Signing_Prod';

type ToolingAnswer = 'listed' | 'purged';

/** The demo org after a refresh: a gateway setting and two named credentials naming what is gone. */
async function refreshedFixture(tooling: ToolingAnswer): Promise<Record<string, unknown>> {
  const fixture = await loadDemoFixture();
  const list = (key: string) => (fixture[key] ?? (fixture[key] = [])) as Record<string, unknown>[];
  list('certificates').push(
    { uniqueName: DELETED, label: 'Vendor Signing 2025', deleted: true },
    // deleted, and its name taken again (behaviour.deletedCertificateNames: reusable): it exists
    { uniqueName: 'Partner_Signing', label: 'Partner Signing (2024)', deleted: true },
  );
  fixture.absentCertificateNames = [DELETED, NEVER_CREATED];
  list('customSettings').push({
    apiName: 'acme__Gateway__c',
    label: 'Gateway',
    settingType: 'hierarchy',
    fields: [
      { name: 'acme__Client_Certificate__c', label: 'Client Certificate', type: 'string', length: 80 },
      // not a certificate field by name or label: searched only for certificate names the org knows
      { name: 'acme__Signer__c', label: 'Signer', type: 'string', length: 80 },
      { name: 'acme__Region__c', label: 'Region', type: 'string', length: 40 },
    ],
    records: [
      { setupOwnerId: ORG_ID, values: { acme__Client_Certificate__c: DELETED, acme__Signer__c: DELETED, acme__Region__c: 'eu-west' } },
      { setupOwnerId: ORDER_INTEGRATION_PROFILE, values: { acme__Client_Certificate__c: NEVER_CREATED, acme__Region__c: 'Vendor_Signing_Eu' } },
      { setupOwnerId: OPS_USER, values: { acme__Client_Certificate__c: 'Vendor_Signing', acme__Region__c: 'us-east' } },
    ],
  });
  list('namedCredentials').push(
    {
      fullName: 'Gateway_Secured',
      label: 'Gateway (secured endpoint)',
      namedCredentialType: 'SecuredEndpoint',
      namedCredentialParameters: [
        { parameterName: 'Url', parameterType: 'Url', parameterValue: 'https://gateway.vendor.example/v2' },
        { parameterName: 'ExternalCredential', parameterType: 'Authentication', externalCredential: 'Gateway_Auth' },
        { parameterName: 'ClientCertificate', parameterType: 'ClientCertificate', certificate: DELETED },
      ],
    },
    { fullName: 'Gateway_Legacy', label: 'Gateway (legacy)', endpoint: 'https://gateway.vendor.example', certificate: NEVER_CREATED, principalType: 'Anonymous', protocol: 'NoAuthentication' },
  );
  fixture.behaviour = { deletedCertificatesInTooling: tooling };
  return fixture;
}

/** What an operator reads of a reference to a certificate the org does not have. */
function row(r: InventoryReference): string {
  return [r.object, r.field, r.scope, r.owner, r.value, r.certificate, r.absent ?? '-'].join(' | ');
}

for (const tooling of ['listed', 'purged'] as const) {
  describe(`inventory of what is gone (deleted certificates ${tooling} by the Tooling query)`, () => {
    let demo: DemoOrg;
    let admin: Connection;
    let env: MockActivityEnvironment;
    let inventoryOrg: (input: { org: string }) => Promise<OrgInventory>;

    before(async () => {
      demo = await startDemoOrg({ fixture: await refreshedFixture(tooling) });
      admin = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
      await admin.authorize({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: 'admin@certrot.demo', audience: 'https://login.salesforce.com', privateKeyPem: demo.jwtKeyPem }),
      });
      const inventory = parseInventoryConfig({
        orgs: { demo: { integrations: [{ certificatePattern: 'Vendor_Signing*', vendor: 'acme', strategy: 'overlap', approvers: ['provisioning-team'], window: 'daily 02:00-04:00 UTC' }] } },
      });
      const activities = createInventoryActivities({ orgs: new Map([['demo', { org: demo.adapter(), vendorOrgId: 'demo-vendor' }]]), vendors: new Map(), inventory, alerts: null });
      env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
      inventoryOrg = (input) => env.run((i: { org: string }) => activities.inventoryOrg(i), input);
    });
    after(async () => {
      await demo?.close();
    });

    const apiCalls = async () => (await demo.state()).dailyApiRequests.used;
    let first: OrgInventory;
    let firstCalls: number;

    it('reports every reference to a deleted or never-created certificate, with object, field, scope, owner and record', async () => {
      const before = await apiCalls();
      first = await inventoryOrg({ org: 'demo' });
      firstCalls = (await apiCalls()) - before;

      const live = new Set(first.certificates.map((c) => c.uniqueName.toLowerCase()));
      assert.deepEqual([...live].sort(), ['partner_signing', 'vendor_signing'], 'a deleted certificate is not in the inventory');
      const gone = first.references.filter((r) => !live.has(r.certificate.toLowerCase()));
      // Without the Tooling rows of deleted certificates, a deleted one cannot be told from one never created here.
      const deleted = tooling === 'listed' ? 'deleted' : 'unknown-name';
      const expected = [
        `acme__Gateway__c | acme__Client_Certificate__c | org-default | Organization default | ${DELETED} | ${DELETED} | ${deleted}`,
        `acme__Gateway__c | acme__Client_Certificate__c | profile | Order Integration | ${NEVER_CREATED} | ${NEVER_CREATED} | unknown-name`,
        // a field that is not a certificate field by name: found only by searching the deleted certificate's name
        ...(tooling === 'listed' ? [`acme__Gateway__c | acme__Signer__c | org-default | Organization default | ${DELETED} | ${DELETED} | deleted`] : []),
        `NamedCredential | certificate | named-credential | Gateway (legacy) | ${NEVER_CREATED} | ${NEVER_CREATED} | unknown-name`,
        `NamedCredential | namedCredentialParameters.ClientCertificate | named-credential | Gateway (secured endpoint) | ${DELETED} | ${DELETED} | ${deleted}`,
      ];
      assert.deepEqual(gone.map(row).sort(), expected.sort());

      const settingIds = new Set((await demo.state()).customSettings.find((s) => s.apiName === 'acme__Gateway__c')!.records.map((r) => String(r.Id)));
      for (const r of gone) {
        if (r.object === 'NamedCredential') assert.ok(['Gateway_Secured', 'Gateway_Legacy'].includes(r.recordId), r.recordId);
        else assert.ok(/^[A-Za-z0-9]{18}$/.test(r.recordId) && settingIds.has(r.recordId), `${r.recordId} is a record of acme__Gateway__c`);
        assert.equal(r.matchedBy, 'unique-name');
      }
    });

    it('keeps the references to live certificates as they were, and leaves unrelated values alone', () => {
      const live = first.references.filter((r) => r.absent === undefined);
      assert.ok(live.length > 0 && live.every((r) => ['Vendor_Signing', 'Partner_Signing'].includes(r.certificate)));
      assert.ok(live.some((r) => r.object === 'acme__Gateway__c' && r.scope === 'user' && r.owner === 'ops@certrot.demo' && r.value === 'Vendor_Signing'));
      assert.ok(live.some((r) => r.object === 'csam__AsyncMessOptions__c' && r.scope === 'org-default'));
      // Region (even one that looks like a certificate name), Endpoint, Credential Type: not certificate fields
      const fields = new Set(first.references.map((r) => `${r.object}.${r.field}`));
      for (const field of ['acme__Gateway__c.acme__Region__c', 'csam__AsyncMessOptions__c.csam__Endpoint__c', 'Integration_Credential__c.Credential_Type__c']) {
        assert.ok(!fields.has(field), `${field} is not reported`);
      }
      assert.ok(!first.references.some((r) => ['eu-west', 'us-east', 'Vendor_Signing_Eu', 'Certificate'].includes(r.value) || r.value.startsWith('https://')));
    });

    it('costs the API calls documented in inventory-activities.ts, the same for more dangling references', async () => {
      const expectedCalls = {
        // listCertificates: the Tooling query and listMetadata(Certificate); the deleted ones come with it
        listCertificates: 2,
        // discovery: describeGlobal, then describe + one query per custom setting (csam, csutil, acme);
        // the names to look for are the listing's, so no certificate list of its own
        discovery: 1 + 2 * 3,
        // one describe per target object (csam, csutil, acme)
        describePerTargetObject: 3,
        // one query per target field: csam__Certificate__c, csutil__Signing_Certificate__c,
        // acme__Client_Certificate__c, and acme__Signer__c where the deleted name is known to discovery
        queryPerTargetField: tooling === 'listed' ? 4 : 3,
        // listMetadata(NamedCredential) and one readMetadata for the 4 named credentials
        namedCredentials: 2,
        // owner names: the profile overrides' (Profile) and the user overrides' (User)
        ownerNames: 2,
        // readMetadata(Certificate) of the 2 usable certificates
        readValidity: 1,
      };
      assert.equal(firstCalls, Object.values(expectedCalls).reduce((a, b) => a + b), JSON.stringify(expectedCalls));

      // Two more records name certificates that do not exist: more references, not more calls.
      const records = (await demo.state()).customSettings.find((s) => s.apiName === 'acme__Gateway__c')!.records;
      const user = records.find((r) => String(r.SetupOwnerId).startsWith('005'))!;
      await admin.sobject('acme__Gateway__c').update({ Id: String(user.Id), acme__Client_Certificate__c: 'Never_Here_Either' });
      const csam = (await demo.state()).customSettings.find((s) => s.apiName === 'csam__AsyncMessOptions__c')!.records;
      await admin.sobject('csam__AsyncMessOptions__c').update({ Id: String(csam.find((r) => String(r.SetupOwnerId).startsWith('00e'))!.Id), csam__Certificate__c: 'Vendor Signing Prod' });

      const before = await apiCalls();
      const second = await inventoryOrg({ org: 'demo' });
      assert.equal((await apiCalls()) - before, firstCalls, 'the same calls for more dangling references');
      const added = second.references.filter((r) => r.absent !== undefined).length - first.references.filter((r) => r.absent !== undefined).length;
      assert.equal(added, 2);
      assert.ok(second.references.some((r) => r.scope === 'user' && r.value === 'Never_Here_Either' && r.absent === 'unknown-name' && r.owner === 'ops@certrot.demo'));
      // a label-like value naming no certificate is a dangling reference too (the label rule needs a certificate)
      assert.ok(second.references.some((r) => r.object === 'csam__AsyncMessOptions__c' && r.scope === 'profile' && r.value === 'Vendor Signing Prod' && r.absent === 'unknown-name'));
    });

    it('lists as deleted only what the Tooling query still returns and no live certificate is called', async () => {
      const { certificates, deleted } = await demo.adapter().listCertificatesWithDeleted();
      assert.deepEqual(certificates.map((c) => c.uniqueName), ['Partner_Signing', 'Vendor_Signing']);
      assert.equal(certificates.find((c) => c.uniqueName === 'Partner_Signing')?.label, 'Partner Signing', 'the live one, not the deleted one of the same name');
      assert.deepEqual(deleted, tooling === 'listed' ? [{ uniqueName: DELETED, label: 'Vendor Signing 2025' }] : []);
    });
  });
}
