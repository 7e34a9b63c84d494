import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signRsaSha256 } from '../../src/certificates';
import { isRotationError, RotationError } from '../../src/domain/errors';
import { startSandboxVendor, type SandboxVendor, type SandboxVendorHandle } from '../../src/sandbox/vendor';
import { HttpVendorRegistry, type HttpRegistryConfig } from '../../src/vendors/http-registry';
import { sendHttpRequest } from '../../src/vendors/http-transport';
import { FAST_RETRY, makeOrgKey, rejectionOf, testRun, type OrgKey } from './vendor-test-kit';

const TOKEN = 'sandbox-token-s3cr3t-value';
const RUN = testRun('wf-registry');

describe('http vendor registry against the sandbox vendor', () => {
  let sandbox: SandboxVendorHandle & { vendor: SandboxVendor };
  let oldKey: OrgKey;
  let newKey: OrgKey;
  let orgCounter = 0;

  before(async () => {
    sandbox = await startSandboxVendor({ token: TOKEN });
    [oldKey, newKey] = await Promise.all([makeOrgKey('old.example.org'), makeOrgKey('new.example.org')]);
  });
  after(async () => {
    await sandbox?.close();
  });

  /** A fresh org per test so tests do not see each other's keys or faults. */
  function freshOrg(mode: 'single-key' | 'multi-key'): string {
    orgCounter += 1;
    const orgId = `org-${mode}-${orgCounter}`;
    sandbox.vendor.registry.putOrg(orgId, mode);
    return orgId;
  }

  function registry(overrides: Partial<HttpRegistryConfig> = {}): HttpVendorRegistry {
    return new HttpVendorRegistry({ vendorName: 'Sandbox', baseUrl: sandbox.url, bearerToken: TOKEN, retry: FAST_RETRY, timeoutMs: 3_000, ...overrides });
  }

  function writesFor(orgId: string, operation?: string): number {
    return sandbox.vendor.state().writes.filter((w) => w.orgId === orgId && (operation === undefined || w.operation === operation)).length;
  }

  it('stages, activates and verifies on a multi-key org, trusting old and new at once', async () => {
    const orgId = freshOrg('multi-key');
    const vendor = registry();
    assert.equal(vendor.kind, 'registry');
    assert.equal(vendor.name, 'Sandbox');
    assert.deepEqual(await vendor.capabilities(orgId), { multipleActiveKeys: true, approvalState: true, continuity: true });

    const oldFp = await vendor.stageKey(orgId, oldKey.certificatePem, RUN);
    assert.equal(oldFp, oldKey.fingerprint);
    await vendor.activateKey(orgId, oldFp, RUN);
    const newFp = await vendor.stageKey(orgId, newKey.certificatePem, testRun('wf-multi'));
    assert.equal(newFp, newKey.fingerprint);

    let keys = await vendor.listKeys(orgId);
    assert.deepEqual(keys.map((k) => [k.fingerprint, k.state]), [
      [oldFp, 'active'],
      [newFp, 'staged'],
    ]);
    assert.ok(keys[1]?.certificatePem?.includes('BEGIN CERTIFICATE'));

    // Fingerprints are accepted in any form the toolkit accepts.
    await vendor.activateKey(orgId, newFp.replace(/:/g, '').toLowerCase(), testRun('wf-multi'));
    keys = await vendor.listKeys(orgId);
    assert.deepEqual(keys.map((k) => k.state), ['active', 'active']);

    const nonce = 'nonce-1234';
    assert.deepEqual(await vendor.verifySignature(orgId, nonce, signRsaSha256(newKey.privateKeyPem, nonce)), { valid: true, matchedFingerprint: newFp });
    assert.deepEqual(await vendor.verifySignature(orgId, nonce, signRsaSha256(oldKey.privateKeyPem, nonce)), { valid: true, matchedFingerprint: oldFp });

    await vendor.retireKey(orgId, oldFp, testRun('wf-multi'));
    assert.deepEqual(await vendor.verifySignature(orgId, nonce, signRsaSha256(oldKey.privateKeyPem, nonce)), { valid: false, matchedFingerprint: null });
    assert.deepEqual(await vendor.verifySignature(orgId, 'other nonce', signRsaSha256(newKey.privateKeyPem, nonce)), { valid: false, matchedFingerprint: null });

    await vendor.restoreKey(orgId, oldFp, testRun('wf-multi'));
    assert.equal((await vendor.listKeys(orgId)).find((k) => k.fingerprint === oldFp)?.state, 'active');
  });

  it('single-key org refuses a second active key with KEY_LIMIT and a message that says what to do', async () => {
    const orgId = freshOrg('single-key');
    const vendor = registry();
    assert.equal((await vendor.capabilities(orgId)).multipleActiveKeys, false);
    await vendor.activateKey(orgId, await vendor.stageKey(orgId, oldKey.certificatePem, RUN), RUN);
    const fp = await vendor.stageKey(orgId, newKey.certificatePem, RUN);

    const error = await rejectionOf(vendor.activateKey(orgId, fp, RUN));
    assert.ok(isRotationError(error, 'KEY_LIMIT'), String(error));
    assert.equal(error.retryable, false);
    assert.match(error.message, /replace|retire the old key/);
    const states = (await vendor.listKeys(orgId)).map((k) => k.state);
    assert.deepEqual(states, ['active', 'staged'], 'the refused activation changed nothing');
  });

  it('single-key org swaps atomically with replace: true', async () => {
    const orgId = freshOrg('single-key');
    const vendor = registry();
    const oldFp = await vendor.stageKey(orgId, oldKey.certificatePem, RUN);
    await vendor.activateKey(orgId, oldFp, RUN);
    const newFp = await vendor.stageKey(orgId, newKey.certificatePem, RUN);
    // The refusal above is not stored, so the same request with `replace` is a new request.
    await rejectionOf(vendor.activateKey(orgId, newFp, testRun('wf-swap')));

    await vendor.activateKey(orgId, newFp, { replace: true, ...testRun('wf-swap') });
    const keys = await vendor.listKeys(orgId);
    assert.deepEqual(keys.map((k) => [k.fingerprint, k.state]), [
      [oldFp, 'retired'],
      [newFp, 'active'],
    ]);
    // Same instant: the old key's retirement and the new key's activation.
    assert.equal(keys[0]?.retiredAt, keys[1]?.activatedAt);
    const swap = sandbox.vendor.state().writes.filter((w) => w.orgId === orgId && w.operation === 'activateKey');
    assert.equal(swap.length, 2, 'one activate for the old key, one replacing activate for the new one');

    // Compensation: restoring the old key on a single-key org also needs replace.
    assert.ok(isRotationError(await rejectionOf(vendor.restoreKey(orgId, oldFp, RUN)), 'KEY_LIMIT'));
    await vendor.restoreKey(orgId, oldFp, { replace: true, ...RUN });
    assert.deepEqual((await vendor.listKeys(orgId)).map((k) => k.state), ['active', 'retired']);
  });

  it('a write retried after the vendor applied it but the answer was lost applies once', async () => {
    const orgId = freshOrg('multi-key');
    const vendor = registry();
    const fp = await vendor.stageKey(orgId, newKey.certificatePem, RUN);
    sandbox.vendor.faults.add({ operation: 'activateKey', drop: true, when: 'after-apply', times: 1 });

    await vendor.activateKey(orgId, fp, testRun('wf-drop'));

    const state = sandbox.vendor.state();
    const activations = state.writes.filter((w) => w.orgId === orgId && w.operation === 'activateKey');
    assert.equal(activations.length, 1, 'applied exactly once');
    assert.equal((await vendor.listKeys(orgId))[0]?.state, 'active');
    assert.ok((state.requests.activateKey ?? 0) >= 2, 'the adapter did retry');
  });

  it('a write past its deadline fails retryable; applied late by the slow vendor, its retry is not applied twice', async () => {
    const orgId = freshOrg('multi-key');
    sandbox.vendor.faults.add({ operation: 'stageKey', latencyMs: 300, times: 1 });
    const vendor = registry({ timeoutMs: 100 });
    const late = await rejectionOf(vendor.stageKey(orgId, newKey.certificatePem, testRun('wf-slow')));
    assert.ok(isRotationError(late, 'VENDOR_UNAVAILABLE'), String(late));
    assert.equal(late.retryable, true);
    assert.match(late.message, /Vendor Sandbox .* did not answer stageKey for org "[^"]+" within 100 ms/);
    // Temporal's retry of the same run.
    assert.equal(await vendor.stageKey(orgId, newKey.certificatePem, testRun('wf-slow')), newKey.fingerprint);
    // Let the slow first request finish on the server side, then count.
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal(writesFor(orgId, 'stageKey'), 1);
    assert.equal(sandbox.vendor.state().writes.filter((w) => w.orgId === orgId).length, 1);
  });

  it('the same write from a restarted worker (a new adapter) sends the same Idempotency-Key', async () => {
    const orgId = freshOrg('multi-key');
    const fp = await registry().stageKey(orgId, newKey.certificatePem, testRun('wf-restart'));
    await registry().stageKey(orgId, newKey.certificatePem, testRun('wf-restart'));
    await registry().activateKey(orgId, fp, testRun('wf-restart'));
    await registry().activateKey(orgId, fp, testRun('wf-restart'));
    assert.equal(writesFor(orgId, 'stageKey'), 1);
    assert.equal(writesFor(orgId, 'activateKey'), 1);
    // Another run repeating the write is a new request (applied, as a no-op).
    await registry().activateKey(orgId, fp, testRun('wf-restart', 'run-2'));
    assert.equal(writesFor(orgId, 'activateKey'), 2);
  });

  it('two runs of one workflow id restoring the same key are both applied; a run\'s retry is applied once', async () => {
    const orgId = freshOrg('multi-key');
    const vendor = registry();
    const oldFp = await vendor.stageKey(orgId, oldKey.certificatePem, testRun('seed'));
    await vendor.activateKey(orgId, oldFp, testRun('seed'));
    const stateOfOld = async (): Promise<string | undefined> => (await vendor.listKeys(orgId)).find((k) => k.fingerprint === oldFp)?.state;

    // The first rotation retires the old key, then is rolled back.
    const first = testRun('rotate-org-cert', 'run-1');
    await vendor.retireKey(orgId, oldFp, first);
    await vendor.restoreKey(orgId, oldFp, first);
    assert.equal(await stateOfOld(), 'active');

    // A later rotation (same workflow id, new run) does the same: each write is a new request.
    const second = testRun('rotate-org-cert', 'run-2');
    await vendor.retireKey(orgId, oldFp, second);
    assert.equal(await stateOfOld(), 'retired', 'the second run\'s retire was applied, not replayed');
    await vendor.restoreKey(orgId, oldFp, second);
    assert.equal(await stateOfOld(), 'active', 'the second run\'s restore was applied, not replayed');
    assert.equal(writesFor(orgId, 'retireKey'), 2);
    assert.equal(writesFor(orgId, 'restoreKey'), 2);

    // The second run's restore retried (by Temporal, or a restarted worker) is the same request.
    await registry().restoreKey(orgId, oldFp, second);
    assert.equal(writesFor(orgId, 'restoreKey'), 2);
  });

  it('the sandbox refuses a reused Idempotency-Key with a different body (422)', async () => {
    const orgId = freshOrg('multi-key');
    const send = (certificatePem: string) =>
      sendHttpRequest({
        method: 'POST',
        url: new URL(`${sandbox.url}/v1/orgs/${orgId}/keys`),
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': 'test-key-0001' },
        body: JSON.stringify({ certificatePem }),
        timeoutMs: 3_000,
      });
    assert.equal((await send(oldKey.certificatePem)).status, 201);
    const replay = await send(oldKey.certificatePem);
    assert.equal(replay.status, 201, 'the stored response, not a fresh 200');
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const reused = await send(newKey.certificatePem);
    assert.equal(reused.status, 422);
    assert.equal((JSON.parse(reused.body) as { code: string }).code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(writesFor(orgId), 1);
  });

  it('retries 503s with backoff and then succeeds', async () => {
    const orgId = freshOrg('multi-key');
    const delays: number[] = [];
    const vendor = new HttpVendorRegistry(
      { baseUrl: sandbox.url, bearerToken: TOKEN, retry: { ...FAST_RETRY, maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 40 } },
      { random: () => 0.5, sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      } },
    );
    sandbox.vendor.faults.add({ operation: 'stageKey', status: 503, times: 3 });
    const before = sandbox.vendor.state().requests.stageKey ?? 0;

    assert.equal(await vendor.stageKey(orgId, newKey.certificatePem, RUN), newKey.fingerprint);
    assert.equal((sandbox.vendor.state().requests.stageKey ?? 0) - before, 4);
    assert.deepEqual(delays, [5, 10, 20], 'exponential, full jitter (random 0.5 of 10, 20, 40)');
    assert.equal(writesFor(orgId, 'stageKey'), 1);
  });

  it('gives up with a retryable VENDOR_UNAVAILABLE when the vendor stays down', async () => {
    const orgId = freshOrg('multi-key');
    sandbox.vendor.faults.add({ operation: 'listKeys', status: 500, times: FAST_RETRY.maxAttempts });
    const error = await rejectionOf(registry().listKeys(orgId));
    assert.ok(isRotationError(error, 'VENDOR_UNAVAILABLE'), String(error));
    assert.equal(error.retryable, true);
    assert.match(error.message, /after 4 attempts/);
  });

  it('a network failure (nothing listening) is VENDOR_UNAVAILABLE after the retries', async () => {
    const closed = await startSandboxVendor();
    const url = closed.url;
    await closed.close();
    const error = await rejectionOf(registry({ baseUrl: url }).listKeys('any'));
    assert.ok(isRotationError(error, 'VENDOR_UNAVAILABLE'), String(error));
    assert.equal(error.details.networkError, 'ECONNREFUSED');
  });

  it('a wrong bearer token is VENDOR_AUTH_FAILED, not retried, and the token is never shown', async () => {
    const orgId = freshOrg('multi-key');
    const wrong = 'wrong-token-never-print-me';
    const before = sandbox.vendor.state().requests.listKeys ?? 0;
    const error = await rejectionOf(registry({ bearerToken: wrong }).listKeys(orgId));
    assert.ok(isRotationError(error, 'VENDOR_AUTH_FAILED'), String(error));
    assert.equal(error.retryable, false);
    assert.equal((sandbox.vendor.state().requests.listKeys ?? 0) - before, 1, 'not retried');
    assert.match(error.message, /bearer token/);
    const everything = `${error.message} ${JSON.stringify(error.details)} ${String(error.stack)}`;
    assert.ok(!everything.includes(wrong));
    assert.ok(!everything.includes(TOKEN));
  });

  it('maps refusals to typed errors: unknown key, unknown org, bad certificate', async () => {
    const orgId = freshOrg('multi-key');
    const vendor = registry();
    const notFound = await rejectionOf(vendor.activateKey(orgId, newKey.fingerprint, RUN));
    assert.ok(isRotationError(notFound, 'KEY_NOT_FOUND'), String(notFound));
    assert.match(notFound.message, /Stage the certificate first/);

    assert.ok(isRotationError(await rejectionOf(vendor.listKeys('no-such-org')), 'CONFIG_INVALID'));

    const expired = await makeOrgKey('expired.example.org', { notBefore: new Date(Date.now() - 10 * 86_400_000), validityDays: 2 });
    const rejected = await rejectionOf(vendor.stageKey(orgId, expired.certificatePem, RUN));
    assert.ok(isRotationError(rejected, 'KEY_REJECTED'), String(rejected));
    assert.match(rejected.message, /expired/);

    const fp = await vendor.stageKey(orgId, oldKey.certificatePem, RUN);
    const wrongState = await rejectionOf(vendor.restoreKey(orgId, fp, RUN));
    assert.ok(isRotationError(wrongState, 'KEY_REJECTED'), String(wrongState));
  });

  it('refuses configuration without credentials, naming the field', () => {
    assert.throws(
      () => new HttpVendorRegistry({ baseUrl: sandbox.url }),
      (error: unknown) => error instanceof RotationError && error.code === 'CONFIG_INVALID' && error.details.field === 'bearerToken',
    );
    assert.throws(
      () => new HttpVendorRegistry({ baseUrl: 'ftp://x', bearerToken: 't' }),
      (error: unknown) => error instanceof RotationError && error.details.field === 'baseUrl',
    );
  });
});

