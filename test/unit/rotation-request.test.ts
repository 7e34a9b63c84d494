import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deriveNewLabel,
  deriveNewUniqueName,
  formatDuration,
  isRotationError,
  normalizeFingerprint,
  parseDuration,
  resolveRotationRequest,
  windowFor,
} from '../../src/domain';

const NOW = new Date('2026-11-25T10:00:00Z');
const FP = 'ab'.repeat(32);

describe('rotation request validation', () => {
  it('fills every default from org, certificate and vendor alone', () => {
    const input = resolveRotationRequest({ org: 'prod', certificate: 'Vendor_Signing', vendor: 'acme' }, NOW);
    assert.deepEqual(input, {
      org: 'prod',
      certificate: 'Vendor_Signing',
      vendor: 'acme',
      newUniqueName: null,
      newLabel: null,
      keySize: 2048,
      caSigned: false,
      strategy: 'simultaneous',
      references: { discover: true, targets: [] },
      approval: { approvers: [], timeout: '7 days' },
      window: { mode: 'on-approval', duration: '2 hours' },
      gracePeriod: '7 days',
      verification: { signature: true, calloutUrl: null },
    });
  });

  it('does not discover by default when targets are given', () => {
    const input = resolveRotationRequest(
      {
        org: 'prod',
        certificate: 'Vendor_Signing',
        vendor: 'acme',
        references: { targets: [{ object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'hierarchy-setting' }] },
      },
      NOW,
    );
    assert.equal(input.references.discover, false);
  });

  const bad: [string, unknown, RegExp][] = [
    ['a label instead of a Unique Name', { org: 'p', certificate: 'Vendor Signing', vendor: 'v' }, /certificate: "Vendor Signing" is not a Salesforce Unique Name/],
    ['a misspelt field', { org: 'p', certificate: 'A', vendor: 'v', stratgy: 'overlap' }, /stratgy/],
    ['an unknown strategy', { org: 'p', certificate: 'A', vendor: 'v', strategy: 'yolo' }, /strategy/],
    ['a key size Salesforce does not offer', { org: 'p', certificate: 'A', vendor: 'v', keySize: 1024 }, /keySize/],
    ['a duration without a unit', { org: 'p', certificate: 'A', vendor: 'v', gracePeriod: '7' }, /gracePeriod: write a number and a unit/],
    ['a window in the past', { org: 'p', certificate: 'A', vendor: 'v', window: { mode: 'fixed', start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' } }, /window: it ended at/],
    ['a window without a time', { org: 'p', certificate: 'A', vendor: 'v', window: { mode: 'fixed', start: '2026-12-01', end: '2026-12-02' } }, /window.start: write an ISO-8601 instant/],
    ['the same new name as the old', { org: 'p', certificate: 'A', vendor: 'v', newUniqueName: 'A' }, /newUniqueName: must differ/],
    ['a plain-http callout probe', { org: 'p', certificate: 'A', vendor: 'v', verification: { calloutUrl: 'http://x.example' } }, /verification.calloutUrl/],
    ['no org', { certificate: 'A', vendor: 'v' }, /org/],
  ];
  for (const [what, raw, message] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      assert.throws(
        () => resolveRotationRequest(raw, NOW),
        (error: unknown) => isRotationError(error, 'INVALID_INPUT') && message.test(error.message),
      );
    });
  }

  it('derives the window from the approval time or takes the fixed/proposed one', () => {
    const onApproval = resolveRotationRequest({ org: 'p', certificate: 'A', vendor: 'v' }, NOW);
    assert.deepEqual(windowFor(onApproval, NOW), { start: '2026-11-25T10:00:00.000Z', end: '2026-11-25T12:00:00.000Z' });
    const proposed = { start: '2026-11-28T02:00:00Z', end: '2026-11-28T04:00:00Z' };
    assert.deepEqual(windowFor(onApproval, NOW, proposed), proposed);
  });
});

describe('names, durations and fingerprints', () => {
  it('derives the new Unique Name and label from the old plus the date, replacing an old date', () => {
    assert.equal(deriveNewUniqueName('Vendor_Signing', NOW), 'Vendor_Signing_2026_11_25');
    assert.equal(deriveNewUniqueName('Vendor_Signing_2025_11_20', NOW), 'Vendor_Signing_2026_11_25');
    assert.equal(deriveNewUniqueName('A'.repeat(80), NOW).length, 80);
    assert.equal(deriveNewLabel('Vendor Signing 2025-11-20', NOW), 'Vendor Signing 2026-11-25');
  });

  it('parses and formats durations', () => {
    assert.equal(parseDuration('7 days', 'x'), 7 * 86_400_000);
    assert.equal(parseDuration('90 minutes', 'x'), 5_400_000);
    assert.equal(parseDuration('2w', 'x'), 14 * 86_400_000);
    assert.throws(() => parseDuration('soon', 'gracePeriod'), /gracePeriod: "soon" is not a duration/);
    assert.equal(formatDuration(93_784_000), '1d 2h');
    assert.equal(formatDuration(250), '250 ms');
  });

  it('normalises fingerprints however they are pasted', () => {
    const canonical = Array(32).fill('AB').join(':');
    assert.equal(normalizeFingerprint(FP), canonical);
    assert.equal(normalizeFingerprint(`SHA256:${canonical.toLowerCase()}`), canonical);
    assert.throws(() => normalizeFingerprint('abc', 'fingerprint'), /fingerprint: "abc" is not a SHA-256 fingerprint/);
  });
});
