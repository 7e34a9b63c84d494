/**
 * References no API can switch, found before anything changes: Apex code naming the
 * certificate, custom settings the integration user cannot read, read-only fields.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apexMentions } from '../../src/salesforce/apex-source-search';
import type { ReferenceTarget, SalesforceOrg } from '../../src/salesforce/org-port';
import { loadDemoFixture, startDemoOrg, type DemoOrg } from './support';

const CALLOUT_CLASS = [
  'public with sharing class Contoso_Callout {',
  '  public static HttpResponse send() {',
  "    HttpRequest req = new HttpRequest(); req.setClientCertificateName('Vendor_Signing');",
  "    // req.setClientCertificateName('Vendor_Signing'); an old line, commented out",
  "    String other = 'Vendor_Signing_2'; /* 'Vendor_Signing' in a block comment",
  "       still a comment */ String label = 'Vendor Signing';",
  '    return new Http().send(req);',
  '  }',
  '}',
].join('\n');

const WSDL_STUB = ['public class OrderServiceStub {', '  public class Port {', "    public String clientCertName_x = 'vendor_signing';", '  }', '}'].join('\n');

async function fixture(): Promise<Record<string, unknown>> {
  const demo = await loadDemoFixture();
  const settings = demo.customSettings as Record<string, unknown>[];
  const objects = demo.customObjects as Record<string, unknown>[];
  return {
    ...demo,
    apexClasses: [
      { name: 'Contoso_Callout', body: CALLOUT_CLASS },
      { name: 'OrderServiceStub', body: WSDL_STUB },
      { name: 'Unrelated', body: "public class Unrelated { String s = 'Partner_Signing'; }" },
      // installed managed code reads as (hidden): it cannot be searched
      { name: 'VaultClient', namespacePrefix: 'secret', body: "public class VaultClient { String c = 'Vendor_Signing'; }" },
    ],
    apexTriggers: [{ name: 'OrderSync', object: 'Order', body: "trigger OrderSync on Order (after insert) {\n  OrderSender.send('Vendor_Signing');\n}" }],
    customSettings: [
      ...settings,
      // a managed package's protected setting: listed by describeGlobal, but its query is refused
      {
        apiName: 'secret__Vault_Options__c',
        label: 'Vault Options',
        access: 'refuses-query',
        fields: [{ name: 'secret__Cert__c', type: 'string' }],
        records: [{ setupOwnerId: '00D000000000001EAA', values: { secret__Cert__c: 'Vendor_Signing' } }],
      },
      // another one that describeGlobal does not even list
      { apiName: 'secret__Hidden_Options__c', label: 'Hidden Options', access: 'hidden', fields: [{ name: 'secret__Cert__c', type: 'string' }] },
    ],
    customObjects: [
      ...objects,
      { apiName: 'Local_Secret__c', label: 'Local Secret', access: 'refuses-describe', fields: [{ name: 'Cert__c', type: 'string' }] },
      {
        apiName: 'Cert_Audit__c',
        label: 'Certificate Audit',
        fields: [
          { name: 'Cert_Formula__c', type: 'string', calculated: true },
          { name: 'Locked_Cert__c', type: 'string', updateable: false },
          { name: 'Other_Formula__c', type: 'string', calculated: true },
        ],
        records: [{ name: 'audit', values: { Cert_Formula__c: 'Vendor_Signing', Locked_Cert__c: 'Vendor Signing', Other_Formula__c: 'Partner_Signing' } }],
      },
    ],
  };
}

