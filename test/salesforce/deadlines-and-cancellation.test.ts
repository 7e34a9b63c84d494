/**
 * Every request has a total deadline (body included), and the activity's signal stops the
 * adapter: a request in flight is aborted, and no further Salesforce call is made.
 * Deadlines are exercised against a tiny loopback server that answers too slowly.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import { runInCallContext } from '../../src/runtime/call-context';
import { createJsforceOrg } from '../../src/salesforce/jsforce-org';
import type { ReferenceChange, ReferenceTarget, SalesforceOrg } from '../../src/salesforce/org-port';
import { startDemoOrg, type DemoOrg } from './support';

/** A loopback HTTP server on a free port whose every request is handled by `handler`. */
async function slowServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function adapterFor(url: string, options: { requestTimeoutMs?: number; name?: string } = {}): SalesforceOrg {
  return createJsforceOrg({
    auth: { kind: 'access-token', instanceUrl: url, accessToken: '00D000000000001!token' },
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
}

/** Runs `fn` as an activity would, with `signal` as its cancellation signal. */
function inActivity<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return runInCallContext({ signal, heartbeat: () => undefined }, fn);
}

describe('jsforce adapter: request deadlines', () => {
  const timers = new Set<NodeJS.Timeout>();
  let trickle: Awaited<ReturnType<typeof slowServer>>;

  before(async () => {
    // headers at once, then one byte of JSON every 50 ms: a deadline on the headers alone would never fire
    trickle = await slowServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 50);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
    });
  });
  after(async () => {
    timers.forEach((t) => clearInterval(t));
    await trickle?.close();
  });

  it('fails a request whose body does not complete in time as a retryable NETWORK_ERROR naming the org and the operation', async () => {
    const org = adapterFor(trickle.url, { requestTimeoutMs: 300, name: 'prod-eu' });
    const before = trickle.requests();
    await assert.rejects(org.apiUsage(), (err: unknown) => {
      assert.ok(isRotationError(err, 'NETWORK_ERROR'), String(err));
      assert.equal(err.retryable, true);
      assert.match(err.message, /Salesforce org prod-eu gave no complete answer within 0\.3 s while reading API limits/);
      assert.equal(err.details.operation, 'reading API limits');
      return true;
    });
    assert.equal(trickle.requests() - before, 1, 'a missed deadline is left to the activity retry, not repeated here');
  });

  it('names the org by its host when no name is configured', async () => {
    const org = adapterFor(trickle.url, { requestTimeoutMs: 200 });
    await assert.rejects(org.listCertificates(), (err: unknown) => isRotationError(err, 'NETWORK_ERROR') && err.message.includes(new URL(trickle.url).host));
  });

  it('refuses a deadline that is not a positive number of milliseconds', () => {
    assert.throws(() => adapterFor(trickle.url, { requestTimeoutMs: 0 }), (err: unknown) => isRotationError(err, 'CONFIG_INVALID') && err.details.key === 'requestTimeoutMs');
  });
});

describe('jsforce adapter: cancellation', () => {
  it('aborts the request in flight when the activity is cancelled', async () => {
    const controller = new AbortController();
    let closedByClient!: () => void;
    const clientWentAway = new Promise<void>((resolve) => (closedByClient = resolve));
    // never answers; cancels the activity once the request has arrived
    const silent = await slowServer((req) => {
      req.socket.on('close', () => closedByClient());
      controller.abort(new Error('activity cancelled'));
    });
    try {
      const org = adapterFor(silent.url, { requestTimeoutMs: 60_000 });
      await assert.rejects(
        inActivity(controller.signal, () => org.apiUsage()),
        (err: unknown) => {
          assert.ok(isRotationError(err, 'CANCELLED'), String(err));
          assert.equal(err.retryable, false);
          assert.match(err.message, /activity was cancelled while reading API limits/);
          return true;
        },
      );
      await clientWentAway; // the connection really was dropped, not left hanging
      assert.equal(silent.requests(), 1);
    } finally {
      await silent.close();
    }
  });

  it('makes no Salesforce call at all once the activity is cancelled', async () => {
    const server = await slowServer((_req, res) => res.end('{}'));
    try {
      const org = adapterFor(server.url);
      await assert.rejects(
        inActivity(AbortSignal.abort(), () => org.apiUsage()),
        (err: unknown) => isRotationError(err, 'CANCELLED'),
      );
      assert.equal(server.requests(), 0);
    } finally {
      await server.close();
    }
  });
});

describe('jsforce adapter: cancellation between references', () => {
  const TARGETS: ReferenceTarget[] = [{ object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'hierarchy-setting' }];
  let demo: DemoOrg;
  let org: SalesforceOrg;

  before(async () => {
    demo = await startDemoOrg();
    org = demo.adapter();
  });
  after(async () => {
    await demo?.close();
  });

  it('stops before the next reference; the progress heard so far is what was applied', async () => {
    const refs = (await org.findReferences('Vendor_Signing', TARGETS)).filter((r) => r.scope !== 'named-credential');
    assert.equal(refs.length, 3);
    const changes: ReferenceChange[] = refs.map((r) => ({ ...r, expected: r.value, value: 'Partner_Signing' })).map(({ matchedBy: _m, ...change }) => change);
    const controller = new AbortController();
    const heard: number[] = [];
    await assert.rejects(
      inActivity(controller.signal, () =>
        org.updateReferences(changes, (done) => {
          heard.push(done.applied.length);
          controller.abort(); // cancelled right after the first reference
        }),
      ),
      (err: unknown) => isRotationError(err, 'CANCELLED'),
    );
    assert.deepEqual(heard, [1]);
    const values = (await org.findReferences('Partner_Signing', TARGETS)).map((r) => r.recordId);
    assert.deepEqual(values, [refs[0]?.recordId], 'only the first reference was switched');
    assert.equal((await org.findReferences('Vendor_Signing', TARGETS)).filter((r) => r.scope !== 'named-credential').length, 2);
  });
});
