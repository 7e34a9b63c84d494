import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveNewUniqueName, replacementUniqueName, uniqueNameProblem } from '../../src/domain/certificate-names';

const ON = new Date('2026-12-01T15:30:00Z');

describe('replacementUniqueName', () => {
  const cases: { name: string; current: string; expected: string }[] = [
    { name: 'a plain name gets the date', current: 'Vendor_Signing', expected: 'Vendor_Signing_2026_12_01' },
    { name: 'an older date is replaced', current: 'Vendor_Signing_2025_12_01', expected: 'Vendor_Signing_2026_12_01' },
    { name: 'a later date is replaced too', current: 'Vendor_Signing_2027_01_01', expected: 'Vendor_Signing_2026_12_01' },
    { name: 'a name carrying today\'s date', current: 'X_2026_12_01', expected: 'X_2026_12_01_2' },
    { name: 'a name carrying today\'s date in lower case', current: 'x_2026_12_01', expected: 'x_2026_12_01_2' },
    { name: 'the same, in upper case', current: 'VENDOR_SIGNING_2026_12_01', expected: 'VENDOR_SIGNING_2026_12_01_2' },
    { name: 'the second rotation of the day', current: 'X_2026_12_01_2', expected: 'X_2026_12_01_2_2026_12_01' },
    { name: 'an 80-character name gets the date within 80', current: 'A'.repeat(80), expected: `${'A'.repeat(69)}_2026_12_01` },
    { name: 'an 80-character name carrying today\'s date', current: `${'A'.repeat(69)}_2026_12_01`, expected: `${'A'.repeat(67)}_2026_12_01_2` },
    { name: 'a 79-character name carrying today\'s date', current: `${'A'.repeat(68)}_2026_12_01`, expected: `${'A'.repeat(67)}_2026_12_01_2` },
    { name: 'a 78-character name carrying today\'s date', current: `${'A'.repeat(67)}_2026_12_01`, expected: `${'A'.repeat(67)}_2026_12_01_2` },
    { name: 'shortening that would end in an underscore', current: `${'A'.repeat(66)}_BC_2026_12_01`, expected: `${'A'.repeat(66)}_2026_12_01_2` },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const next = replacementUniqueName(c.current, ON);
      assert.equal(next, c.expected);
      assert.notEqual(next.toLowerCase(), c.current.toLowerCase(), 'the replacement is the certificate being replaced');
      assert.equal(uniqueNameProblem(next), null, `${next} is not a Unique Name`);
    });
  }

  it('never yields the current name, nor an invalid one, for generated names and dates', () => {
    const dates = ['2026-12-01T00:00:00Z', '2026-12-01T23:59:59Z', '2027-02-28T12:00:00Z', '2030-01-09T08:00:00Z'].map((d) => new Date(d));
    for (const on of dates) {
      const today = deriveNewUniqueName('X', on).slice(1);
      for (const length of [1, 2, 10, 40, 66, 67, 68, 69, 70]) {
        for (const base of [`V${'a'.repeat(length - 1)}`, `V${'_b'.repeat(Math.floor((length - 1) / 2))}`]) {
          for (const current of [base, `${base}${today}`, `${base}${today}`.toUpperCase(), `${base}_2020_01_01`]) {
            if (uniqueNameProblem(current) !== null) continue;
            const next = replacementUniqueName(current, on);
            assert.notEqual(next.toLowerCase(), current.toLowerCase(), current);
            assert.equal(uniqueNameProblem(next), null, `${current} -> ${next}`);
          }
        }
      }
    }
  });
});