describe('http vendor registry with client-certificate (two-way TLS) authentication', () => {
  let sandbox: SandboxVendorHandle & { vendor: SandboxVendor };
  let apiClient: OrgKey;
  let stranger: OrgKey;

  before(async () => {
    [apiClient, stranger] = await Promise.all([makeOrgKey('api-client.example.org'), makeOrgKey('stranger.example.org')]);
    sandbox = await startSandboxVendor({
      apiClientFingerprints: [apiClient.fingerprint],
      fixture: { orgs: [{ orgId: 'tls-org', mode: 'multi-key', keys: [] }] },
    });
  });
  after(async () => {
    await sandbox?.close();
  });

  it('works over HTTPS with the client certificate and the sandbox CA as extra trust', async () => {
    const vendor = new HttpVendorRegistry({ baseUrl: sandbox.tlsUrl, clientCertificate: apiClient, caPem: sandbox.caPem, retry: FAST_RETRY });
    const fp = await vendor.stageKey('tls-org', stranger.certificatePem, RUN);
    await vendor.activateKey('tls-org', fp, RUN);
    assert.equal((await vendor.listKeys('tls-org'))[0]?.state, 'active');
  });

  it('a client certificate the vendor does not accept is VENDOR_AUTH_FAILED', async () => {
    const vendor = new HttpVendorRegistry({ baseUrl: sandbox.tlsUrl, clientCertificate: stranger, caPem: sandbox.caPem, retry: FAST_RETRY });
    const error = await rejectionOf(vendor.listKeys('tls-org'));
    assert.ok(isRotationError(error, 'VENDOR_AUTH_FAILED'), String(error));
    assert.ok(!error.message.includes('PRIVATE KEY'));
  });

  it('without the sandbox CA the vendor cannot be verified: VENDOR_AUTH_FAILED naming caPem, not retried', async () => {
    const vendor = new HttpVendorRegistry({ baseUrl: sandbox.tlsUrl, clientCertificate: apiClient, retry: FAST_RETRY });
    const error = await rejectionOf(vendor.listKeys('tls-org'));
    assert.ok(isRotationError(error, 'VENDOR_AUTH_FAILED'), String(error));
    assert.match(error.message, /caPem/);
  });
});
