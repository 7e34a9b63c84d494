/**
 * The per-org bound on concurrent Salesforce calls (src/salesforce/call-limiter.ts), with
 * a fake port whose every call stays pending until the test settles it — no timers, so a
 * busy machine cannot change an answer — and the configuration key that sets it.
 */
import assert from 'node:assert/strict';
import { setImmediate as settled } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import { runInCallContext } from '../../src/runtime/call-context';
import { CallLimiter, limitOrgCalls } from '../../src/salesforce/call-limiter';
import type { ReferenceProgress, SalesforceOrg } from '../../src/salesforce/org-port';
import { parseWorkerConfig } from '../../src/workers/config';

interface PendingCall {
  readonly name: string;
  readonly arg: unknown;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A port whose calls resolve or fail when the test says; it counts how many run at once. */
class FakeOrg {
  readonly calls: PendingCall[] = [];
  running = 0;
  mostAtOnce = 0;

  private pending(name: string, arg: unknown): Promise<never> {
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    return new Promise((resolve, reject) => {
      const done = (): void => void this.running--;
      this.calls.push({ name, arg, resolve: (v) => (done(), resolve(v as never)), reject: (e) => (done(), reject(e)) });
    });
  }

  /** The call the port received for `arg`, to settle it. */
  call(arg: unknown): PendingCall {
    const found = this.calls.find((c) => c.arg === arg);
    return found ?? assert.fail(`no call for ${String(arg)} has started (started: ${this.calls.map((c) => String(c.arg)).join(', ')})`);
  }

  started(): unknown[] {
    return this.calls.map((c) => c.arg);
  }

  getCertificate(uniqueName: string): Promise<never> {
    return this.pending('getCertificate', uniqueName);
  }

  organizationId(): Promise<string> {
    throw new Error('thrown before any promise');
  }

  apiUsage(): Promise<never> {
    return this.pending('apiUsage', 'apiUsage');
  }

  /** Re-entrant on the real port: uses its own getCertificate first. */
  async deleteCertificate(uniqueName: string): Promise<void> {
    await this.getCertificate(`${uniqueName} (inner)`);
  }

