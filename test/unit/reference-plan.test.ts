import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reference, ReferenceChange } from '../../src/domain/reference';
import { forwardChanges, labelProblem, reverseChanges } from '../../src/domain/reference-plan';

const OLD = 'Vendor_Signing';
const NEW = 'Vendor_Signing_2026_12_01';
const LABEL = 'Vendor Signing';

const ORG_DEFAULT: Reference = {
  object: 'csam__AsyncMessOptions__c',
  field: 'csam__Certificate__c',
  recordId: 'a0B000000000001AAA',
  scope: 'org-default',
  owner: null,
  value: OLD,
  matchedBy: 'unique-name',
};
const PROFILE_BY_LABEL: Reference = {
  object: 'csam__AsyncMessOptions__c',
  field: 'csam__Certificate__c',
  recordId: 'a0B000000000002AAA',
  scope: 'profile',
  owner: 'Integration User',
  value: LABEL,
  matchedBy: 'label',
};
const RECORD_BY_LABEL: Reference = {
  object: 'Vendor_Endpoint__c',
  field: 'Signing_Certificate__c',
  recordId: 'a0C000000000003AAA',
  scope: 'record',
  owner: 'Acme',
  value: LABEL,
  matchedBy: 'label',
};

describe('labelProblem', () => {
  const cases: { name: string; references: Reference[]; repairLabels: boolean; expected: null | RegExp[] }[] = [
    { name: 'no references', references: [], repairLabels: false, expected: null },
    { name: 'every reference by Unique Name', references: [ORG_DEFAULT], repairLabels: false, expected: null },
    {
      name: 'one reference by label',
      references: [ORG_DEFAULT, PROFILE_BY_LABEL],
      repairLabels: false,
      expected: [
        /^1 reference\(s\) hold the label "Vendor Signing" instead of the Unique Name Vendor_Signing: /,
        /csam__AsyncMessOptions__c\.csam__Certificate__c on a0B000000000002AAA \(profile Integration User\)/,
        /references\.repairLabels true/,
        /a rollback then writes the old Unique Name, not the label/,
      ],
    },
    {
      name: 'two references by label name both records, and not the one by Unique Name',
      references: [PROFILE_BY_LABEL, ORG_DEFAULT, RECORD_BY_LABEL],
      repairLabels: false,
      expected: [
        /^2 reference\(s\) hold the label/,
        /on a0B000000000002AAA \(profile Integration User\); Vendor_Endpoint__c\.Signing_Certificate__c on a0C000000000003AAA \(record Acme\)\./,
        /^(?!.*a0B000000000001AAA)/,
      ],
    },
    { name: 'references by label, repair asked for', references: [ORG_DEFAULT, PROFILE_BY_LABEL, RECORD_BY_LABEL], repairLabels: true, expected: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problem = labelProblem(c.references, c.repairLabels, OLD);
      if (c.expected === null) {
        assert.equal(problem, null);
      } else {
        assert.equal(typeof problem, 'string');
        for (const pattern of c.expected) assert.match(problem ?? '', pattern);
      }
    });
  }
});

describe('forwardChanges and reverseChanges', () => {
  const cases: { name: string; references: Reference[] }[] = [
    { name: 'no references', references: [] },
    { name: 'one by Unique Name', references: [ORG_DEFAULT] },
    { name: 'by Unique Name and, repaired, by label', references: [ORG_DEFAULT, PROFILE_BY_LABEL, RECORD_BY_LABEL] },
  ];
  for (const c of cases) {
    it(`${c.name}: forward compares with what each record holds and writes the new name`, () => {
      const forward = forwardChanges(c.references, NEW);
      assert.deepEqual(
        forward,
        c.references.map((r): ReferenceChange => ({
          object: r.object,
          field: r.field,
          recordId: r.recordId,
          scope: r.scope,
          owner: r.owner,
          expected: r.value,
          value: NEW,
        })),
      );
    });

    it(`${c.name}: reverse expects the new name and writes the old Unique Name, never the label`, () => {
      const reverse = reverseChanges(forwardChanges(c.references, NEW), OLD);
      assert.equal(reverse.length, c.references.length);
      for (const [i, change] of reverse.entries()) {
        const r = c.references[i];
        assert.ok(r);
        assert.deepEqual(change, { object: r.object, field: r.field, recordId: r.recordId, scope: r.scope, owner: r.owner, expected: NEW, value: OLD });
        assert.notEqual(change.value, LABEL);
      }
    });
  }

  it('reverses only the changes given (the ones applied)', () => {
    const applied = forwardChanges([PROFILE_BY_LABEL], NEW);
    assert.deepEqual(
      reverseChanges(applied, OLD).map((c) => [c.recordId, c.expected, c.value]),
      [['a0B000000000002AAA', NEW, OLD]],
    );
  });

  it('does not change the changes it is given', () => {
    const applied = forwardChanges([ORG_DEFAULT], NEW);
    const copy = structuredClone(applied);
    reverseChanges(applied, OLD);
    assert.deepEqual(applied, copy);
  });
});
