import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandboxVendor, type SandboxVendor, type SandboxVendorHandle } from '../../src/sandbox/vendor';
import { HttpVendorRegistry } from '../../src/vendors/http-registry';
import { FAST_RETRY, makeOrgKey, mutualTlsGet, testRun, type OrgKey } from './vendor-test-kit';

const ORG = 'integration-org';

describe('sandbox vendor two-way TLS endpoint', () => {
  let sandbox: SandboxVendorHandle & { vendor: SandboxVendor };
  let oldKey: OrgKey;
  let newKey: OrgKey;
  let vendor: HttpVendorRegistry;

  before(async () => {
    [oldKey, newKey] = await Promise.all([makeOrgKey('old.integration.example'), makeOrgKey('new.integration.example')]);
    sandbox = await startSandboxVendor({
      fixture: { orgs: [{ orgId: ORG, mode: 'single-key', keys: [{ certificatePem: oldKey.certificatePem, state: 'active' }] }] },
    });
    vendor = new HttpVendorRegistry({ baseUrl: sandbox.url, bearerToken: 'unused-by-this-sandbox', retry: FAST_RETRY });
  });
  after(async () => {
    await sandbox?.close();
  });

  it('accepts the active certificate and answers with its SPKI fingerprint', async () => {
    const answer = await mutualTlsGet(sandbox.tlsUrl, { caPem: sandbox.caPem, client: oldKey });
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(JSON.parse(answer.body), { fingerprint: oldKey.fingerprint, orgId: ORG });
  });

  it('refuses a caller without a client certificate', async () => {
    const answer = await mutualTlsGet(sandbox.tlsUrl, { caPem: sandbox.caPem });
    assert.equal(answer.status, 403);
    assert.match(answer.body, /client certificate is required/);
  });

  it('trusts the new certificate only once activated, and stops trusting the replaced one at once', async () => {
    const fp = await vendor.stageKey(ORG, newKey.certificatePem, testRun('wf-mtls'));
    const staged = await mutualTlsGet(sandbox.tlsUrl, { caPem: sandbox.caPem, client: newKey });
    assert.equal(staged.status, 403, 'a staged key is shared, not trusted');
    assert.match(staged.body, new RegExp(newKey.fingerprint));

    await vendor.activateKey(ORG, fp, { replace: true, ...testRun('wf-mtls') });

    const accepted = await mutualTlsGet(sandbox.tlsUrl, { caPem: sandbox.caPem, client: newKey });
    assert.equal(accepted.status, 200, accepted.body);
    assert.equal((JSON.parse(accepted.body) as { fingerprint: string }).fingerprint, newKey.fingerprint);
    const retired = await mutualTlsGet(sandbox.tlsUrl, { caPem: sandbox.caPem, client: oldKey });
    assert.equal(retired.status, 403, 'the retired certificate is refused');

    // Rolling back restores trust in the old one, live.
    await vendor.restoreKey(ORG, oldKey.fingerprint, { replace: true, ...testRun('wf-mtls') });
    assert.equal((await mutualTlsGet(sandbox.tlsUrl, { caPem: sandbox.caPem, client: oldKey })).status, 200);
    assert.equal((await mutualTlsGet(sandbox.tlsUrl, { caPem: sandbox.caPem, client: newKey })).status, 403);
  });

  it('is only reachable by clients that trust the sandbox test CA', async () => {
    const other = await makeOrgKey('not-the-ca.example');
    await assert.rejects(mutualTlsGet(sandbox.tlsUrl, { caPem: other.certificatePem, client: oldKey }), /certificate/i);
  });
});
