import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, deriveIdempotencyKey, runScope } from '../../src/vendors/idempotency-key';
import { backoffDelayMs, isRetryableStatus, parseRetryAfter, type RetryPolicy } from '../../src/vendors/retry-policy';
import { FaultInjector } from '../../src/sandbox/vendor';

const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

describe('idempotency keys', () => {
  const base = { operation: 'activateKey', orgId: 'org-1', fingerprint: FP, body: { replace: true }, run: { workflowId: 'wf-1', runId: 'run-1' } };

  it('are a pure function of the write (a restarted process derives the same key)', () => {
    assert.equal(deriveIdempotencyKey(base), deriveIdempotencyKey({ ...base, body: { replace: true } }));
    assert.match(deriveIdempotencyKey(base), /^certrot-[0-9a-f]{48}$/);
  });

  it('differ when anything that changes the meaning differs', () => {
    const key = deriveIdempotencyKey(base);
    for (const variant of [
      { ...base, operation: 'restoreKey' },
      { ...base, orgId: 'org-2' },
      { ...base, fingerprint: FP.replace('AB', 'AC') },
      { ...base, body: {} },
      { ...base, run: { workflowId: 'wf-2', runId: 'run-1' } },
      { ...base, run: { workflowId: 'wf-1', runId: 'run-2' } },
    ]) {
      assert.notEqual(deriveIdempotencyKey(variant), key, JSON.stringify(variant));
    }
  });

  it('are scoped by the run: workflow id and run id', () => {
    assert.equal(runScope(base.run), 'wf-1/run-1');
  });

  it('ignore the order of body fields', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } }), '{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}');
  });
});

describe('retry policy', () => {
  const policy: RetryPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2 };

  it('backs off exponentially with full jitter, capped', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(policy, attempt, () => 0.999999)), [99, 199, 399, 799, 999, 999]);
    assert.equal(backoffDelayMs(policy, 3, () => 0), 0);
  });

  it('honours Retry-After within the cap', () => {
    assert.equal(backoffDelayMs(policy, 1, () => 0.5, 300), 300);
    assert.equal(backoffDelayMs(policy, 1, () => 0.5, 60_000), 1_000);
    assert.equal(parseRetryAfter('2'), 2_000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 7_000), 3_000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });

  it('retries overload and server errors only', () => {
    assert.deepEqual([400, 401, 404, 409, 422, 429, 500, 503].map(isRetryableStatus), [false, false, false, false, false, true, true, true]);
  });
});

describe('sandbox fault injector', () => {
  it('strikes the next N matching calls, then stops', () => {
    const faults = new FaultInjector([{ operation: 'stageKey', status: 503, times: 2 }]);
    assert.equal(faults.draw('listKeys').failure, undefined);
    assert.equal(faults.draw('stageKey').failure?.status, 503);
    assert.equal(faults.draw('stageKey').failure?.status, 503);
    assert.equal(faults.draw('stageKey').failure, undefined);
  });

  it('strikes a fraction of calls, drawn from the injected randomness', () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    const faults = new FaultInjector([{ status: 500, probability: 0.5 }], () => draws.shift() ?? 0);
    assert.deepEqual([1, 2, 3, 4].map(() => faults.draw('verifySignature').failure?.status ?? 200), [500, 200, 500, 200]);
  });

  it('adds latency and refuses rules that do nothing, naming the field', () => {
    const faults = new FaultInjector([{ operation: '*', latencyMs: 25 }]);
    assert.deepEqual(faults.draw('mtls'), { latencyMs: 25 });
    assert.throws(() => faults.add({ operation: 'stageKey' }), /latencyMs, status or drop/);
    assert.throws(() => faults.add({ operation: 'nope', status: 503 }), /operation/);
  });
});
