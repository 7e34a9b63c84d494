import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { salesforceExpiry } from '../../../src/domain/certificate-lifetime';
import { isRotationError } from '../../../src/domain/errors';
import { evaluateRenewal, type RenewalDecision } from '../../../src/domain/renewal/decision';
import { certificateJitterFraction } from '../../../src/domain/renewal/jitter';
import type { RenewalPolicy } from '../../../src/domain/renewal/policy';
import { renewalTime, type RenewalCertificate } from '../../../src/domain/renewal/renewal-time';

/** Issued 2026-01-01, valid 365 days. Two thirds of 365 days = 243 days 8 hours. */
const ONE_YEAR: RenewalCertificate = { uniqueName: 'Vendor_Signing', notBefore: '2026-01-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' };
/** Issued 2026-01-01, valid 730 days. Two thirds = 486 days 16 hours. */
const TWO_YEARS: RenewalCertificate = { uniqueName: 'Vendor_Signing', notBefore: '2026-01-01T00:00:00Z', expiresAt: '2028-01-01T00:00:00Z' };
const YEAR_END: RenewalPolicy['freezePeriods'] = [
  { start: '2026-12-15T00:00:00Z', end: '2027-01-05T00:00:00Z', reason: 'year-end freeze' },
];

function at(iso: string): Date {
  return new Date(iso);
}

