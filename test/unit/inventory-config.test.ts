import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import { matchIntegration, parseInventoryConfig } from '../../src/domain/inventory-config';

function config(integrations: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { orgs: { prod: { integrations } }, ...extra };
}

const SIGNING = {
  certificate: 'Vendor_Signing',
  vendor: 'acme',
  strategy: 'simultaneous',
  window: 'Saturdays 02:00-04:00 Europe/London',
};

describe('parseInventoryConfig', () => {
  it('reads a full configuration and parses each window', () => {
    const parsed = parseInventoryConfig({
      orgs: {
        prod: {
          integrations: [
            {
              certificatePattern: 'Vendor_*',
              vendor: 'acme',
              strategy: 'overlap',
              references: { discover: false, targets: [{ object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'hierarchy-setting' }] },
              approvers: ['provisioning@acme.example'],
              window: 'Mon,Wed 22:00-02:00 America/New_York',
              renewal: {
                renewBeforeDays: 30,
                renewBeforePercent: 66.67,
                jitterMaxHours: 12,
                freezePeriods: [{ start: '2027-12-15T00:00:00Z', end: '2028-01-05T00:00:00Z', reason: 'year-end freeze' }],
              },
            },
          ],
        },
        sandbox: { integrations: [SIGNING] },
      },
    });
    const prod = parsed.orgs.prod?.integrations[0];
    assert.equal(prod?.certificatePattern, 'Vendor_*');
    assert.equal(prod?.renewal?.jitterMaxHours, 12);
    assert.deepEqual(prod?.windowPolicy, { days: ['Mon', 'Wed'], start: '22:00', end: '02:00', timeZone: 'America/New_York' });
    assert.deepEqual(parsed.orgs.sandbox?.integrations[0], {
      ...SIGNING,
      windowPolicy: { days: ['Sat'], start: '02:00', end: '04:00', timeZone: 'Europe/London' },
    });
  });

  it('accepts an empty inventory', () => {
    assert.deepEqual(parseInventoryConfig({ orgs: {} }), { orgs: {} });
  });

  const bad: { name: string; raw: unknown; message: RegExp }[] = [
    { name: 'no orgs', raw: {}, message: /^Invalid inventory configuration: orgs: / },
    { name: 'an unknown top-level key', raw: { orgs: {}, org: {} }, message: /: \(config\): Unrecognized key: "org"/ },
    { name: 'an org without integrations', raw: { orgs: { prod: { integrations: [] } } }, message: /orgs\.prod\.integrations: list at least one integration/ },
    {
      name: 'neither certificate nor pattern',
      raw: config([{ vendor: 'acme', strategy: 'overlap', window: 'daily 01:00-03:00 UTC' }]),
      message: /orgs\.prod\.integrations\[0\]: give certificate \(a Unique Name\) or certificatePattern/,
    },
    {
      name: 'both certificate and pattern',
      raw: config([{ ...SIGNING, certificatePattern: 'Vendor_*' }]),
      message: /orgs\.prod\.integrations\[0\]: give certificate or certificatePattern, not both/,
    },
    {
      name: 'a label instead of a Unique Name',
      raw: config([{ ...SIGNING, certificate: 'Vendor Signing' }]),
      message: /orgs\.prod\.integrations\[0\]\.certificate: "Vendor Signing" is not a Salesforce Unique Name/,
    },
    {
      name: 'a pattern without a wildcard',
      raw: config([{ ...SIGNING, certificate: undefined, certificatePattern: 'Vendor_Signing' }]),
      message: /orgs\.prod\.integrations\[0\]\.certificatePattern: "Vendor_Signing" has no wildcard; for one certificate use certificate/,
    },
    {
      name: 'a pattern with other characters',
      raw: config([{ ...SIGNING, certificate: undefined, certificatePattern: 'Vendor.*' }]),
      message: /certificatePattern: "Vendor\.\*" may contain only letters, digits, underscores and the wildcards/,
    },
    {
      name: 'an unknown strategy',
      raw: config([{ ...SIGNING, strategy: 'big-bang' }]),
      message: /orgs\.prod\.integrations\[0\]\.strategy: /,
    },
    {
      name: 'a bad window, with the window parser’s words',
      raw: config([{ ...SIGNING, window: 'Saturdays 02:00-04:00 Europe/Londres' }]),
      message: /orgs\.prod\.integrations\[0\]\.window: Window policy "Saturdays 02:00-04:00 Europe\/Londres": unknown time zone "Europe\/Londres"/,
    },
    {
      name: 'a bad reference target',
      raw: config([{ ...SIGNING, references: { targets: [{ object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'setting' }] } }]),
      message: /orgs\.prod\.integrations\[0\]\.references\.targets\[0\]\.kind: /,
    },
    {
      name: 'renewBeforePercent of 100',
      raw: config([{ ...SIGNING, renewal: { renewBeforePercent: 100 } }]),
      message: /orgs\.prod\.integrations\[0\]\.renewal\.renewBeforePercent: greater than 0 and less than 100/,
    },
    {
      name: 'negative renewBeforeDays',
      raw: config([{ ...SIGNING, renewal: { renewBeforeDays: -5 } }]),
      message: /orgs\.prod\.integrations\[0\]\.renewal\.renewBeforeDays: a number of days ≥ 0/,
    },
    {
      name: 'a misspelt renewal key',
      raw: config([{ ...SIGNING, renewal: { renewBefore: 30 } }]),
      message: /orgs\.prod\.integrations\[0\]\.renewal: Unrecognized key: "renewBefore"/,
    },
    {
      name: 'a freeze that ends before it starts',
      raw: config([{ ...SIGNING, renewal: { freezePeriods: [{ start: '2028-01-05T00:00:00Z', end: '2027-12-15T00:00:00Z', reason: 'year end' }] } }]),
      message: /orgs\.prod\.integrations\[0\]\.renewal\.freezePeriods\[0\]\.end: the freeze must end after it starts/,
    },
    {
      name: 'a freeze with a date only',
      raw: config([{ ...SIGNING, renewal: { freezePeriods: [{ start: '2027-12-15', end: '2028-01-05T00:00:00Z', reason: 'year end' }] } }]),
      message: /renewal\.freezePeriods\[0\]\.start: write an ISO-8601 instant/,
    },
    {
      name: 'the same certificate twice in one org',
      raw: config([SIGNING, { ...SIGNING, vendor: 'other' }]),
      message: /^Invalid inventory configuration: orgs\.prod\.integrations\[1\]: certificate "Vendor_Signing" is already covered by orgs\.prod\.integrations\[0\]$/,
    },
    {
      name: 'the same pattern twice in one org',
      raw: config([
        { ...SIGNING, certificate: undefined, certificatePattern: 'Vendor_*' },
        { ...SIGNING, certificate: undefined, certificatePattern: 'vendor_*' },
      ]),
      message: /orgs\.prod\.integrations\[1\]: certificatePattern "vendor_\*" is already covered by orgs\.prod\.integrations\[0\]/,
    },
  ];

  for (const { name, raw, message } of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => parseInventoryConfig(raw),
        (error) => isRotationError(error, 'CONFIG_INVALID') && message.test(error.message),
      );
    });
  }
});

