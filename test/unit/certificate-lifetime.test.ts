/**
 * The lifetime Salesforce gives a certificate it creates: one or two years by key size,
 * capped by the CA/Browser Forum maximum in force on the day it is created.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import { maximumLifetimeDays, salesforceExpiry, salesforceLifetimeDays } from '../../src/domain/certificate-lifetime';
import type { KeySize } from '../../src/domain/certificate';

const DAY_MS = 86_400_000;

describe('salesforceLifetimeDays: key size, capped by the CA/Browser Forum schedule', () => {
  const cases: { name: string; keySize: KeySize; createdAt: string; days: number }[] = [
    { name: '2048 before the first cut: one year', keySize: 2048, createdAt: '2025-06-01T10:00:00Z', days: 365 },
    { name: '3072 lasts one year like 2048', keySize: 3072, createdAt: '2025-06-01T10:00:00Z', days: 365 },
    { name: '4096 before the first cut: two years, capped at 398 days', keySize: 4096, createdAt: '2025-06-01T10:00:00Z', days: 398 },
    { name: 'the last moment before 2026-03-15', keySize: 2048, createdAt: '2026-03-14T23:59:59.999Z', days: 365 },
    { name: '2026-03-15 00:00Z: 200 days', keySize: 2048, createdAt: '2026-03-15T00:00:00Z', days: 200 },
    { name: '4096 in 2026: 200 days', keySize: 4096, createdAt: '2026-12-01T00:00:00Z', days: 200 },
    { name: '2027-03-15: 100 days', keySize: 3072, createdAt: '2027-03-15T00:00:00Z', days: 100 },
    { name: 'just before 2029-03-15: still 100 days', keySize: 4096, createdAt: '2029-03-14T23:59:59Z', days: 100 },
    { name: '2029-03-15: 47 days', keySize: 4096, createdAt: '2029-03-15T00:00:00Z', days: 47 },
    { name: 'long after: 47 days', keySize: 2048, createdAt: '2035-01-01T00:00:00Z', days: 47 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(salesforceLifetimeDays(c.keySize, new Date(c.createdAt)), c.days);
      assert.equal(salesforceExpiry(c.keySize, new Date(c.createdAt)).getTime(), Date.parse(c.createdAt) + c.days * DAY_MS);
    });
  }

  it('the maximum alone, by day of creation', () => {
    assert.deepEqual(
      ['2020-01-01T00:00:00Z', '2026-03-15T00:00:00Z', '2027-03-15T00:00:00Z', '2029-03-15T00:00:00Z'].map((d) => maximumLifetimeDays(new Date(d))),
      [398, 200, 100, 47],
    );
  });

  it('refuses a key size Salesforce does not offer and an invalid date, naming them', () => {
    assert.throws(
      () => salesforceLifetimeDays(1024 as KeySize, new Date('2026-01-01T00:00:00Z')),
      (err: unknown) => isRotationError(err, 'INVALID_INPUT') && /keySize 1024.*2048, 3072 or 4096/.test(err.message),
    );
    assert.throws(() => salesforceLifetimeDays(2048, new Date('nonsense')), (err: unknown) => isRotationError(err, 'INVALID_INPUT') && /createdAt/.test(err.message));
  });
});
