import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PATTERN_LENGTH, matchPattern, patternMatches, patternProblem } from '../../src/domain/certificate-pattern';
import { isRotationError } from '../../src/domain/errors';
import { matchIntegration, parseInventoryConfig } from '../../src/domain/inventory-config';

describe('certificate patterns: glob semantics, matched in bounded steps', () => {
  const cases: [string, string, boolean][] = [
    ['Vendor_*', 'Vendor_Signing', true],
    ['vendor_*', 'VENDOR_SIGNING', true],
    ['Vendor_*', 'Partner_Signing', false],
    ['*_Signing', 'Vendor_Signing', true],
    ['Vendor_?igning', 'Vendor_Signing', true],
    ['Vendor_?igning', 'Vendor_igning', false],
    ['*', 'Anything', true],
    ['V*o*r*', 'Vendor', true],
    ['V*o*r*x', 'Vendor', false],
    ['A*B*C', 'AxxBxxCxxC', true],
    ['*Signing', 'Signing', true],
    ['Vendor*', 'Vendor', true],
  ];
  for (const [pattern, name, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${name}`, () => assert.equal(patternMatches(pattern, name), expected));
  }

  it('a pattern of many wildcards against a long name takes at most len(pattern) × len(name) steps (a RegExp backtracked for hours)', () => {
    const pattern = `${'*a'.repeat(30)}*b`;
    const name = 'a'.repeat(80);
    const { matches, steps } = matchPattern(pattern, name);
    assert.equal(matches, false);
    assert.ok(steps <= pattern.length * name.length, `${steps} steps`);
  });

  it('refuses patterns longer than a Unique Name, with other characters, or without a wildcard', () => {
    assert.match(patternProblem(`${'a'.repeat(MAX_PATTERN_LENGTH)}*`) ?? '', /at most 80 characters/);
    assert.match(patternProblem('Vendor.*') ?? '', /only letters, digits, underscores/);
    assert.match(patternProblem('Vendor_Signing') ?? '', /no wildcard/);
    assert.equal(patternProblem('Vendor_*'), null);
  });

  it('the inventory matches such a pattern at once (the sweep and `certrot expiring` used to hang on it)', () => {
    const config = parseInventoryConfig({
      orgs: { prod: { integrations: [{ certificatePattern: `${'*a'.repeat(30)}*b`, vendor: 'acme', strategy: 'overlap', window: 'Saturdays 02:00-04:00 UTC' }] } },
    });
    assert.equal(matchIntegration(config, 'prod', 'a'.repeat(80)), null);
  });
});

describe('renewal settings are bounded, with the key named', () => {
  const withRenewal = (renewal: Record<string, unknown>) => ({
    orgs: { prod: { integrations: [{ certificate: 'Vendor_Signing', vendor: 'acme', strategy: 'overlap', window: 'Saturdays 02:00-04:00 UTC', renewal }] } },
  });
  for (const [renewal, key] of [
    [{ jitterMaxHours: 1e300 }, 'jitterMaxHours'],
    [{ jitterMaxHours: 169 }, 'jitterMaxHours'],
    [{ renewBeforeDays: 1e9 }, 'renewBeforeDays'],
  ] as const) {
    it(`refuses ${JSON.stringify(renewal)} naming ${key}`, () => {
      assert.throws(
        () => parseInventoryConfig(withRenewal(renewal)),
        (error: unknown) => isRotationError(error) && error.message.includes(key) && /at most/.test(error.message),
      );
    });
  }
  it('accepts a week of jitter', () => {
    assert.doesNotThrow(() => parseInventoryConfig(withRenewal({ jitterMaxHours: 168, renewBeforeDays: 30 })));
  });
});