  async updateReferences(_changes: unknown, progress?: ReferenceProgress): Promise<{ applied: []; conflicts: [] }> {
    progress?.({ applied: [], conflicts: [] });
    await this.pending('updateReferences', 'updateReferences');
    return { applied: [], conflicts: [] };
  }
}

function limited(max: number, name = 'prod'): { fake: FakeOrg; org: SalesforceOrg; limiter: CallLimiter } {
  const fake = new FakeOrg();
  const limiter = new CallLimiter(max, name);
  return { fake, org: limitOrgCalls(fake as unknown as SalesforceOrg, limiter), limiter };
}

describe('CallLimiter and limitOrgCalls', () => {
  it('runs at most N calls at once; the others wait and start in the order they came', async () => {
    const { fake, org, limiter } = limited(2);
    const results = ['c1', 'c2', 'c3', 'c4', 'c5'].map((name) => org.getCertificate(name));
    await settled();
    assert.deepEqual(fake.started(), ['c1', 'c2']);
    assert.equal(limiter.running, 2);
    assert.equal(limiter.queued, 3);

    fake.call('c2').resolve('second');
    await settled();
    assert.deepEqual(fake.started(), ['c1', 'c2', 'c3']);
    fake.call('c1').resolve('first');
    await settled();
    assert.deepEqual(fake.started(), ['c1', 'c2', 'c3', 'c4']);
    fake.call('c4').resolve('fourth');
    await settled();
    assert.deepEqual(fake.started(), ['c1', 'c2', 'c3', 'c4', 'c5']);
    fake.call('c3').resolve('third');
    fake.call('c5').resolve('fifth');

    assert.deepEqual(await Promise.all(results), ['first', 'second', 'third', 'fourth', 'fifth']);
    assert.equal(fake.mostAtOnce, 2);
    assert.equal(limiter.running, 0);
    assert.equal(limiter.queued, 0);
  });

  it('frees the slot of a call that fails, or throws before returning a promise', async () => {
    const { fake, org, limiter } = limited(1);
    const failing = org.getCertificate('fails');
    const throwing = org.organizationId();
    const next = org.getCertificate('next');
    await settled();
    assert.deepEqual(fake.started(), ['fails']);

    fake.call('fails').reject(new Error('REQUEST_LIMIT_EXCEEDED'));
    await assert.rejects(failing, /REQUEST_LIMIT_EXCEEDED/);
    await assert.rejects(throwing, /thrown before any promise/);
    await settled();
    assert.deepEqual(fake.started(), ['fails', 'next']);
    fake.call('next').resolve('ok');
    assert.equal(await next, 'ok');
    assert.equal(limiter.running, 0);
  });

  it('gives each org its own slots', async () => {
    const prod = limited(1, 'prod');
    const uat = limited(1, 'uat');
    const busy = prod.org.getCertificate('prod-1');
    const waiting = prod.org.getCertificate('prod-2');
    const other = uat.org.getCertificate('uat-1');
    await settled();
    assert.deepEqual(prod.fake.started(), ['prod-1']);
    assert.deepEqual(uat.fake.started(), ['uat-1'], 'a full org does not hold up another');

    uat.fake.call('uat-1').resolve('u');
    prod.fake.call('prod-1').resolve('p1');
    await settled();
    prod.fake.call('prod-2').resolve('p2');
    assert.deepEqual(await Promise.all([busy, waiting, other]), ['p1', 'p2', 'u']);
  });

  it('takes one slot for the outer call: the port calling itself, or a callback calling the wrapper, does not deadlock', async () => {
    const { fake, org, limiter } = limited(1);
    const deleting = org.deleteCertificate('Old_Cert');
    await settled();
    assert.deepEqual(fake.started(), ['Old_Cert (inner)'], 'the port\'s inner call runs in the outer call\'s slot');
    fake.call('Old_Cert (inner)').resolve(undefined);
    await deleting;

    let fromCallback: Promise<unknown> | undefined;
    const updating = org.updateReferences([], () => {
      fromCallback = org.apiUsage(); // through the wrapper, while updateReferences holds the only slot
    });
    const outsider = org.getCertificate('outsider');
    await settled();
    assert.deepEqual(fake.started().slice(1), ['apiUsage', 'updateReferences'], 'the callback\'s call did not queue behind its caller');
    assert.equal(limiter.queued, 1, 'an unrelated call still waits');
    fake.call('apiUsage').resolve({ max: 1, remaining: 1, used: 0 });
    fake.call('updateReferences').resolve(undefined);
    await Promise.all([updating, fromCallback]);
    await settled();
    fake.call('outsider').resolve('last');
    assert.equal(await outsider, 'last');
    assert.equal(fake.mostAtOnce, 2, 'the callback\'s call shared the slot (two calls of one activity at once)');
  });

  it('stops waiting with CANCELLED when the activity is cancelled, leaving the queue', async () => {
    const { fake, org, limiter } = limited(1);
    const busy = org.getCertificate('busy');
    const controller = new AbortController();
    const cancelled = runInCallContext({ signal: controller.signal, heartbeat: () => undefined }, () => org.getCertificate('cancelled'));
    const after = org.getCertificate('after');
    await settled();
    assert.equal(limiter.queued, 2);

    controller.abort();
    await assert.rejects(cancelled, (error) => isRotationError(error, 'CANCELLED') && /waiting for one of the 1 Salesforce call slots of org prod/.test(error.message));
    assert.equal(limiter.queued, 1);
    fake.call('busy').resolve('b');
    await settled();
    assert.deepEqual(fake.started(), ['busy', 'after'], 'the cancelled caller made no call');
    fake.call('after').resolve('a');
    assert.deepEqual(await Promise.all([busy, after]), ['b', 'a']);
  });
});

describe('orgs.<alias>.maxConcurrentCalls', () => {
  const config = (maxConcurrentCalls?: unknown): unknown => ({
    orgs: {
      prod: {
        vendorOrgId: '00D5g000000XXXXEAA',
        auth: { kind: 'access-token', instanceUrl: 'https://example.my.salesforce.com', accessToken: 'token' },
        ...(maxConcurrentCalls === undefined ? {} : { maxConcurrentCalls }),
      },
    },
    vendors: {},
  });

  it('defaults to 8 and takes 1 to 25', () => {
    assert.equal(parseWorkerConfig(config(), {}).orgs.prod?.maxConcurrentCalls, 8);
    assert.equal(parseWorkerConfig(config(1), {}).orgs.prod?.maxConcurrentCalls, 1);
    assert.equal(parseWorkerConfig(config(25), {}).orgs.prod?.maxConcurrentCalls, 25);
  });

  it('refuses 0, 26 and non-integers, naming the key', () => {
    for (const value of [0, 26, 2.5, '8']) {
      assert.throws(
        () => parseWorkerConfig(config(value), {}),
        (error) => isRotationError(error, 'CONFIG_INVALID') && /^Worker configuration: orgs\.prod\.maxConcurrentCalls: a whole number from 1 to 25/.test(error.message),
        String(value),
      );
    }
  });
});