describe('evaluateRenewal: when a certificate renews', () => {
  const cases: {
    name: string;
    cert: RenewalCertificate;
    policy: RenewalPolicy;
    now: string;
    expected: RenewalDecision;
  }[] = [
    {
      name: '1-year certificate, before two thirds',
      cert: ONE_YEAR,
      policy: {},
      now: '2026-08-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason: 'renews at 2026-09-01T08:00:00.000Z (two thirds of its 365-day lifetime)',
        daysLeft: 153,
        expired: false,
      },
    },
    {
      name: '1-year certificate, one millisecond before two thirds',
      cert: ONE_YEAR,
      policy: {},
      now: '2026-09-01T07:59:59.999Z',
      expected: {
        due: false,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason: 'renews at 2026-09-01T08:00:00.000Z (two thirds of its 365-day lifetime)',
        daysLeft: 121,
        expired: false,
      },
    },
    {
      name: '1-year certificate, exactly at two thirds',
      cert: ONE_YEAR,
      policy: {},
      now: '2026-09-01T08:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason: 'due: two thirds of its 365-day lifetime passed at 2026-09-01T08:00:00.000Z',
        daysLeft: 121,
        expired: false,
      },
    },
    {
      name: '2-year certificate, before two thirds',
      cert: TWO_YEARS,
      policy: {},
      now: '2027-01-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2027-05-02T16:00:00.000Z',
        reason: 'renews at 2027-05-02T16:00:00.000Z (two thirds of its 730-day lifetime)',
        daysLeft: 365,
        expired: false,
      },
    },
    {
      name: '2-year certificate, after two thirds',
      cert: TWO_YEARS,
      policy: {},
      now: '2027-06-01T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2027-05-02T16:00:00.000Z',
        reason: 'due: two thirds of its 730-day lifetime passed at 2027-05-02T16:00:00.000Z',
        daysLeft: 214,
        expired: false,
      },
    },
    {
      name: 'an explicit percentage',
      cert: ONE_YEAR,
      policy: { renewBeforePercent: 50 },
      now: '2026-06-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-07-02T12:00:00.000Z',
        reason: 'renews at 2026-07-02T12:00:00.000Z (50% of its 365-day lifetime)',
        daysLeft: 214,
        expired: false,
      },
    },
    {
      name: 'renewBeforeDays earlier than two thirds dominates',
      cert: ONE_YEAR,
      policy: { renewBeforeDays: 150, renewBeforePercent: 66.67 },
      now: '2026-08-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-08-04T00:00:00.000Z',
        reason: 'renews at 2026-08-04T00:00:00.000Z (150 days before expiry)',
        daysLeft: 153,
        expired: false,
      },
    },
    {
      name: 'renewBeforeDays dominating, due',
      cert: ONE_YEAR,
      policy: { renewBeforeDays: 150, renewBeforePercent: 66.67 },
      now: '2026-08-05T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-08-04T00:00:00.000Z',
        reason: 'due: 149 days left ≤ renewBeforeDays 150',
        daysLeft: 149,
        expired: false,
      },
    },
    {
      name: 'both given, the percentage earlier',
      cert: ONE_YEAR,
      policy: { renewBeforeDays: 30, renewBeforePercent: 50 },
      now: '2026-06-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-07-02T12:00:00.000Z',
        reason: 'renews at 2026-07-02T12:00:00.000Z (50% of its 365-day lifetime)',
        daysLeft: 214,
        expired: false,
      },
    },
    {
      name: 'renewBeforeDays alone is not overridden by the two-thirds default',
      cert: ONE_YEAR,
      policy: { renewBeforeDays: 30 },
      now: '2026-12-03T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-12-02T00:00:00.000Z',
        reason: 'due: 29 days left ≤ renewBeforeDays 30',
        daysLeft: 29,
        expired: false,
      },
    },
    {
      name: 'renewBeforeDays longer than the lifetime is ignored (else every new certificate is due at once)',
      cert: ONE_YEAR,
      policy: { renewBeforeDays: 400 },
      now: '2026-08-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason: 'renews at 2026-09-01T08:00:00.000Z (two thirds of its 365-day lifetime; renewBeforeDays 400 ignored: it covers the whole lifetime)',
        daysLeft: 153,
        expired: false,
      },
    },
    {
      name: 'notBefore unknown, renewBeforeDays given',
      cert: { ...ONE_YEAR, notBefore: null },
      policy: { renewBeforeDays: 45 },
      now: '2026-11-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-11-17T00:00:00.000Z',
        reason: 'renews at 2026-11-17T00:00:00.000Z (45 days before expiry)',
        daysLeft: 61,
        expired: false,
      },
    },
    {
      name: 'notBefore unknown, nothing given: 30 days as the fallback',
      cert: { ...ONE_YEAR, notBefore: null },
      policy: {},
      now: '2026-12-03T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-12-02T00:00:00.000Z',
        reason: 'due: 29 days left ≤ 30 days (the fallback: notBefore is unknown, so the lifetime rule cannot apply)',
        daysLeft: 29,
        expired: false,
      },
    },
    {
      name: 'expired',
      cert: ONE_YEAR,
      policy: {},
      now: '2027-01-04T12:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason: 'expired 3 days ago — rotate now',
        daysLeft: -3,
        expired: true,
      },
    },
    {
      name: 'expired this very instant',
      cert: ONE_YEAR,
      policy: {},
      now: '2027-01-01T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason: 'expired less than a day ago — rotate now',
        daysLeft: 0,
        expired: true,
      },
    },
    {
      name: 'jitter moves the renewal earlier by the stored fraction',
      cert: { ...ONE_YEAR, jitterFraction: 0.5 },
      policy: { jitterMaxHours: 24 },
      now: '2026-08-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-08-31T20:00:00.000Z',
        reason: 'renews at 2026-08-31T20:00:00.000Z (two thirds of its 365-day lifetime; 12 h earlier by its jitter)',
        daysLeft: 153,
        expired: false,
      },
    },
    {
      name: 'jitter with renewBeforeDays',
      cert: { ...ONE_YEAR, jitterFraction: 0.25 },
      policy: { renewBeforeDays: 30, jitterMaxHours: 48 },
      now: '2026-12-01T12:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-12-01T12:00:00.000Z',
        reason: 'due: 30 days left ≤ renewBeforeDays 30 (12 h earlier by its jitter)',
        daysLeft: 30,
        expired: false,
      },
    },
    {
      name: 'jitterMaxHours without a stored fraction: no jitter',
      cert: ONE_YEAR,
      policy: { jitterMaxHours: 24 },
      now: '2026-08-01T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason: 'renews at 2026-09-01T08:00:00.000Z (two thirds of its 365-day lifetime)',
        daysLeft: 153,
        expired: false,
      },
    },
  ];

  for (const { name, cert, policy, now, expected } of cases) {
    it(name, () => {
      assert.deepEqual(evaluateRenewal(cert, policy, at(now)), expected);
    });
  }
});

