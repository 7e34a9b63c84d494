import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EXAMPLES,
  MESSAGE_LIMITS,
  MESSAGE_NAMES,
  messageSchemas,
  parseMessage,
  UNDECODABLE_PAYLOAD,
  windowProblem,
  type MessageName,
} from '../../src/domain/operator-messages';

const FP = Array(32).fill('AB').join(':');
const WINDOW = { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' };
const NOW = Date.parse('2026-12-01T10:00:00Z');
const CANONICAL_FP = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/;

/** A well-formed payload of each message, to mutate. */
const VALID: Readonly<Record<MessageName, Record<string, unknown>>> = {
  approve: { approver: 'vendor-team', fingerprint: FP, window: WINDOW },
  reject: { approver: 'vendor-team', reason: 'key not installed' },
  reschedule: { window: WINDOW },
  vendorApplied: { fingerprint: FP, by: 'vendor-team' },
  abort: { reason: 'wrong certificate', by: 'ops' },
  rollback: { reason: 'integration errors', by: 'ops' },
  confirmManualSteps: { by: 'ops', note: 'deployed Contoso_Callout naming the new certificate' },
};

function throwingProxy(): object {
  return new Proxy(
    {},
    {
      has() {
        throw new Error('has trap');
      },
      get() {
        throw new Error('get trap');
      },
      ownKeys() {
        throw new Error('ownKeys trap');
      },
    },
  );
}

describe('parseMessage refuses what it cannot use, and never throws', () => {
  const cases: { name: string; message: MessageName; raw: unknown; problem: RegExp }[] = [
    { name: 'null', message: 'approve', raw: null, problem: /^approve: expected a JSON object, e\.g\. \{"approver"/ },
    { name: 'undefined', message: 'abort', raw: undefined, problem: /^abort: expected a JSON object/ },
    { name: 'an array', message: 'abort', raw: [{ reason: 'x' }], problem: /^abort: expected a JSON object/ },
    { name: 'a string', message: 'reject', raw: '{"approver":"a","reason":"b"}', problem: /^reject: expected a JSON object/ },
    { name: 'a number', message: 'rollback', raw: 42, problem: /^rollback: expected a JSON object/ },
    { name: 'a boolean', message: 'vendorApplied', raw: true, problem: /^vendorApplied: expected a JSON object/ },
    { name: 'a reason that is an object with toString', message: 'abort', raw: { reason: { toString: 1 } }, problem: /^reason: .*expected string/ },
    {
      name: 'a reason from JSON with toString',
      message: 'rollback',
      raw: JSON.parse('{"reason":{"toString":1}}') as unknown,
      problem: /^reason: .*expected string/,
    },
    { name: 'a fingerprint as an array', message: 'approve', raw: { approver: 'a', fingerprint: [FP] }, problem: /^fingerprint: .*expected string/ },
    { name: 'a fingerprint of 63 hex digits', message: 'vendorApplied', raw: { fingerprint: 'a'.repeat(63) }, problem: /^fingerprint: not a SHA-256 fingerprint/ },
    { name: 'a fingerprint of 201 characters', message: 'vendorApplied', raw: { fingerprint: 'a'.repeat(201) }, problem: /^fingerprint: too long for a SHA-256 fingerprint/ },
    { name: 'a 700 KB reason', message: 'abort', raw: { reason: 'x'.repeat(700_000) }, problem: /^reason: at most 2000 characters$/ },
    { name: 'a 2001-character reason', message: 'reject', raw: { approver: 'a', reason: 'r'.repeat(2_001) }, problem: /^reason: at most 2000 characters$/ },
    { name: 'an approver of 201 characters', message: 'reject', raw: { approver: 'a'.repeat(201), reason: 'r' }, problem: /^approver: at most 200 characters$/ },
    { name: 'a blank approver', message: 'approve', raw: { approver: '   ', fingerprint: FP }, problem: /^approver: say who you are$/ },
    { name: 'a blank by', message: 'abort', raw: { reason: 'r', by: '' }, problem: /^by: say who you are$/ },
    { name: 'an unknown extra key', message: 'abort', raw: { reason: 'r', force: true }, problem: /Unrecognized key: "force"/ },
    { name: 'an unknown key inside the window', message: 'reschedule', raw: { window: { ...WINDOW, tz: 'UTC' } }, problem: /window: Unrecognized key: "tz"/ },
    {
      name: 'a __proto__ key from JSON',
      message: 'abort',
      raw: JSON.parse('{"reason":"r","__proto__":{"admin":true}}') as unknown,
      problem: /Unrecognized key: "__proto__"/,
    },
    { name: 'the UNDECODABLE_PAYLOAD marker', message: 'approve', raw: { [UNDECODABLE_PAYLOAD]: true }, problem: /could not be decoded/ },
    {
      name: 'the UNDECODABLE_PAYLOAD marker next to valid fields',
      message: 'abort',
      raw: { reason: 'r', [UNDECODABLE_PAYLOAD]: 'binary/encrypted' },
      problem: /could not be decoded/,
    },
    { name: 'a missing window', message: 'reschedule', raw: {}, problem: /^window: / },
    {
      name: 'a window ending before it starts',
      message: 'reschedule',
      raw: { window: { start: WINDOW.end, end: WINDOW.start } },
      problem: /^window: the window must end after it starts$/,
    },
    {
      name: 'a window ending when it starts',
      message: 'reschedule',
      raw: { window: { start: WINDOW.start, end: WINDOW.start } },
      problem: /^window: the window must end after it starts$/,
    },
    {
      name: 'a window longer than 31 days',
      message: 'approve',
      raw: { approver: 'a', fingerprint: FP, window: { start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:01Z' } },
      problem: /^window: a window may last at most 31 days$/,
    },
    {
      name: 'an instant without a time zone',
      message: 'reschedule',
      raw: { window: { start: '2026-12-05T02:00:00', end: '2026-12-05T04:00:00Z' } },
      problem: /^window\.start: write an ISO-8601 instant with a time zone/,
    },
    {
      name: 'a date without a time',
      message: 'reschedule',
      raw: { window: { start: '2026-12-05', end: '2026-12-06' } },
      problem: /^window\.start: write an ISO-8601 instant/,
    },
    {
      name: 'an instant that is no date',
      message: 'reschedule',
      raw: { window: { start: '2026-13-45T99:99:00Z', end: '2026-12-05T04:00:00Z' } },
      problem: /^window\.start: write an ISO-8601 instant/,
    },
    {
      name: 'an instant as a number',
      message: 'reschedule',
      raw: { window: { start: Date.parse(WINDOW.start), end: WINDOW.end } },
      problem: /^window\.start: .*expected string/,
    },
    {
      name: 'a window 20000000 weeks in the future (an extended-year instant)',
      message: 'reschedule',
      raw: { window: { start: '+385566-10-08T10:00:00Z', end: '+385566-10-08T12:00:00Z' } },
      problem: /^window\.start: write an ISO-8601 instant/,
    },
    {
      name: 'a window ending 20000000 weeks after it starts',
      message: 'reschedule',
      raw: { window: { start: WINDOW.start, end: '+275760-09-13T00:00:00Z' } },
      problem: /^window\.end: write an ISO-8601 instant/,
    },
    {
      name: 'an over-long instant',
      message: 'reschedule',
      raw: { window: { start: `2026-12-05T02:00:00.${'0'.repeat(60)}Z`, end: WINDOW.end } },
      problem: /^window\.start: not an ISO-8601 instant/,
    },
    { name: 'an object whose getter throws', message: 'abort', raw: { get reason(): string { throw new Error('boom'); } }, problem: /^abort: the payload could not be read$/ },
    { name: 'a proxy whose traps throw', message: 'approve', raw: throwingProxy(), problem: /^approve: the payload could not be read$/ },
  ];
  for (const c of cases) {
    it(`${c.message}: ${c.name}`, () => {
      const result = parseMessage(c.message, c.raw);
      assert.equal(result.ok, false, 'accepted, but a refusal was expected');
      if (!result.ok) {
        assert.match(result.problem, c.problem);
        assert.ok(result.problem.length < 500, `the refusal echoes the payload back (${result.problem.length} characters)`);
      }
    });
  }
});

describe('parseMessage accepts well-formed messages', () => {
  const cases: { name: string; message: MessageName; raw: unknown; expected: unknown }[] = [
    {
      name: 'approve with a lower-case fingerprint without colons',
      message: 'approve',
      raw: { approver: 'vendor-team', fingerprint: 'ab'.repeat(32) },
      expected: { approver: 'vendor-team', fingerprint: FP },
    },
    {
      name: 'approve with openssl output and a padded approver',
      message: 'approve',
      raw: { approver: '  vendor-team  ', fingerprint: `sha256 Fingerprint=${FP.toLowerCase()}` },
      expected: { approver: 'vendor-team', fingerprint: FP },
    },
    {
      name: 'approve with a window given with offsets',
      message: 'approve',
      raw: { approver: 'a', fingerprint: FP, window: { start: '2026-12-05T07:30+05:30', end: '2026-12-05T09:30:00.5+05:30' } },
      expected: { approver: 'a', fingerprint: FP, window: { start: '2026-12-05T02:00:00.000Z', end: '2026-12-05T04:00:00.500Z' } },
    },
    {
      name: 'approve with a 200-character approver',
      message: 'approve',
      raw: { approver: 'a'.repeat(200), fingerprint: FP },
      expected: { approver: 'a'.repeat(200), fingerprint: FP },
    },
    {
      name: 'reject',
      message: 'reject',
      raw: { approver: 'vendor-team', reason: 'key not installed' },
      expected: { approver: 'vendor-team', reason: 'key not installed' },
    },
    {
      name: 'reschedule to a window of exactly 31 days',
      message: 'reschedule',
      raw: { window: { start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:00Z' } },
      expected: { window: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' } },
    },
    {
      name: 'vendorApplied with a dashed fingerprint',
      message: 'vendorApplied',
      raw: { fingerprint: FP.replace(/:/g, '-'), by: 'vendor-team' },
      expected: { fingerprint: FP, by: 'vendor-team' },
    },
    { name: 'abort without by', message: 'abort', raw: { reason: 'wrong certificate' }, expected: { reason: 'wrong certificate' } },
    { name: 'abort with a 2000-character reason', message: 'abort', raw: { reason: 'r'.repeat(2_000) }, expected: { reason: 'r'.repeat(2_000) } },
    { name: 'rollback', message: 'rollback', raw: { reason: ' integration errors ', by: 'ops' }, expected: { reason: 'integration errors', by: 'ops' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(parseMessage(c.message, c.raw), { ok: true, value: c.expected });
    });
  }

  for (const name of MESSAGE_NAMES) {
    it(`the ${name} example parses, with its fingerprint filled in`, () => {
      const example = JSON.parse(EXAMPLES[name].replace('AB:CD:...', FP)) as unknown;
      assert.equal(parseMessage(name, example).ok, true);
    });
  }
});

describe('windowProblem', () => {
  const cases: { name: string; window: { start: string; end: string }; problem: RegExp | null }[] = [
    { name: 'a window in a few days', window: WINDOW, problem: null },
    { name: 'a window open now', window: { start: '2026-12-01T09:00:00.000Z', end: '2026-12-01T11:00:00.000Z' }, problem: null },
    {
      name: 'a window that ended',
      window: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T10:00:00.000Z' },
      problem: /^window: it ends at 2026-12-01T10:00:00.000Z, which is not in the future \(now 2026-12-01T10:00:00.000Z\)/,
    },
    { name: 'a window 400 days ahead', window: { start: '2028-01-05T10:00:00.000Z', end: '2028-01-05T12:00:00.000Z' }, problem: null },
    {
      name: 'a window more than 400 days ahead',
      window: { start: '2028-01-05T10:00:00.001Z', end: '2028-01-05T12:00:00.000Z' },
      problem: /more than 400 days from now; propose a nearer window/,
    },
    {
      name: 'a window near the end of representable time',
      window: { start: '9999-12-31T00:00:00.000Z', end: '9999-12-31T02:00:00.000Z' },
      problem: /more than 400 days from now/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problem = windowProblem(c.window, NOW);
      if (c.problem === null) assert.equal(problem, null);
      else assert.match(problem ?? '', c.problem);
    });
  }
});

/** mulberry32: a small deterministic PRNG, so a failing fuzz case is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KEYS = ['approver', 'fingerprint', 'window', 'reason', 'by', 'start', 'end', 'toString', 'valueOf', '__proto__', 'constructor', UNDECODABLE_PAYLOAD, '', 'x'];
const STRINGS = [
  '',
  ' ',
  FP,
  FP.toLowerCase(),
  'ab'.repeat(32),
  'ab'.repeat(31),
  `sha256:${FP}`,
  '2026-12-05T02:00:00Z',
  '2026-12-05T04:00:00+01:00',
  '2026-12-05T02:00:00',
  '2026-12-05',
  '+275760-09-13T00:00:00Z',
  '20000000 weeks',
  'vendor-team',
  '\u0000\u202e\u0007',
  '[link](https://evil.example)',
  '\ud800',
  'x'.repeat(2_500),
];

function randomValue(rand: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const roll = rand();
  if (depth <= 0 || roll < 0.35) {
    return pick<unknown>([
      null,
      undefined,
      true,
      false,
      0,
      -0,
      1,
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.MAX_SAFE_INTEGER,
      1e308,
      Math.floor(rand() * 1e6),
      pick(STRINGS),
      String.fromCharCode(...Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 0x3000))),
    ]);
  }
  if (roll < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 4); i > 0; i -= 1) {
    Object.defineProperty(object, pick(KEYS), { value: randomValue(rand, depth - 1), enumerable: true, configurable: true, writable: true });
  }
  return object;
}

/** A valid payload with one field replaced, dropped or added: mostly near misses, some still valid. */
function mutated(rand: () => number, name: MessageName): unknown {
  const base: Record<string, unknown> = JSON.parse(JSON.stringify(VALID[name])) as Record<string, unknown>;
  const keys = Object.keys(base);
  const key = keys[Math.floor(rand() * keys.length)] ?? 'x';
  const roll = rand();
  if (roll < 0.25) return base;
  if (roll < 0.4) {
    delete base[key];
    return base;
  }
  if (roll < 0.55 && base.window !== undefined) {
    base.window = { start: randomValue(rand, 1), end: STRINGS[Math.floor(rand() * STRINGS.length)] };
    return base;
  }
  base[roll < 0.85 ? key : (KEYS[Math.floor(rand() * KEYS.length)] ?? 'x')] = randomValue(rand, 2);
  return base;
}

/** What any accepted message must look like, whatever was sent. */
function assertValid(name: MessageName, value: Record<string, unknown>): void {
  const allowed = Object.keys(messageSchemas[name].shape);
  for (const key of Object.keys(value)) assert.ok(allowed.includes(key), `unexpected key ${key}`);
  for (const key of ['approver', 'by', 'reason'] as const) {
    if (value[key] === undefined) continue;
    const text = value[key];
    assert.equal(typeof text, 'string');
    if (typeof text !== 'string') continue;
    assert.equal(text, text.trim());
    assert.ok(text.length >= 1 && text.length <= (key === 'reason' ? MESSAGE_LIMITS.reason : MESSAGE_LIMITS.approver));
  }
  if (value.fingerprint !== undefined) {
    assert.equal(typeof value.fingerprint, 'string');
    assert.match(value.fingerprint as string, CANONICAL_FP);
  }
  if (value.window !== undefined) {
    const window = value.window as { start: string; end: string };
    const start = Date.parse(window.start);
    const end = Date.parse(window.end);
    assert.equal(new Date(start).toISOString(), window.start);
    assert.equal(new Date(end).toISOString(), window.end);
    assert.ok(end > start && end - start <= MESSAGE_LIMITS.windowMs);
  }
}

describe('parseMessage over generated payloads', () => {
  const SEED = 20261201;
  for (const name of MESSAGE_NAMES) {
    it(`${name}: 400 generated payloads are refused or valid, and none throws`, () => {
      const rand = prng(SEED + name.length * 7919 + name.charCodeAt(0));
      let accepted = 0;
      for (let i = 0; i < 400; i += 1) {
        const raw = i % 2 === 0 ? randomValue(rand, 3) : mutated(rand, name);
        let result: ReturnType<typeof parseMessage<typeof name>>;
        try {
          result = parseMessage(name, raw);
        } catch (error) {
          assert.fail(`case ${i} threw ${String(error)}`);
        }
        if (result.ok) {
          accepted += 1;
          assertValid(name, result.value);
        } else {
          assert.equal(typeof result.problem, 'string');
          assert.ok(result.problem.length > 0 && result.problem.length < 1_000, `case ${i}: refusal of ${result.problem.length} characters`);
        }
      }
      // The generator reaches valid payloads too, so the accepting path is exercised.
      assert.ok(accepted > 0, 'no generated payload was accepted');
    });
  }
});
