import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import {
  formatWindowPolicy,
  nextWindow,
  parseWindowPolicy,
  windowContains,
  type WindowPolicy,
} from '../../src/domain/maintenance-window';

describe('parseWindowPolicy', () => {
  const cases: { text: string; expected: WindowPolicy; canonical: string }[] = [
    {
      text: 'Saturdays 02:00-04:00 Europe/London',
      expected: { days: ['Sat'], start: '02:00', end: '04:00', timeZone: 'Europe/London' },
      canonical: 'Saturdays 02:00-04:00 Europe/London',
    },
    {
      text: 'daily 01:00-03:00 UTC',
      expected: { days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], start: '01:00', end: '03:00', timeZone: 'UTC' },
      canonical: 'daily 01:00-03:00 UTC',
    },
    {
      text: 'Mon,Wed 22:00-02:00 America/New_York',
      expected: { days: ['Mon', 'Wed'], start: '22:00', end: '02:00', timeZone: 'America/New_York' },
      canonical: 'Mon,Wed 22:00-02:00 America/New_York',
    },
    {
      text: 'weekdays 09:00-17:00 Europe/Berlin',
      expected: { days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '09:00', end: '17:00', timeZone: 'Europe/Berlin' },
      canonical: 'weekdays 09:00-17:00 Europe/Berlin',
    },
    {
      text: 'weekends 06:00-08:30 Asia/Kolkata',
      expected: { days: ['Sat', 'Sun'], start: '06:00', end: '08:30', timeZone: 'Asia/Kolkata' },
      canonical: 'weekends 06:00-08:30 Asia/Kolkata',
    },
    {
      text: '  wed, Monday  9:00 - 10:00   europe/london ',
      expected: { days: ['Mon', 'Wed'], start: '09:00', end: '10:00', timeZone: 'Europe/London' },
      canonical: 'Mon,Wed 09:00-10:00 Europe/London',
    },
    {
      text: 'Mon-Fri 20:00-24:00 UTC',
      expected: { days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '20:00', end: '24:00', timeZone: 'UTC' },
      canonical: 'weekdays 20:00-24:00 UTC',
    },
    {
      text: 'Fri-Mon 23:00-01:00 UTC',
      expected: { days: ['Mon', 'Fri', 'Sat', 'Sun'], start: '23:00', end: '01:00', timeZone: 'UTC' },
      canonical: 'Mon,Fri,Sat,Sun 23:00-01:00 UTC',
    },
    {
      text: 'every day 00:00-24:00 UTC',
      expected: { days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], start: '00:00', end: '24:00', timeZone: 'UTC' },
      canonical: 'daily 00:00-24:00 UTC',
    },
  ];

  for (const { text, expected, canonical } of cases) {
    it(`reads "${text}"`, () => {
      const policy = parseWindowPolicy(text);
      assert.deepEqual(policy, expected);
      assert.equal(formatWindowPolicy(policy), canonical);
      assert.deepEqual(parseWindowPolicy(formatWindowPolicy(policy)), policy);
    });
  }

  const bad: { text: string; message: RegExp }[] = [
    { text: 'Funday 02:00-04:00 UTC', message: /^Window policy "Funday 02:00-04:00 UTC": unknown day "Funday"/ },
    { text: 'Mon,Caturday 02:00-04:00 UTC', message: /unknown day "Caturday"/ },
    { text: 'daily 25:00-04:00 UTC', message: /: bad start time "25:00"; write 24-hour HH:MM/ },
    { text: 'daily 02:00-04:60 UTC', message: /: bad end time "04:60"/ },
    { text: 'daily 2am-4am UTC', message: /: bad start time "2am"/ },
    { text: 'daily 24:00-02:00 UTC', message: /: bad start time "24:00"/ },
    { text: 'daily 02:00-04:00 Mars/Olympus', message: /: unknown time zone "Mars\/Olympus"; use an IANA name/ },
    // ICU would accept these, as Asia/Dhaka (UTC+6) and Asia/Calcutta: an operator meaning London or Israel gets a wrong clock.
    { text: 'daily 02:00-04:00 BST', message: /: time zone "BST" is an abbreviation, not an IANA name \(Intl would read it as Asia\/Dhaka\)/ },
    { text: 'daily 02:00-04:00 IST', message: /: time zone "IST" is an abbreviation/ },
    { text: 'daily 02:00-04:00 EST', message: /: time zone "EST" is an abbreviation/ },
    { text: 'daily 02:00-04:00', message: /: the time zone is missing/ },
    { text: 'daily UTC', message: /: no time range such as "02:00-04:00" before the time zone/ },
    { text: '02:00-04:00 UTC', message: /: no days; start with "daily"/ },
    { text: 'daily 02:00-02:00 UTC', message: /: the window starts and ends at 02:00; give it a length/ },
    { text: '   ', message: /: it is empty/ },
  ];

  for (const { text, message } of bad) {
    it(`rejects "${text}"`, () => {
      assert.throws(
        () => parseWindowPolicy(text),
        (error) => isRotationError(error, 'INVALID_INPUT') && message.test(error.message),
      );
    });
  }
});