describe('evaluateRenewal: freeze periods', () => {
  // Issued 2026-02-01, renews 2026-10-02T08:00Z, expires 2027-02-01: after the freeze.
  const expiresAfterFreeze: RenewalCertificate = { uniqueName: 'Vendor_Signing', notBefore: '2026-02-01T00:00:00Z', expiresAt: '2027-02-01T00:00:00Z' };

  const cases: { name: string; cert: RenewalCertificate; policy: RenewalPolicy; now: string; expected: RenewalDecision }[] = [
    {
      name: 'due inside a freeze is blocked until the freeze ends',
      cert: expiresAfterFreeze,
      policy: { freezePeriods: YEAR_END },
      now: '2026-12-20T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-10-02T08:00:00.000Z',
        reason: "due but in freeze period 'year-end freeze' until 2027-01-05T00:00:00.000Z",
        blockedBy: 'freeze',
        daysLeft: 43,
        expired: false,
      },
    },
    {
      name: 'the freeze end is exclusive: due again at that instant',
      cert: expiresAfterFreeze,
      policy: { freezePeriods: YEAR_END },
      now: '2027-01-05T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-10-02T08:00:00.000Z',
        reason: 'due: two thirds of its 365-day lifetime passed at 2026-10-02T08:00:00.000Z',
        daysLeft: 27,
        expired: false,
      },
    },
    {
      name: 'not yet due inside a freeze: the freeze does not matter',
      cert: { uniqueName: 'Vendor_Signing', notBefore: '2026-12-01T00:00:00Z', expiresAt: '2027-12-01T00:00:00Z' },
      policy: { freezePeriods: YEAR_END },
      now: '2026-12-20T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2027-08-01T08:00:00.000Z',
        reason: 'renews at 2027-08-01T08:00:00.000Z (two thirds of its 365-day lifetime)',
        daysLeft: 346,
        expired: false,
      },
    },
    {
      name: 'the freeze is overridden when the certificate expires before it ends',
      cert: ONE_YEAR,
      policy: { freezePeriods: YEAR_END },
      now: '2026-12-20T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason:
          "due: two thirds of its 365-day lifetime passed at 2026-09-01T08:00:00.000Z; freeze period 'year-end freeze' is overridden: " +
          'the certificate expires at 2027-01-01T00:00:00.000Z, before the freeze ends at 2027-01-05T00:00:00.000Z',
        daysLeft: 12,
        expired: false,
      },
    },
    {
      name: 'a freeze followed at once by another blocks until the second ends',
      cert: expiresAfterFreeze,
      policy: {
        freezePeriods: [
          ...(YEAR_END ?? []),
          { start: '2027-01-05T00:00:00Z', end: '2027-01-10T00:00:00Z', reason: 'stock-take' },
        ],
      },
      now: '2026-12-20T00:00:00Z',
      expected: {
        due: false,
        renewAt: '2026-10-02T08:00:00.000Z',
        reason: "due but in freeze period 'year-end freeze' then 'stock-take' until 2027-01-10T00:00:00.000Z",
        blockedBy: 'freeze',
        daysLeft: 43,
        expired: false,
      },
    },
    {
      name: 'expiry during a chained freeze overrides it even though the first freeze ends earlier',
      cert: { uniqueName: 'Vendor_Signing', notBefore: '2026-01-07T00:00:00Z', expiresAt: '2027-01-07T00:00:00Z' },
      policy: {
        freezePeriods: [
          ...(YEAR_END ?? []),
          { start: '2027-01-05T00:00:00Z', end: '2027-01-10T00:00:00Z', reason: 'stock-take' },
        ],
      },
      now: '2026-12-20T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-09-07T08:00:00.000Z',
        reason:
          "due: two thirds of its 365-day lifetime passed at 2026-09-07T08:00:00.000Z; freeze period 'year-end freeze' then 'stock-take' is overridden: " +
          'the certificate expires at 2027-01-07T00:00:00.000Z, before the freeze ends at 2027-01-10T00:00:00.000Z',
        daysLeft: 18,
        expired: false,
      },
    },
    {
      name: 'an expired certificate is rotated even in a freeze',
      cert: ONE_YEAR,
      policy: { freezePeriods: YEAR_END },
      now: '2027-01-02T00:00:00Z',
      expected: {
        due: true,
        renewAt: '2026-09-01T08:00:00.000Z',
        reason: "expired 1 day ago — rotate now (overrides freeze period 'year-end freeze')",
        daysLeft: -1,
        expired: true,
      },
    },
  ];

  for (const { name, cert, policy, now, expected } of cases) {
    it(name, () => {
      assert.deepEqual(evaluateRenewal(cert, policy, at(now)), expected);
    });
  }
});