describe('matchIntegration', () => {
  const inventory = parseInventoryConfig({
    orgs: {
      prod: {
        integrations: [
          { ...SIGNING, certificate: undefined, certificatePattern: 'Vendor_*', vendor: 'any-vendor' },
          { ...SIGNING, certificate: undefined, certificatePattern: 'Vendor_Signing_*', vendor: 'signing-family' },
          { ...SIGNING, vendor: 'exact' },
          { ...SIGNING, certificate: undefined, certificatePattern: 'Acme_??', vendor: 'two-chars' },
        ],
      },
      uat: { integrations: [{ ...SIGNING, vendor: 'uat-exact' }] },
    },
  });

  const cases: { org: string; name: string; vendor: string | null }[] = [
    { org: 'prod', name: 'Vendor_Signing', vendor: 'exact' }, // exact beats both patterns, though listed after them
    { org: 'prod', name: 'vendor_signing', vendor: 'exact' }, // Unique Names are case-insensitive in Salesforce
    { org: 'prod', name: 'Vendor_Signing_2027_01_10', vendor: 'signing-family' }, // the more specific pattern
    { org: 'prod', name: 'Vendor_Encryption', vendor: 'any-vendor' },
    { org: 'prod', name: 'Acme_01', vendor: 'two-chars' },
    { org: 'prod', name: 'Acme_001', vendor: null }, // ? is exactly one character
    { org: 'prod', name: 'Other_Cert', vendor: null },
    { org: 'prod', name: 'My_Vendor_Signing', vendor: null }, // patterns are anchored
    { org: 'uat', name: 'Vendor_Signing', vendor: 'uat-exact' },
    { org: 'uat', name: 'Vendor_Encryption', vendor: null },
    { org: 'dev', name: 'Vendor_Signing', vendor: null }, // an org not in the inventory
  ];

  for (const { org, name, vendor } of cases) {
    it(`${org}/${name} -> ${vendor ?? 'nothing'}`, () => {
      assert.equal(matchIntegration(inventory, org, name)?.vendor ?? null, vendor);
    });
  }

  it('refuses to guess between two equally specific patterns', () => {
    const ambiguous = parseInventoryConfig(
      config([
        { ...SIGNING, certificate: undefined, certificatePattern: 'Vendor_*' },
        { ...SIGNING, certificate: undefined, certificatePattern: '*Signing' },
      ]),
    );
    assert.equal(matchIntegration(ambiguous, 'prod', 'Vendor_Encryption')?.certificatePattern, 'Vendor_*');
    assert.throws(
      () => matchIntegration(ambiguous, 'prod', 'Vendor_Signing'),
      (error) =>
        isRotationError(error, 'CONFIG_INVALID') &&
        /orgs\.prod\.integrations\[0\] \("Vendor_\*"\) and orgs\.prod\.integrations\[1\] \("\*Signing"\) both match "Vendor_Signing" equally/.test(error.message),
    );
  });
});
