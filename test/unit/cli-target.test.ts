import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { parseTarget } from '../../src/cli/commands/rotation';

describe('certrot rotate --target', () => {
  it('takes each kind of place a certificate name is kept, Custom Metadata included', () => {
    assert.deepEqual(parseTarget('csam__AsyncMessOptions__c.csam__Certificate__c'), [{ object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'hierarchy-setting' }]);
    assert.deepEqual(parseTarget('Integration_Credential__c.Certificate_Name__c:custom-object'), [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }]);
    assert.deepEqual(parseTarget('Vendor_Endpoint__mdt.Certificate__c:custom-metadata'), [{ object: 'Vendor_Endpoint__mdt', field: 'Certificate__c', kind: 'custom-metadata' }]);
    assert.deepEqual(parseTarget('Vendor_Endpoint__mdt.Certificate__c'), [{ object: 'Vendor_Endpoint__mdt', field: 'Certificate__c', kind: 'custom-metadata' }], 'a __mdt object is Custom Metadata');
    assert.equal(parseTarget('B__c.F__c', parseTarget('A__c.F__c')).length, 2, 'repeatable');
  });

  it('refuses anything else, naming the form and the kinds', () => {
    assert.throws(() => parseTarget('Vendor_Endpoint__mdt.Certificate__c:metadata'), (e) => e instanceof InvalidArgumentError && /OBJECT\.FIELD\[:hierarchy-setting\|custom-object\|custom-metadata\]/.test(e.message));
    assert.throws(() => parseTarget('no-dot'), InvalidArgumentError);
  });
});
