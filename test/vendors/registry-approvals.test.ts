/**
 * The http adapter's approval calls (approvalState, submitContinuity) against the sandbox
 * vendor: the vendor team's decisions as the registry answers them, both behaviours for a
 * key the vendor does not know, and the continuity verdicts (valid, wrong signatures,
 * another org or key, stale, outside the standing policy's windows).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signRsaSha256 } from '../../src/certificates';
import { CONTINUITY_PURPOSE, continuityStatementText, type ContinuityStatement } from '../../src/domain/continuity-statement';
import { isRotationError } from '../../src/domain/errors';
import { startSandboxVendor, type SandboxVendor, type SandboxVendorHandle } from '../../src/sandbox/vendor';
import { HttpVendorRegistry } from '../../src/vendors/http-registry';
import { sendHttpRequest } from '../../src/vendors/http-transport';
import { FAST_RETRY, makeOrgKey, testRun, type OrgKey } from './vendor-test-kit';

const TOKEN = 'registry-approvals-token-0123';
const ORG = 'acme-org';
const ANY_ORG = 'acme-any';
// Monday 7 December 2026, 02:30-03:30 UTC: inside "weekdays 02:00-05:00 UTC".
const INSIDE = { start: '2026-12-07T02:30:00.000Z', end: '2026-12-07T03:30:00.000Z' };
// Saturday 5 December 2026, same hours: outside.
const SATURDAY = { start: '2026-12-05T02:30:00.000Z', end: '2026-12-05T03:30:00.000Z' };

type Sandbox = SandboxVendorHandle & { vendor: SandboxVendor };

function registryOn(url: string): HttpVendorRegistry {
  return new HttpVendorRegistry({ vendorName: 'Acme', baseUrl: url, bearerToken: TOKEN, retry: FAST_RETRY });
}

async function control(sandbox: Sandbox, method: 'POST' | 'PUT', path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await sendHttpRequest({ method, url: new URL(`${sandbox.url}${path}`), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), timeoutMs: 5_000 });
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

function rejectsWith(code: string, retryable: boolean): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isRotationError(error), `expected a RotationError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.retryable, retryable);
    return true;
  };
}

describe('registry approvals through the http adapter', () => {
  let oldKey: OrgKey;
  let newKey: OrgKey;
  let stranger: OrgKey;
  let strict: Sandbox;
  let lenient: Sandbox;
  let registry: HttpVendorRegistry;

  before(async () => {
    [oldKey, newKey, stranger] = await Promise.all(['old.acme.test', 'new.acme.test', 'stranger.acme.test'].map((name) => makeOrgKey(name))) as [OrgKey, OrgKey, OrgKey];
    const keys = [
      { certificatePem: oldKey.certificatePem, state: 'active' as const },
      { certificatePem: newKey.certificatePem, state: 'staged' as const },
    ];
    strict = await startSandboxVendor({
      token: TOKEN,
      fixture: {
        orgs: [
          { orgId: ORG, mode: 'single-key', keys, continuityPolicy: { name: 'acme-weekday-nights', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '02:00', to: '05:00' }] } },
          { orgId: ANY_ORG, mode: 'single-key', keys, continuityPolicy: { name: 'acme-any-time', windows: 'any' } },
          { orgId: 'acme-no-policy', mode: 'single-key', keys },
        ],
      },
    });
    lenient = await startSandboxVendor({ token: TOKEN, fixture: { approvals: { unknownKey: 'pending' }, orgs: [{ orgId: ORG, mode: 'single-key', keys }] } });
    registry = registryOn(strict.url);
  });
  after(async () => {
    await Promise.all([strict?.close(), lenient?.close()]);
  });

  describe('approvalState', () => {
    it('announces both features in the capabilities', async () => {
      assert.deepEqual(await registry.capabilities(ORG), { multipleActiveKeys: false, approvalState: true, continuity: true });
    });

    it('is pending until the vendor team decides, then approved with their window and name', async () => {
      assert.deepEqual(await registry.approvalState(ORG, newKey.fingerprint), { state: 'pending' });
      const set = await control(strict, 'POST', '/__sandbox/approvals', {
        orgId: ORG,
        fingerprint: newKey.fingerprint.replace(/:/g, '').toLowerCase(),
        state: 'approved',
        window: INSIDE,
        approvedBy: 'Ann at Acme',
        approvedAt: '2026-12-02T10:00:00Z',
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(await registry.approvalState(ORG, newKey.fingerprint), {
        state: 'approved',
        fingerprint: newKey.fingerprint,
        window: INSIDE,
        approvedBy: 'Ann at Acme',
        at: '2026-12-02T10:00:00.000Z',
      });
    });

    it('passes a rejection on with its reason bounded and stripped of control characters', async () => {
      const reason = `wrong\u001b[31m key\u202e ${'x'.repeat(900)}`;
      assert.equal((await control(strict, 'POST', '/__sandbox/approvals', { orgId: ANY_ORG, fingerprint: newKey.fingerprint, state: 'rejected', reason, rejectedBy: 'Bob' })).status, 200);
      const state = await registry.approvalState(ANY_ORG, newKey.fingerprint);
      assert.equal(state.state, 'rejected');
      if (state.state !== 'rejected') return;
      assert.equal(state.rejectedBy, 'Bob');
      assert.ok(state.reason.startsWith('wrong [31m key x'), state.reason.slice(0, 40));
      assert.ok([...state.reason].length <= 500);
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      assert.doesNotMatch(state.reason, /[\u0000-\u001f\u202e]/);
    });

    it('a key the vendor does not know: KEY_NOT_FOUND (non-retryable) from one vendor, pending from the other', async () => {
      await assert.rejects(registry.approvalState(ORG, stranger.fingerprint), rejectsWith('KEY_NOT_FOUND', false));
      assert.deepEqual(await registryOn(lenient.url).approvalState(ORG, stranger.fingerprint), { state: 'pending' });
      assert.deepEqual(await registryOn(lenient.url).approvalState(ORG, newKey.fingerprint), { state: 'pending' });
    });

    it('the sandbox control route refuses a rejection without a reason and a key it does not know', async () => {
      const noReason = await control(strict, 'POST', '/__sandbox/approvals', { orgId: ORG, fingerprint: newKey.fingerprint, state: 'rejected' });
      assert.equal(noReason.status, 400);
      assert.match(String(noReason.body.message), /"reason"/);
      const unknown = await control(strict, 'POST', '/__sandbox/approvals', { orgId: ORG, fingerprint: stranger.fingerprint, state: 'approved' });
      assert.equal(unknown.status, 404);
    });

    it('refuses a decision about another key than the one asked about', async () => {
      const server = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ state: 'approved', fingerprint: stranger.fingerprint }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const liar = registryOn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        await assert.rejects(liar.approvalState(ORG, newKey.fingerprint), (error) => {
          rejectsWith('KEY_REJECTED', false)(error);
          assert.match((error as Error).message, /another key/);
          return true;
        });
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('submitContinuity', () => {
    const statementFor = (overrides: Partial<ContinuityStatement> = {}): string =>
      continuityStatementText({
        version: 1,
        purpose: CONTINUITY_PURPOSE,
        vendorOrgId: ORG,
        oldSpkiFingerprint: oldKey.fingerprint,
        newSpkiFingerprint: newKey.fingerprint,
        rotationId: 'rotate/acme/vendor_cert',
        issuedAt: new Date().toISOString(),
        proposedWindow: INSIDE,
        ...overrides,
      });
    const signedBy = (statement: string, oldSigner: OrgKey = oldKey, newSigner: OrgKey = newKey) => ({
      statement,
      oldSignature: signRsaSha256(oldSigner.privateKeyPem, statement),
      newSignature: signRsaSha256(newSigner.privateKeyPem, statement),
    });
    const submit = (signed: ReturnType<typeof signedBy>, orgId = ORG, run = testRun('wf-continuity', `run-${Math.random()}`)) =>
      registry.submitContinuity(orgId, newKey.fingerprint, signed, run);

    it('approves a valid statement whose window lies within the standing policy', async () => {
      assert.deepEqual(await submit(signedBy(statementFor())), { verified: true, problem: null, approval: 'approved', window: INSIDE, policy: 'acme-weekday-nights' });
    });

    it('verifies but leaves pending a window outside the agreed ones, or none, and approves any time under "any"', async () => {
      assert.deepEqual(await submit(signedBy(statementFor({ proposedWindow: SATURDAY }))), { verified: true, problem: null, approval: 'pending', window: null, policy: 'acme-weekday-nights' });
      assert.equal((await submit(signedBy(statementFor({ proposedWindow: null })))).approval, 'pending');
      assert.deepEqual(await submit(signedBy(statementFor({ vendorOrgId: ANY_ORG, proposedWindow: null })), ANY_ORG), { verified: true, problem: null, approval: 'approved', window: null, policy: 'acme-any-time' });
      assert.deepEqual(await submit(signedBy(statementFor({ vendorOrgId: 'acme-no-policy' })), 'acme-no-policy'), { verified: true, problem: null, approval: 'pending', window: null, policy: null });
    });

    it('does not verify an old signature by another key, or a wrong new signature', async () => {
      const statement = statementFor();
      const byStranger = await submit(signedBy(statement, stranger));
      assert.equal(byStranger.verified, false);
      assert.equal(byStranger.approval, 'pending');
      assert.match(byStranger.problem ?? '', /oldSignature does not verify/);
      const wrongNew = await submit({ ...signedBy(statement), newSignature: signRsaSha256(newKey.privateKeyPem, `${statement} `) });
      assert.equal(wrongNew.verified, false);
      assert.match(wrongNew.problem ?? '', /newSignature does not verify/);
    });

    it('does not verify a statement for another org, for other keys, or a stale one', async () => {
      const cases: Array<[Partial<ContinuityStatement>, RegExp]> = [
        [{ vendorOrgId: 'someone-else' }, /for org "someone-else"/],
        [{ newSpkiFingerprint: stranger.fingerprint }, /names the new key/],
        [{ oldSpkiFingerprint: stranger.fingerprint }, /not a key this vendor trusts today/],
        [{ issuedAt: new Date(Date.now() - 3_600_000).toISOString() }, /more than 900 s ago/],
        [{ issuedAt: new Date(Date.now() + 3_600_000).toISOString() }, /in the future/],
      ];
      for (const [overrides, problem] of cases) {
        const verdict = await submit(signedBy(statementFor(overrides)));
        assert.equal(verdict.verified, false, JSON.stringify(overrides));
        assert.match(verdict.problem ?? '', problem);
        assert.equal(verdict.approval, 'pending');
      }
      const notCanonical = await submit(signedBy(statementFor().replace('{"version":1,', '{"version":1, ')));
      assert.match(notCanonical.problem ?? '', /canonical/);
    });

    it('is idempotent: a retried request is answered from the vendor\'s memory and applied once', async () => {
      const signed = signedBy(statementFor());
      const run = testRun('wf-continuity', 'run-replay');
      const writes = (): number => strict.vendor.state().writes.filter((w) => w.operation === 'submitContinuity' && w.fingerprint === newKey.fingerprint).length;
      const before = writes();
      const first = await submit(signed, ORG, run);
      const second = await submit(signed, ORG, run);
      assert.deepEqual(second, first);
      assert.equal(writes(), before + 1);
    });

    it('a key the vendor does not know is KEY_NOT_FOUND', async () => {
      const statement = statementFor({ newSpkiFingerprint: stranger.fingerprint });
      await assert.rejects(registry.submitContinuity(ORG, stranger.fingerprint, signedBy(statement, oldKey, stranger), testRun()), rejectsWith('KEY_NOT_FOUND', false));
    });

    it('a standing policy can be changed at run time (PUT /__sandbox/continuity-policies/{orgId})', async () => {
      const put = await control(strict, 'PUT', `/__sandbox/continuity-policies/acme-no-policy`, { policy: { name: 'from-now-on', windows: 'any' } });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal((await submit(signedBy(statementFor({ vendorOrgId: 'acme-no-policy' })), 'acme-no-policy')).policy, 'from-now-on');
      const bad = await control(strict, 'PUT', `/__sandbox/continuity-policies/acme-no-policy`, { policy: { name: 'x', windows: [{ days: ['mon'], from: '05:00', to: '02:00' }] } });
      assert.equal(bad.status, 400);
      assert.match(String(bad.body.message), /windows\[0\]\.to/);
    });
  });
});
