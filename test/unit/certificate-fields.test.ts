/**
 * Which fields hold a certificate name by nature (every value of theirs is a reference), and
 * which values can be a name at all: src/salesforce/certificate-fields.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asCertificateName, isCertificateField } from '../../src/salesforce/certificate-fields';

describe('certificate fields', () => {
  const scenarios: { name: string; apiName: string; label: string | null; declared?: boolean; is: boolean }[] = [
    { name: 'a managed setting\'s certificate field', apiName: 'csam__Certificate__c', label: 'Certificate', is: true },
    { name: 'words joined by underscores', apiName: 'csutil__Signing_Certificate__c', label: 'Signing Certificate', is: true },
    { name: 'camel case', apiName: 'ClientCertificate__c', label: null, is: true },
    { name: 'the short form, without a namespace', apiName: 'Cert__c', label: null, is: true },
    { name: 'a Unique Name field of a credential record', apiName: 'Certificate_Name__c', label: 'Certificate Name', is: true },
    { name: 'said by the label only', apiName: 'acme__Mtls__c', label: 'mTLS client cert', is: true },
    { name: 'a field that is not about certificates', apiName: 'acme__Region__c', label: 'Region', is: false },
    { name: 'a value "Certificate" is no reason: the field is a type', apiName: 'Credential_Type__c', label: 'Credential Type', is: false },
    { name: 'a word merely starting with cert', apiName: 'Certified_Partner__c', label: 'Certified partner', is: false },
    { name: 'a certificate\'s password (a secret)', apiName: 'Client_Cert_Password__c', label: 'Client cert password', is: false },
    { name: 'a certificate\'s content (key material)', apiName: 'Cert_Base64__c', label: 'Certificate (base64 PKCS#12)', is: false },
    { name: 'a certificate\'s expiry', apiName: 'Certificate_Expiration__c', label: 'Certificate expiration', is: false },
    { name: 'a configured target holds names whatever it is called', apiName: 'acme__Signer__c', label: 'Signer', declared: true, is: true },
    { name: 'but never one named for a secret', apiName: 'acme__Signer_Key__c', label: 'Signer key', declared: true, is: false },
  ];
  for (const s of scenarios) {
    it(s.name, () => assert.equal(isCertificateField(s.apiName, s.label, s.declared), s.is));
  }

  it('takes a value as a name only when it can be one', () => {
    assert.equal(asCertificateName('  Vendor_Signing_Prod '), 'Vendor_Signing_Prod');
    assert.equal(asCertificateName('Vendor Signing Prod'), 'Vendor Signing Prod', 'a label naming no certificate is a reference too');
    for (const notAName of [null, '', '   ', 'MIIC\nAAAA', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'x'.repeat(81)]) {
      assert.equal(asCertificateName(notAName), null, String(notAName));
    }
  });
});
