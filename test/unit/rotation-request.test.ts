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
      references: { discover: true, targets: [], repairLabels: false, acknowledge: [] },
      approval: { approvers: [], timeout: '7 days', timeoutMs: 7 * 86_400_000, mode: 'manual', pollInterval: '1 minute', pollIntervalMs: 60_000 },
      window: { mode: 'on-approval', duration: '2 hours' },
      windowDurationMs: 2 * 3_600_000,
      gracePeriod: '7 days',
      gracePeriodMs: 7 * 86_400_000,
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
    ['a window duration of 20000000 weeks', { org: 'p', certificate: 'A', vendor: 'v', window: { mode: 'on-approval', duration: '20000000 weeks' } }, /window\.duration: at most 31 days/],
    ['a window duration of 32 days', { org: 'p', certificate: 'A', vendor: 'v', window: { mode: 'on-approval', duration: '32 days' } }, /window\.duration: at most 31 days/],
    ['an approval timeout over 90 days', { org: 'p', certificate: 'A', vendor: 'v', approval: { timeout: '91 days' } }, /approval\.timeout: at most 90 days/],
    ['an approval timeout of 20000000 weeks', { org: 'p', certificate: 'A', vendor: 'v', approval: { timeout: '20000000 weeks' } }, /approval\.timeout: at most 90 days/],
    ['a grace period over 90 days', { org: 'p', certificate: 'A', vendor: 'v', gracePeriod: '2161 hours' }, /gracePeriod: at most 90 days/],
    ['a very long duration string', { org: 'p', certificate: 'A', vendor: 'v', gracePeriod: `${'1'.repeat(400)} days` }, /gracePeriod: write a number and a unit/],
    [
      'a fixed window longer than 31 days',
      { org: 'p', certificate: 'A', vendor: 'v', window: { mode: 'fixed', start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:01Z' } },
      /window: a window may last at most 31 days/,
    ],
    ['a non-boolean repairLabels', { org: 'p', certificate: 'A', vendor: 'v', references: { repairLabels: 'yes' } }, /references\.repairLabels/],
  ];
  for (const [what, raw, message] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      assert.throws(
        () => resolveRotationRequest(raw, NOW),
        (error: unknown) => isRotationError(error, 'INVALID_INPUT') && message.test(error.message),
      );
    });
  }

  const atTheLimit: [string, Record<string, unknown>, (input: ReturnType<typeof resolveRotationRequest>) => unknown, unknown][] = [
    ['a 31-day window duration', { window: { mode: 'on-approval', duration: '31 days' } }, (i) => i.windowDurationMs, 31 * 86_400_000],
    ['a 90-day approval timeout', { approval: { timeout: '90 days' } }, (i) => i.approval.timeoutMs, 90 * 86_400_000],
    ['a 90-day grace period', { gracePeriod: '90 days' }, (i) => i.gracePeriodMs, 90 * 86_400_000],
    [
      'a fixed window of exactly 31 days (no duration of its own)',
      { window: { mode: 'fixed', start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:00Z' } },
      (i) => i.windowDurationMs,
      0,
    ],
    ['repairLabels true', { references: { repairLabels: true } }, (i) => i.references.repairLabels, true],
  ];
  for (const [what, extra, read, expected] of atTheLimit) {
    it(`accepts ${what}`, () => {
      const input = resolveRotationRequest({ org: 'p', certificate: 'A', vendor: 'v', ...extra }, NOW);
      assert.deepEqual(read(input), expected);
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