describe('nextWindow', () => {
  const cases: { name: string; policy: string; after: string; start: string; end: string }[] = [
    // Plain weeks
    {
      name: 'later the same day',
      policy: 'Saturdays 02:00-04:00 Europe/London',
      after: '2027-06-05T00:00:00Z', // Sat 01:00 BST
      start: '2027-06-05T01:00:00.000Z',
      end: '2027-06-05T03:00:00.000Z',
    },
    {
      name: "today's window already past: next week",
      policy: 'Saturdays 02:00-04:00 Europe/London',
      after: '2027-06-05T04:00:00Z', // Sat 05:00 BST
      start: '2027-06-12T01:00:00.000Z',
      end: '2027-06-12T03:00:00.000Z',
    },
    {
      name: '`after` inside a window: that window, from its real start',
      policy: 'Saturdays 02:00-04:00 Europe/London',
      after: '2027-06-05T02:15:00Z',
      start: '2027-06-05T01:00:00.000Z',
      end: '2027-06-05T03:00:00.000Z',
    },
    {
      name: '`after` exactly at a start: that window',
      policy: 'Saturdays 02:00-04:00 Europe/London',
      after: '2027-06-05T01:00:00Z',
      start: '2027-06-05T01:00:00.000Z',
      end: '2027-06-05T03:00:00.000Z',
    },
    {
      name: '`after` exactly at an end: the next window (windows are half-open)',
      policy: 'Saturdays 02:00-04:00 Europe/London',
      after: '2027-06-05T03:00:00Z',
      start: '2027-06-12T01:00:00.000Z',
      end: '2027-06-12T03:00:00.000Z',
    },
    {
      name: 'winter in London is UTC+0',
      policy: 'Saturdays 02:00-04:00 Europe/London',
      after: '2027-01-01T00:00:00Z', // a Friday
      start: '2027-01-02T02:00:00.000Z',
      end: '2027-01-02T04:00:00.000Z',
    },
    {
      name: 'weekdays skip the weekend (Berlin, summer time)',
      policy: 'weekdays 09:00-17:00 Europe/Berlin',
      after: '2027-06-04T16:00:00Z', // Fri 18:00 CEST
      start: '2027-06-07T07:00:00.000Z',
      end: '2027-06-07T15:00:00.000Z',
    },
    // Crossing midnight
    {
      name: 'a window crossing midnight, found the evening before',
      policy: 'Mon,Wed 22:00-02:00 America/New_York',
      after: '2027-06-07T12:00:00Z', // Mon 08:00 EDT
      start: '2027-06-08T02:00:00.000Z',
      end: '2027-06-08T06:00:00.000Z',
    },
    {
      name: 'a window crossing midnight, `after` past midnight inside it (it began the day before)',
      policy: 'Mon,Wed 22:00-02:00 America/New_York',
      after: '2027-06-08T04:00:00Z', // Tue 00:00 EDT
      start: '2027-06-08T02:00:00.000Z',
      end: '2027-06-08T06:00:00.000Z',
    },
    {
      name: 'a window crossing midnight, just after it closed: the next start day',
      policy: 'Mon,Wed 22:00-02:00 America/New_York',
      after: '2027-06-08T06:00:00Z', // Tue 02:00 EDT
      start: '2027-06-10T02:00:00.000Z',
      end: '2027-06-10T06:00:00.000Z',
    },
    {
      name: 'ending at 24:00 is the next midnight',
      policy: 'Mon-Fri 20:00-24:00 UTC',
      after: '2027-06-04T21:00:00Z', // Fri
      start: '2027-06-04T20:00:00.000Z',
      end: '2027-06-05T00:00:00.000Z',
    },
    // Europe/London: spring forward 2027-03-28 01:00 GMT -> 02:00 BST; fall back 2027-10-31 02:00 BST -> 01:00 GMT
    {
      name: 'London spring forward: 01:30 does not exist, the window opens at 02:00 BST (1 h long, not 1.5 h)',
      policy: 'daily 01:30-03:00 Europe/London',
      after: '2027-03-27T12:00:00Z',
      start: '2027-03-28T01:00:00.000Z',
      end: '2027-03-28T02:00:00.000Z',
    },
    {
      name: 'London spring forward: a window ending in the skipped hour ends at the change',
      policy: 'daily 00:30-01:30 Europe/London',
      after: '2027-03-27T12:00:00Z',
      start: '2027-03-28T00:30:00.000Z',
      end: '2027-03-28T01:00:00.000Z',
    },
    {
      name: 'London spring forward: a window wholly in the skipped hour does not happen that day',
      policy: 'daily 01:10-01:50 Europe/London',
      after: '2027-03-27T12:00:00Z',
      start: '2027-03-29T00:10:00.000Z',
      end: '2027-03-29T00:50:00.000Z',
    },
    {
      name: 'London fall back: 01:30 happens twice, the first (BST) is used; 2.5 h long',
      policy: 'daily 01:30-03:00 Europe/London',
      after: '2027-10-30T12:00:00Z',
      start: '2027-10-31T00:30:00.000Z',
      end: '2027-10-31T03:00:00.000Z',
    },
    {
      name: 'London fall back: an end in the repeated hour is its first occurrence too',
      policy: 'daily 00:30-01:30 Europe/London',
      after: '2027-10-30T12:00:00Z',
      start: '2027-10-30T23:30:00.000Z',
      end: '2027-10-31T00:30:00.000Z',
    },
    {
      name: 'London the day after fall back is back to UTC+0',
      policy: 'daily 01:30-03:00 Europe/London',
      after: '2027-10-31T04:00:00Z',
      start: '2027-11-01T01:30:00.000Z',
      end: '2027-11-01T03:00:00.000Z',
    },
    // America/New_York: spring forward 2027-03-14 02:00 EST -> 03:00 EDT; fall back 2027-11-07 02:00 EDT -> 01:00 EST
    {
      name: 'New York spring forward: 02:30 does not exist, the window opens at 03:00 EDT',
      policy: 'daily 02:30-04:00 America/New_York',
      after: '2027-03-13T12:00:00Z',
      start: '2027-03-14T07:00:00.000Z',
      end: '2027-03-14T08:00:00.000Z',
    },
    {
      name: 'New York spring forward: a Sunday window inside the gap moves to the next Sunday',
      policy: 'Sundays 02:15-02:45 America/New_York',
      after: '2027-03-13T12:00:00Z',
      start: '2027-03-21T06:15:00.000Z',
      end: '2027-03-21T06:45:00.000Z',
    },
    {
      name: 'New York fall back: 01:30 first occurrence (EDT), ends 03:00 EST; 2.5 h long',
      policy: 'daily 01:30-03:00 America/New_York',
      after: '2027-11-06T12:00:00Z',
      start: '2027-11-07T05:30:00.000Z',
      end: '2027-11-07T08:00:00.000Z',
    },
    {
      name: 'New York fall back inside a window crossing midnight: 5 h long',
      policy: 'Saturdays 22:00-02:00 America/New_York',
      after: '2027-11-06T12:00:00Z',
      start: '2027-11-07T02:00:00.000Z',
      end: '2027-11-07T07:00:00.000Z',
    },
    // Asia/Kolkata: +05:30 all year
    {
      name: 'Kolkata, half-hour offset',
      policy: 'weekdays 09:00-17:00 Asia/Kolkata',
      after: '2027-06-05T00:00:00Z', // Sat
      start: '2027-06-07T03:30:00.000Z',
      end: '2027-06-07T11:30:00.000Z',
    },
    {
      name: 'Kolkata crossing midnight, local day differs from the UTC day',
      policy: 'Fridays 23:00-01:00 Asia/Kolkata',
      after: '2027-06-04T18:00:00Z', // Fri 23:30 IST
      start: '2027-06-04T17:30:00.000Z',
      end: '2027-06-04T19:30:00.000Z',
    },
    // Australia/Lord_Howe: +10:30 standard, +11 summer; half-hour changes at 02:00 local
    {
      name: 'Lord Howe spring forward (2027-10-03 02:00 -> 02:30): the window opens at 02:30 +11',
      policy: 'daily 02:00-03:00 Australia/Lord_Howe',
      after: '2027-10-02T00:00:00Z',
      start: '2027-10-02T15:30:00.000Z',
      end: '2027-10-02T16:00:00.000Z',
    },
    {
      name: 'Lord Howe fall back (2027-04-04 02:00 -> 01:30): 01:45 first occurrence (+11)',
      policy: 'daily 01:45-03:00 Australia/Lord_Howe',
      after: '2027-04-03T00:00:00Z',
      start: '2027-04-03T14:45:00.000Z',
      end: '2027-04-03T16:30:00.000Z',
    },
  ];

  for (const { name, policy, after, start, end } of cases) {
    it(name, () => {
      const window = nextWindow(parseWindowPolicy(policy), new Date(after));
      assert.deepEqual({ start: window.start.toISOString(), end: window.end.toISOString() }, { start, end });
    });
  }

  it('re-validates a hand-made policy', () => {
    const policy = { days: ['Sat'], start: '02:00', end: '04:00', timeZone: 'Nowhere/City' } as const;
    assert.throws(
      () => nextWindow(policy, new Date('2027-06-05T00:00:00Z')),
      (error) => isRotationError(error, 'INVALID_INPUT') && /unknown time zone "Nowhere\/City"/.test(error.message),
    );
  });
});

describe('windowContains', () => {
  const policy = parseWindowPolicy('Mon,Wed 22:00-02:00 America/New_York');
  const cases: { at: string; inside: boolean }[] = [
    { at: '2027-06-08T01:59:59Z', inside: false }, // Mon 21:59:59 EDT
    { at: '2027-06-08T02:00:00Z', inside: true }, // Mon 22:00 EDT
    { at: '2027-06-08T05:59:59Z', inside: true }, // Tue 01:59:59 EDT
    { at: '2027-06-08T06:00:00Z', inside: false }, // Tue 02:00 EDT: end is exclusive
    { at: '2027-06-09T03:00:00Z', inside: false }, // Tue 23:00 EDT: not a start day
    { at: '2027-06-10T03:00:00Z', inside: true }, // Wed 23:00 EDT
  ];
  for (const { at, inside } of cases) {
    it(`${at} is ${inside ? 'inside' : 'outside'}`, () => {
      assert.equal(windowContains(policy, new Date(at)), inside);
    });
  }
});