const TARGETS: ReferenceTarget[] = [
  { object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'hierarchy-setting' },
  { object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' },
  { object: 'secret__Hidden_Options__c', field: 'secret__Cert__c', kind: 'hierarchy-setting' },
  { object: 'Local_Secret__c', field: 'Cert__c', kind: 'custom-object' },
  { object: 'Cert_Audit__c', field: 'Cert_Formula__c', kind: 'custom-object' },
];

describe('Apex source search', () => {
  it('matches whole literals and identifiers, case-insensitively, never in comments or longer names', () => {
    assert.deepEqual(
      apexMentions(CALLOUT_CLASS, 'Vendor_Signing', 'Vendor Signing').map((m) => m.line),
      [3, 6],
    );
    assert.deepEqual(apexMentions(WSDL_STUB, 'Vendor_Signing', null), [{ line: 3, text: "public String clientCertName_x = 'vendor_signing';" }]);
    assert.deepEqual(apexMentions("String a = Label.Vendor_Signing; String b = 'Vendor_Signing (old)';", 'Vendor_Signing', null).length, 1);
    assert.deepEqual(apexMentions("String s = 'it\\'s Vendor_Signing';", 'Vendor_Signing', null), []);
    const long = `String s = 'Vendor_Signing'; ${'x'.repeat(300)}`;
    assert.equal(apexMentions(long, 'Vendor_Signing', null)[0]?.text.length, 200);
  });
});

describe('jsforce adapter: unswitchable references', () => {
  let demo: DemoOrg;
  let org: SalesforceOrg;

  before(async () => {
    demo = await startDemoOrg({ fixture: await fixture() });
    org = demo.adapter();
  });
  after(async () => {
    await demo?.close();
  });

  it('names Apex code, unreadable settings and read-only fields holding the certificate', async () => {
    const found = await org.findUnswitchableReferences({ uniqueName: 'Vendor_Signing', label: 'Vendor Signing' }, TARGETS);
    assert.deepEqual(
      found.map((u) => [u.kind, u.name, u.field, u.line]),
      [
        ['apex-class', 'Contoso_Callout', null, 3],
        ['apex-class', 'Contoso_Callout', null, 6],
        ['apex-class', 'OrderServiceStub', null, 3],
        ['apex-trigger', 'OrderSync', null, 2],
        ['protected-setting', 'secret__Vault_Options__c', null, null],
        ['protected-setting', 'secret__Hidden_Options__c', null, null],
        ['unreadable-object', 'Local_Secret__c', null, null],
        ['read-only-field', 'Cert_Audit__c', 'Cert_Formula__c', null],
        ['read-only-field', 'Cert_Audit__c', 'Locked_Cert__c', null],
      ],
    );
    assert.equal(found[0]?.detail, "HttpRequest req = new HttpRequest(); req.setClientCertificateName('Vendor_Signing');");
    assert.match(found[4]?.detail ?? '', /INSUFFICIENT_ACCESS/);
    assert.match(found[7]?.detail ?? '', /formula/);
  });

  it('another certificate has its own list; unreadable objects are listed for every certificate', async () => {
    const found = await org.findUnswitchableReferences({ uniqueName: 'Partner_Signing', label: 'Partner Signing' }, TARGETS);
    assert.deepEqual(
      found.map((u) => [u.kind, u.name, u.field]),
      [
        ['apex-class', 'Unrelated', null],
        ['protected-setting', 'secret__Vault_Options__c', null],
        ['protected-setting', 'secret__Hidden_Options__c', null],
        ['unreadable-object', 'Local_Secret__c', null],
        ['read-only-field', 'Cert_Audit__c', 'Other_Formula__c'],
      ],
    );
  });

  it('discovery and search skip what they cannot read or write instead of failing', async () => {
    const discovered = await org.discoverReferenceTargets(['Local_Secret__c', 'Cert_Audit__c']);
    assert.ok(!discovered.some((t) => t.object.startsWith('secret__') || t.object === 'Local_Secret__c' || t.object === 'Cert_Audit__c'));
    assert.ok(discovered.some((t) => t.object === 'csutil__Configurator_Options__c'));
    const refs = await org.findReferences('Vendor_Signing', TARGETS.slice(0, 4));
    assert.deepEqual(refs.filter((r) => r.scope !== 'named-credential').map((r) => r.object), [...Array<string>(3).fill('csam__AsyncMessOptions__c'), 'Integration_Credential__c']);
  });
});
