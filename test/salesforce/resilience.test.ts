/**
 * The adapter's retry policy and re-login against faults injected into the sandbox org.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import { createJsforceOrg } from '../../src/salesforce/jsforce-org';
import type { SalesforceOrg } from '../../src/salesforce/org-port';
import { startDemoOrg, type DemoOrg } from './support';

describe('jsforce adapter: retries and re-login', () => {
  let demo: DemoOrg;
  let org: SalesforceOrg;

  before(async () => {
    demo = await startDemoOrg();
    org = demo.adapter();
    await org.apiUsage(); // logged in before faults start
  });
  beforeEach(async () => {
    await fetch(`${demo.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  });
  after(async () => {
    await demo?.close();
  });

  /** Counts token requests: a zero-latency fault consumes one of its "times" per call. */
  const countLogins = async (): Promise<() => Promise<number>> => {
    await demo.injectFaults([{ operation: 'oauth.token', kind: 'latency', latencyMs: 0, times: 100 }]);
    return async () => {
      const { faults } = (await (await fetch(`${demo.sandbox.url}/__sandbox/faults`)).json()) as { faults: { operation: string; times?: number }[] };
      return 100 - (faults.find((f) => f.operation === 'oauth.token')?.times ?? 0);
    };
  };

  it('survives 503s and REQUEST_LIMIT_EXCEEDED on REST, Tooling and SOAP', async () => {
    await demo.injectFaults([
      { operation: 'tooling.query', kind: 'http-503', times: 2 },
      { operation: 'metadata.listMetadata', kind: 'request-limit', times: 1 },
      { operation: 'metadata.readMetadata', kind: 'http-503', times: 1 },
      { operation: 'rest.limits', kind: 'request-limit', times: 2 },
    ]);
    assert.equal((await org.listCertificates()).length, 2);
    assert.ok((await org.getCertificate('Vendor_Signing')).certificatePem);
    assert.ok((await org.apiUsage()).max > 0);
  });

  it('never duplicates a certificate when the answer to create is lost: the retry finds it and refuses to adopt it', async () => {
    const before = (await demo.state()).certificates.length;
    await demo.injectFaults([
      // the create happens, then the client sees a 503 and retries the whole check-then-create
      { operation: 'metadata.createMetadata', kind: 'http-503', after: true, times: 1 },
    ]);
    const started = Date.now();
    await assert.rejects(org.createCertificate({ uniqueName: 'Retry_Safe', label: 'Retry Safe', keySize: 2048, caSigned: false, privateKeyExportable: true }), (err: unknown) => {
      assert.ok(isRotationError(err, 'CERT_ALREADY_EXISTS'));
      assert.deepEqual(err.details, { uniqueName: 'Retry_Safe' });
      return true;
    });
    const state = await demo.state();
    assert.equal(state.certificates.length, before + 1);
    assert.equal(state.certificates.filter((c) => c.uniqueName === 'Retry_Safe').length, 1);
    // what the caller proves ownership with: the org's own creation time, from this attempt
    const createdAt = (await org.getCertificate('Retry_Safe')).createdAt;
    assert.ok(createdAt !== null && Date.parse(createdAt) >= started - 1000);
  });

  it('retries a refused create (REQUEST_LIMIT_EXCEEDED) that changed nothing, and creates once', async () => {
    await demo.injectFaults([{ operation: 'metadata.createMetadata', kind: 'request-limit', times: 1 }]);
    const created = await org.createCertificate({ uniqueName: 'Limit_Safe', label: 'Limit Safe', keySize: 2048, caSigned: false, privateKeyExportable: true });
    assert.equal(created.uniqueName, 'Limit_Safe');
    assert.equal((await demo.state()).certificates.filter((c) => c.uniqueName === 'Limit_Safe').length, 1);
  });

  it('logs in again exactly once when the session expires (REST and SOAP)', async () => {
    const logins = await countLogins();
    await demo.injectFaults([{ operation: 'rest.limits', kind: 'session-expired', times: 1 }]);
    assert.ok((await org.apiUsage()).max > 0);
    assert.equal(await logins(), 1);

    await demo.injectFaults([{ operation: 'metadata.readMetadata', kind: 'session-expired', times: 1 }]);
    assert.ok((await org.getCertificate('Partner_Signing')).certificatePem);
    assert.equal(await logins(), 2);
  });

  it('gives up with AUTH_FAILED when the new session is rejected too', async () => {
    const logins = await countLogins();
    await demo.injectFaults([{ operation: 'rest.limits', kind: 'session-expired', times: 2 }]);
    await assert.rejects(org.apiUsage(), (err: unknown) => isRotationError(err, 'AUTH_FAILED'));
    assert.equal(await logins(), 1, 'one re-login, not a loop');
  });

  it('stops after maxAttempts with a retryable error', async () => {
    await demo.injectFaults([{ operation: 'rest.limits', kind: 'http-500' }]);
    await assert.rejects(org.apiUsage(), (err: unknown) => isRotationError(err, 'SALESFORCE_ERROR') && err.retryable);
    await fetch(`${demo.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    await demo.injectFaults([{ operation: 'rest.limits', kind: 'request-limit' }]);
    await assert.rejects(org.apiUsage(), (err: unknown) => isRotationError(err, 'API_LIMIT') && err.retryable);
  });

  it('maps an unreachable org to NETWORK_ERROR', async () => {
    const unreachable = createJsforceOrg({
      auth: { kind: 'access-token', instanceUrl: 'http://127.0.0.1:9', accessToken: '00D000000000001!x' },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    await assert.rejects(unreachable.apiUsage(), (err: unknown) => isRotationError(err, 'NETWORK_ERROR') && err.retryable);
  });

  it('adds latency without failing', async () => {
    await demo.injectFaults([{ operation: 'rest.limits', kind: 'latency', latencyMs: 150, times: 1 }]);
    assert.ok((await org.apiUsage()).max > 0);
    const { faults } = (await (await fetch(`${demo.sandbox.url}/__sandbox/faults`)).json()) as { faults: unknown[] };
    assert.deepEqual(faults, [], 'the latency was spent on that call');
  });
});
