import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLIENT_CERTIFICATE_PARAMETER,
  certificatePlaces,
  planSwitch,
  valueAt,
  type NamedCredentialPlace,
  type ReadNamedCredential,
} from '../../src/salesforce/named-credential-places';

/** A component as jsforce 3.10.16 reads it: known fields typed, '' invented for missing required ones, parameters untyped. */
const current: ReadNamedCredential = (() => {
  const parameters = [
    { parameterName: 'Url', parameterType: 'Url', parameterValue: 'https://orders.vendor.example' },
    { externalCredential: 'Orders_Auth', parameterName: 'ExternalCredential', parameterType: 'Authentication' },
    { certificate: 'Vendor_Signing', parameterName: 'ClientCertificate', parameterType: 'ClientCertificate' },
    { parameterName: 'X-Tenant', parameterType: 'HttpHeader', parameterValue: "'acme'", sequenceNumber: '1', description: { $: { 'xsi:nil': 'true' } } },
  ];
  return {
    fullName: 'Orders_Current',
    label: 'Orders',
    type: 'SecuredEndpoint',
    protocol: null,
    certificate: null,
    jwtSigningCertificate: null,
    parameters,
    raw: {
      fullName: 'Orders_Current',
      allowMergeFieldsInBody: false,
      calloutStatus: 'Enabled',
      generateAuthorizationHeader: true,
      label: 'Orders',
      namedCredentialParameters: parameters,
      namedCredentialType: 'SecuredEndpoint',
      principalType: '',
      protocol: '',
    },
  };
})();

function legacy(protocol: string, over: Partial<ReadNamedCredential> = {}): ReadNamedCredential {
  const raw = { fullName: 'Legacy', certificate: 'Vendor_Signing', endpoint: 'https://x.example', jwtSigningCertificate: 'Vendor_Signing', label: 'Legacy', namedCredentialType: 'Legacy', principalType: 'NamedUser', protocol };
  return { fullName: 'Legacy', label: 'Legacy', type: 'Legacy', protocol, certificate: 'Vendor_Signing', jwtSigningCertificate: 'Vendor_Signing', parameters: [], raw, ...over };
}

const change = (field: NamedCredentialPlace, expected = 'Vendor_Signing', value = 'Partner_Signing') => ({ field, expected, value });

describe('named credential places', () => {
  it('finds the client certificate parameter of the current model, and only that', () => {
    assert.deepEqual(certificatePlaces(current), [{ field: CLIENT_CERTIFICATE_PARAMETER, value: 'Vendor_Signing' }]);
    // a top-level certificate is not valid in the current model
    assert.equal(valueAt({ ...current, certificate: 'Stale' }, 'certificate'), null);
  });

  it('finds certificate and jwtSigningCertificate of a legacy one (no type given: legacy)', () => {
    assert.deepEqual(certificatePlaces(legacy('Jwt', { type: null })), [
      { field: 'certificate', value: 'Vendor_Signing' },
      { field: 'jwtSigningCertificate', value: 'Vendor_Signing' },
    ]);
    assert.equal(valueAt(legacy('Jwt'), CLIENT_CERTIFICATE_PARAMETER), null);
  });
});

describe('planSwitch: compare-and-set on one place', () => {
  it('builds the whole component back, in the order read, one value changed, nothing invented', () => {
    const plan = planSwitch(current, change(CLIENT_CERTIFICATE_PARAMETER));
    assert.equal(plan.kind, 'update');
    if (plan.kind !== 'update') return;
    assert.deepEqual(Object.keys(plan.component), ['fullName', 'allowMergeFieldsInBody', 'calloutStatus', 'generateAuthorizationHeader', 'label', 'namedCredentialParameters', 'namedCredentialType']);
    assert.deepEqual(plan.component.namedCredentialParameters, [
      { parameterName: 'Url', parameterType: 'Url', parameterValue: 'https://orders.vendor.example' },
      { externalCredential: 'Orders_Auth', parameterName: 'ExternalCredential', parameterType: 'Authentication' },
      { certificate: 'Partner_Signing', parameterName: 'ClientCertificate', parameterType: 'ClientCertificate' },
      { parameterName: 'X-Tenant', parameterType: 'HttpHeader', parameterValue: "'acme'", sequenceNumber: '1' },
    ]);
  });

  it('is done when the place already holds the new value (a lost answer), a conflict when it holds another', () => {
    assert.deepEqual(planSwitch(current, change(CLIENT_CERTIFICATE_PARAMETER, 'Old', 'Vendor_Signing')), { kind: 'done' });
    assert.deepEqual(planSwitch(current, change(CLIENT_CERTIFICATE_PARAMETER, 'Other_Cert')), { kind: 'conflict', actual: 'Vendor_Signing' });
    assert.deepEqual(planSwitch(null, change('certificate')), { kind: 'conflict', actual: null });
    assert.deepEqual(planSwitch(current, change('certificate')), { kind: 'conflict', actual: null });
  });

  it('switches a legacy one only when its protocol keeps no secret in the component', () => {
    for (const protocol of ['NoAuthentication', 'Jwt', 'JwtExchange']) {
      const plan = planSwitch(legacy(protocol), change('jwtSigningCertificate'));
      assert.equal(plan.kind, 'update', protocol);
      if (plan.kind === 'update') assert.equal(plan.component.jwtSigningCertificate, 'Partner_Signing');
    }
    for (const protocol of ['Password', 'Oauth', 'AwsSv4', 'SomethingNew']) {
      const plan = planSwitch(legacy(protocol), change('certificate'));
      assert.equal(plan.kind, 'refused', protocol);
      if (plan.kind === 'refused') assert.match(plan.reason, /Setup > Named Credentials > Legacy/);
    }
    assert.equal(planSwitch(legacy('Jwt', { type: 'SomeFutureType' }), change('certificate')).kind, 'refused');
  });
});
