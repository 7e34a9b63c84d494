import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RotationError } from '../../src/domain/errors';
import {
  loadSandboxVendorFixture,
  parseSandboxVendorFixture,
  startSandboxVendor,
  type SandboxVendor,
  type SandboxVendorHandle,
  type SandboxVendorState,
} from '../../src/sandbox/vendor';
import { sendHttpRequest } from '../../src/vendors/http-transport';
import { makeOrgKey, type OrgKey } from './vendor-test-kit';

function fieldOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof RotationError && error.code === 'CONFIG_INVALID', String(error));
    assert.ok(error.message.includes(String(error.details.field)), 'the message names the field');
    return error.details.field;
  }
  throw new Error('expected the fixture to be refused');
}

describe('sandbox vendor fixture', () => {
  let key: OrgKey;
  let other: OrgKey;
  let dir: string;

  before(async () => {
    [key, other] = await Promise.all([makeOrgKey('fixture.example.org'), makeOrgKey('fixture-2.example.org')]);
    dir = await mkdtemp(join(tmpdir(), 'certrot-vendor-fixture-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('names the bad field', () => {
    assert.equal(fieldOf(() => parseSandboxVendorFixture({ orgs: [{ orgId: 'a', mode: 'two-keys' }] })), 'orgs[0].mode');
    assert.equal(fieldOf(() => parseSandboxVendorFixture({ orgs: [{ orgId: 'has space', mode: 'multi-key' }] })), 'orgs[0].orgId');
    assert.equal(
      fieldOf(() => parseSandboxVendorFixture({ orgs: [{ orgId: 'a', mode: 'multi-key' }, { orgId: 'b', mode: 'multi-key', keys: [{ certificatePem: 'not a pem' }] }] })),
      'orgs[1].keys[0].certificatePem',
    );
    assert.equal(
      fieldOf(() =>
        parseSandboxVendorFixture({
          orgs: [{ orgId: 'a', mode: 'single-key', keys: [{ certificatePem: key.certificatePem }, { certificatePem: other.certificatePem }] }],
        }),
      ),
      'orgs[0].keys',
    );
    assert.equal(fieldOf(() => parseSandboxVendorFixture({ orgs: [{ orgId: 'a', mode: 'multi-key' }, { orgId: 'a', mode: 'multi-key' }] })), 'orgs[1].orgId');
    assert.equal(fieldOf(() => parseSandboxVendorFixture({ orgz: [] })), 'orgs');
  });

  it('the bundled demo fixture is valid: one single-key and one multi-key org', async () => {
    const fixture = await loadSandboxVendorFixture(join(__dirname, '../../src/sandbox/vendor/fixtures/demo-vendor.json'));
    assert.deepEqual(fixture.orgs.map((o) => o.mode).sort(), ['multi-key', 'single-key']);
  });

  it('a fixture file that is not JSON is CONFIG_INVALID naming the file', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "orgs": [');
    await assert.rejects(loadSandboxVendorFixture(file), (e: unknown) => e instanceof RotationError && e.code === 'CONFIG_INVALID' && e.message.includes(file));
  });

  describe('loaded into a running sandbox', () => {
    let sandbox: SandboxVendorHandle & { vendor: SandboxVendor };

    before(async () => {
      const file = join(dir, 'vendor.json');
      await writeFile(file, JSON.stringify({ orgs: [{ orgId: 'acme', mode: 'single-key', keys: [{ certificatePem: key.certificatePem, state: 'active' }] }] }));
      sandbox = await startSandboxVendor({ fixture: await loadSandboxVendorFixture(file) });
    });
    after(async () => {
      await sandbox?.close();
    });

    it('GET /__sandbox/state shows the orgs and their keys', async () => {
      const response = await sendHttpRequest({ method: 'GET', url: new URL(`${sandbox.url}/__sandbox/state`), timeoutMs: 3_000 });
      assert.equal(response.status, 200);
      const state = JSON.parse(response.body) as SandboxVendorState;
      assert.deepEqual(
        state.orgs.map((o) => [o.orgId, o.mode, o.keys.map((k) => [k.fingerprint, k.state])]),
        [['acme', 'single-key', [[key.fingerprint, 'active']]]],
      );
    });

    it('POST /__sandbox/faults validates rules, naming the field, and applies them', async () => {
      const post = (body: unknown) =>
        sendHttpRequest({ method: 'POST', url: new URL(`${sandbox.url}/__sandbox/faults`), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), timeoutMs: 3_000 });
      const bad = await post({ operation: 'listKeys', status: 418 });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /status/);

      assert.equal((await post({ operation: 'listKeys', status: 503, times: 1 })).status, 201);
      const list = () => sendHttpRequest({ method: 'GET', url: new URL(`${sandbox.url}/v1/orgs/acme/keys`), timeoutMs: 3_000 });
      assert.equal((await list()).status, 503);
      assert.equal((await list()).status, 200, 'the rule was used up');
    });

    it('PUT /__sandbox/orgs/{id} adds an org', async () => {
      const put = await sendHttpRequest({
        method: 'PUT',
        url: new URL(`${sandbox.url}/__sandbox/orgs/late-org`),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'multi-key' }),
        timeoutMs: 3_000,
      });
      assert.equal(put.status, 200);
      const caps = await sendHttpRequest({ method: 'GET', url: new URL(`${sandbox.url}/v1/orgs/late-org/capabilities`), timeoutMs: 3_000 });
      assert.deepEqual(JSON.parse(caps.body), { multipleActiveKeys: true, automated: true, approvalState: true, continuity: true });
    });
  });
});