describe('renewalTime: lifetimes Salesforce gives (CA/Browser Forum schedule)', () => {
  // Created on the day each maximum takes effect (salesforceExpiry), as the inventory reads them.
  const made = (createdAt: string, keySize: 2048 | 4096 = 2048): RenewalCertificate => ({
    uniqueName: 'Vendor_Signing',
    notBefore: new Date(createdAt).toISOString(),
    expiresAt: salesforceExpiry(keySize, new Date(createdAt)).toISOString(),
  });
  const cases: { name: string; cert: RenewalCertificate; policy: RenewalPolicy; renewAt: string; describe: string }[] = [
    { name: 'a 398-day certificate (4096 bits, before 2026-03-15)', cert: made('2026-01-01T00:00:00Z', 4096), policy: {}, renewAt: '2026-09-23T08:00:00.000Z', describe: 'two thirds of its 398-day lifetime' },
    { name: 'a 200-day certificate (from 2026-03-15)', cert: made('2026-03-15T00:00:00Z'), policy: {}, renewAt: '2026-07-26T08:00:00.000Z', describe: 'two thirds of its 200-day lifetime' },
    { name: 'a 4096-bit certificate from 2026-03-15 lasts 200 days too', cert: made('2026-03-15T00:00:00Z', 4096), policy: {}, renewAt: '2026-07-26T08:00:00.000Z', describe: 'two thirds of its 200-day lifetime' },
    { name: 'a 100-day certificate (from 2027-03-15)', cert: made('2027-03-15T00:00:00Z'), policy: {}, renewAt: '2027-05-20T16:00:00.000Z', describe: 'two thirds of its 100-day lifetime' },
    { name: 'a 47-day certificate (from 2029-03-15)', cert: made('2029-03-15T00:00:00Z'), policy: {}, renewAt: '2029-04-15T08:00:00.000Z', describe: 'two thirds of its 47-day lifetime' },
    { name: 'a 47-day certificate with renewBeforePercent 75', cert: made('2029-03-15T00:00:00Z'), policy: { renewBeforePercent: 75 }, renewAt: '2029-04-19T06:00:00.000Z', describe: '75% of its 47-day lifetime' },
    { name: 'a 47-day certificate with renewBeforeDays 10', cert: made('2029-03-15T00:00:00Z'), policy: { renewBeforeDays: 10 }, renewAt: '2029-04-21T00:00:00.000Z', describe: '10 days before expiry' },
    // The days rule covering the whole lifetime would make every new certificate due at once.
    { name: 'a 47-day certificate with renewBeforeDays 60 renews at two thirds instead', cert: made('2029-03-15T00:00:00Z'), policy: { renewBeforeDays: 60 }, renewAt: '2029-04-15T08:00:00.000Z', describe: 'two thirds of its 47-day lifetime' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const time = renewalTime(c.cert, c.policy);
      assert.equal(time.renewAt.toISOString(), c.renewAt);
      assert.equal(time.describe, c.describe);
    });
  }

  it('needs the notBefore: without it a 200-day certificate falls back to 30 days before expiry, 37 days later than two thirds', () => {
    const fallback = renewalTime({ ...made('2026-03-15T00:00:00Z'), notBefore: null }, {});
    assert.equal(fallback.rule, 'fallback-days');
    assert.equal(fallback.renewAt.toISOString(), '2026-09-01T00:00:00.000Z');
  });
});

describe('jitter', () => {
  const base = Date.parse('2026-09-01T08:00:00Z');
  const HOUR = 3_600_000;

  it('is stable: the same fraction gives the same renewal time at every sweep', () => {
    // 0.3141 of 10 hours = 3 h 8 min 27.6 s before 2026-09-01T08:00Z.
    const cert = { ...ONE_YEAR, jitterFraction: 0.3141 };
    const sweeps = ['2026-03-01T00:00:00Z', '2026-06-15T09:30:00Z', '2026-08-31T23:00:00Z', '2026-12-31T23:59:59Z'];
    const times = sweeps.map((now) => evaluateRenewal(cert, { jitterMaxHours: 10 }, at(now)).renewAt);
    assert.deepEqual(new Set(times), new Set(['2026-09-01T04:51:32.400Z']));
  });

  for (const fraction of [0, 0.25, 0.5, 0.999999, 1 - Number.EPSILON]) {
    it(`never moves the renewal more than jitterMaxHours (fraction ${fraction})`, () => {
      const { renewAt, jitterMs } = renewalTime({ ...ONE_YEAR, jitterFraction: fraction }, { jitterMaxHours: 6 });
      assert.ok(jitterMs >= 0 && jitterMs <= 6 * HOUR, `jitter ${jitterMs} ms`);
      assert.equal(renewAt.getTime(), base - jitterMs);
      assert.ok(renewAt.getTime() >= base - 6 * HOUR);
    });
  }

  it('is a hash of the certificate: the same for the same org, name and expiry, never drawn or stored', () => {
    const fraction = certificateJitterFraction('prod', 'Vendor_Signing', ONE_YEAR.expiresAt);
    assert.equal(certificateJitterFraction('PROD', 'VENDOR_signing', ONE_YEAR.expiresAt), fraction, 'aliases and names compare case-insensitively');
    assert.notEqual(certificateJitterFraction('prod', 'Vendor_Signing', '2027-01-02T00:00:00Z'), fraction, 'a renewed certificate has its own fraction');
    assert.ok(fraction >= 0 && fraction < 1);
  });

  it('refuses a fraction outside [0, 1), naming the field', () => {
    assert.throws(
      () => renewalTime({ ...ONE_YEAR, jitterFraction: 1 }, { jitterMaxHours: 6 }),
      (error) => isRotationError(error, 'INVALID_INPUT') && /^cert\.jitterFraction: 1 must be in \[0, 1\)/.test(error.message),
    );
  });
});

