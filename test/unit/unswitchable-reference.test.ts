import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acknowledgementKey,
  describeUnswitchable,
  fixFor,
  unacknowledged,
  unswitchableProblem,
  type UnswitchableReference,
} from '../../src/domain/unswitchable-reference';

const APEX: UnswitchableReference = { kind: 'apex-class', name: 'Contoso_Callout', field: null, line: 12, detail: "req.setClientCertificateName('Vendor_Signing');" };
const TRIGGER: UnswitchableReference = { kind: 'apex-trigger', name: 'SyncOrders', field: null, line: 3, detail: "String cert = 'Vendor_Signing';" };
const PROTECTED: UnswitchableReference = { kind: 'protected-setting', name: 'csam__Secret_Options__c', field: null, line: null, detail: 'protected by package csam' };
const FORMULA: UnswitchableReference = { kind: 'read-only-field', name: 'Integration__c', field: 'Cert_Formula__c', line: null, detail: 'formula field' };

describe('places certrot cannot switch: refused unless acknowledged, each named with its fix', () => {
  it('keys leave out line numbers (they move with every edit) and name the field of a read-only one', () => {
    assert.equal(acknowledgementKey(APEX), 'apex-class:Contoso_Callout');
    assert.equal(acknowledgementKey(FORMULA), 'read-only-field:Integration__c.Cert_Formula__c');
    assert.equal(describeUnswitchable(APEX), 'ApexClass Contoso_Callout line 12');
    assert.equal(describeUnswitchable(TRIGGER), 'ApexTrigger SyncOrders line 3');
  });

  it('refuses with every place, its fix and the exact acknowledgement to pass', () => {
    const problem = unswitchableProblem([APEX, PROTECTED, FORMULA], [], 'Vendor_Signing') ?? '';
    assert.match(problem, /^UNSWITCHABLE_REFERENCES: 3 place\(s\) name Vendor_Signing/);
    assert.match(problem, /ApexClass Contoso_Callout line 12: req\.setClientCertificateName/);
    assert.match(problem, /csam__Secret_Options__c \(protected custom setting\)/);
    assert.match(problem, /Nothing was changed/);
    assert.match(problem, /--acknowledge apex-class:Contoso_Callout --acknowledge protected-setting:csam__Secret_Options__c/);
  });

  it('an acknowledgement covers its place only, compared case-insensitively; a new class is not acknowledged by an old list', () => {
    assert.equal(unswitchableProblem([APEX], ['APEX-CLASS:contoso_callout'], 'Vendor_Signing'), null);
    assert.deepEqual(unacknowledged([APEX, TRIGGER], ['apex-class:Contoso_Callout']), [TRIGGER]);
    assert.match(unswitchableProblem([APEX, TRIGGER], ['apex-class:Contoso_Callout'], 'Vendor_Signing') ?? '', /1 place\(s\).*ApexTrigger SyncOrders/);
  });

  it('lists at most 20 places and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i): UnswitchableReference => ({ ...APEX, name: `Class_${i}` }));
    const problem = unswitchableProblem(many, [], 'Vendor_Signing') ?? '';
    assert.match(problem, /and 5 more/);
    assert.ok(!problem.includes('Class_20 line'), 'the 21st is not spelled out');
  });

  it('says what to do, naming both certificates', () => {
    assert.match(fixFor(APEX, 'Vendor_Signing', 'Vendor_Signing_2026_12_02'), /change ApexClass Contoso_Callout line 12 from 'Vendor_Signing' to 'Vendor_Signing_2026_12_02' and deploy it/);
    assert.match(fixFor(PROTECTED, 'A', 'B'), /managed package's own setup/);
  });
});
