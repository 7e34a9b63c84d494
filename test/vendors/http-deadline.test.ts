/**
 * Deadlines and cancellation of vendor requests, against a loopback server that answers
 * "200 OK" and then trickles the body one byte at a time and never finishes: an idle
 * timeout would never fire on it. The tests assert outcomes (which error, that the server
 * saw its socket closed, how many requests it got), never how long anything took; the
 * per-test timeout only turns a hang into a failure.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import { DeadlineExceeded, runInCallContext } from '../../src/runtime/call-context';
import { sendHttpRequest } from '../../src/vendors/http-transport';
import { ManualVendor } from '../../src/vendors/manual-vendor';
import { createVendor } from '../../src/vendors/vendor-config';
import type { KeyRegistry } from '../../src/vendors/vendor-port';
import { makeOrgKey, rejectionOf, testRun } from './vendor-test-kit';

const GUARD = { timeout: 10_000 };
const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

interface TrickleServer {
  url: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Resolves once every socket the server accepted has closed. */
  allSocketsClosed(): Promise<void>;
  close(): Promise<void>;
}

/** `onRequest` runs when a request arrives (e.g. to cancel the caller at that moment). */
async function startTrickleServer(onRequest: () => void = () => undefined): Promise<TrickleServer> {
  const closed: Promise<void>[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
    res.write('{');
    const trickle = setInterval(() => res.write(' '), 20);
    req.socket.once('close', () => clearInterval(trickle));
    onRequest();
  });
  server.on('connection', (socket) => closed.push(new Promise((resolve) => socket.once('close', () => resolve()))));
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    allSocketsClosed: async () => {
      await Promise.all(closed);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function registryOn(url: string, timeoutMs?: number): KeyRegistry {
  const vendor = createVendor('acme', {
    kind: 'http',
    registry: { baseUrl: url, bearerToken: 'trickle-token', retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 }, ...(timeoutMs ? { timeoutMs } : {}) },
  });
  assert.equal(vendor.kind, 'registry');
  return vendor;
}

function inActivity<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return runInCallContext({ signal, heartbeat() {} }, fn);
}

describe('vendor request deadlines and cancellation', () => {
  it('the transport cuts a trickling answer at its total deadline and closes the socket', GUARD, async () => {
    const server = await startTrickleServer();
    try {
      const error = await rejectionOf(sendHttpRequest({ method: 'GET', url: new URL(`${server.url}/slow`), timeoutMs: 300 }));
      assert.ok(error instanceof DeadlineExceeded, String(error));
      await server.allSocketsClosed();
      assert.equal(server.requests, 1);
    } finally {
      await server.close();
    }
  });

  it('a registry call past its deadline is a retryable VENDOR_UNAVAILABLE naming the vendor and the operation, not repeated', GUARD, async () => {
    const server = await startTrickleServer();
    try {
      const { certificatePem } = await makeOrgKey('trickle.example.org');
      const late = await rejectionOf(registryOn(server.url, 300).stageKey('org-1', certificatePem, testRun()));
      assert.ok(isRotationError(late, 'VENDOR_UNAVAILABLE'), String(late));
      assert.equal(late.retryable, true);
      assert.match(late.message, /^Vendor acme \(http:\/\/127\.0\.0\.1:\d+\) did not answer stageKey for org "org-1" within 300 ms/);
      assert.equal(late.details.vendor, 'acme');
      assert.equal(late.details.operation, 'stageKey');
      assert.ok(!late.message.includes('trickle-token'));
      await server.allSocketsClosed();
      assert.equal(server.requests, 1, 'a missed deadline is not retried inside the adapter');
    } finally {
      await server.close();
    }
  });

  it('cancelling the activity stops the request at once with the activity\'s reason, and closes the socket', GUARD, async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled (test)');
    const server = await startTrickleServer(() => controller.abort(reason));
    try {
      // The default 30 s deadline is far away: only the cancellation can end this call.
      const error = await rejectionOf(inActivity(controller.signal, () => registryOn(server.url).listKeys('org-1')));
      assert.equal(error, reason);
      await server.allSocketsClosed();
      assert.equal(server.requests, 1, 'not retried after the cancellation');
    } finally {
      await server.close();
    }
  });

  it('an activity already cancelled sends nothing', GUARD, async () => {
    const server = await startTrickleServer();
    try {
      const controller = new AbortController();
      const reason = new Error('cancelled before the call');
      controller.abort(reason);
      assert.equal(await rejectionOf(inActivity(controller.signal, () => registryOn(server.url).listKeys('org-1'))), reason);
      assert.equal(server.requests, 0);
    } finally {
      await server.close();
    }
  });

  it('a team notice stops when the activity is cancelled (not reported as a delivery failure)', GUARD, async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled (test)');
    const server = await startTrickleServer(() => controller.abort(reason));
    const team = new ManualVendor({ vendorName: 'Globex', webhook: { url: `${server.url}/hook` } });
    try {
      const notice = { kind: 'retire' as const, orgId: 'org-1', fingerprint: FP, ...testRun() };
      assert.equal(await rejectionOf(inActivity(controller.signal, () => team.notify(notice))), reason);
      await server.allSocketsClosed();
    } finally {
      team.close();
      await server.close();
    }
  });

  it('a webhook that trickles is cut at its deadline: a retryable NOTIFICATION_FAILED', GUARD, async () => {
    const server = await startTrickleServer();
    const team = new ManualVendor({ vendorName: 'Globex', webhook: { url: `${server.url}/hook`, timeoutMs: 300 } });
    try {
      const error = await rejectionOf(team.notify({ kind: 'retire', orgId: 'org-1', fingerprint: FP, ...testRun() }));
      assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
      assert.equal(error.retryable, true);
      await server.allSocketsClosed();
    } finally {
      team.close();
      await server.close();
    }
  });
});