describe('evaluateRenewal: bad input', () => {
  const NOW = at('2026-08-01T00:00:00Z');
  const cases: { name: string; cert?: RenewalCertificate; policy: RenewalPolicy; message: RegExp }[] = [
    { name: 'percent 0', policy: { renewBeforePercent: 0 }, message: /^renewBeforePercent: 0 must be greater than 0 and less than 100/ },
    { name: 'percent 100', policy: { renewBeforePercent: 100 }, message: /^renewBeforePercent: 100 must be greater than 0 and less than 100/ },
    { name: 'percent 150', policy: { renewBeforePercent: 150 }, message: /^renewBeforePercent: 150 must be greater than 0/ },
    { name: 'percent NaN', policy: { renewBeforePercent: Number.NaN }, message: /^renewBeforePercent: NaN must be/ },
    { name: 'negative days', policy: { renewBeforeDays: -1 }, message: /^renewBeforeDays: -1 must be a number of days from 0 to 3650/ },
    { name: 'days 1e9', policy: { renewBeforeDays: 1e9 }, message: /^renewBeforeDays: 1000000000 must be a number of days from 0 to 3650/ },
    { name: 'negative jitter', policy: { jitterMaxHours: -2 }, message: /^jitterMaxHours: -2 must be a number of hours from 0 to 168/ },
    { name: 'jitter 1e300', policy: { jitterMaxHours: 1e300 }, message: /^jitterMaxHours: 1e\+300 must be a number of hours from 0 to 168/ },
    {
      name: 'a freeze that ends before it starts',
      policy: { freezePeriods: [{ start: '2027-01-05T00:00:00Z', end: '2026-12-15T00:00:00Z', reason: 'year-end' }] },
      message: /^freezePeriods\[0\]\.end: 2026-12-15T00:00:00Z must be after the start 2027-01-05T00:00:00Z/,
    },
    {
      name: 'a freeze with a date that is not an instant',
      policy: { freezePeriods: [{ start: 'next Tuesday', end: '2026-12-15T00:00:00Z', reason: 'year-end' }] },
      message: /^freezePeriods\[0\]\.start: "next Tuesday" is not an ISO-8601 instant/,
    },
    {
      name: 'a freeze without a reason',
      policy: { freezePeriods: [{ start: '2026-12-15T00:00:00Z', end: '2027-01-05T00:00:00Z', reason: ' ' }] },
      message: /^freezePeriods\[0\]\.reason: say why/,
    },
    { name: 'a jitter fraction of 1', cert: { ...ONE_YEAR, jitterFraction: 1 }, policy: {}, message: /^cert\.jitterFraction: 1 must be in \[0, 1\)/ },
    {
      name: 'notBefore after expiresAt',
      cert: { ...ONE_YEAR, notBefore: '2027-02-01T00:00:00Z' },
      policy: {},
      message: /^cert\.notBefore: 2027-02-01T00:00:00Z is not before expiresAt 2027-01-01T00:00:00Z for "Vendor_Signing"/,
    },
    { name: 'expiresAt not a date', cert: { ...ONE_YEAR, expiresAt: 'soon' }, policy: {}, message: /^cert\.expiresAt: "soon" is not an ISO-8601 instant/ },
  ];

  for (const { name, cert, policy, message } of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => evaluateRenewal(cert ?? ONE_YEAR, policy, NOW),
        (error) => isRotationError(error, 'INVALID_INPUT') && message.test(error.message),
      );
    });
  }
});
