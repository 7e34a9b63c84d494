/**
 * The registry and continuity approval activities against a sandbox world: the real http
 * adapter on the sandbox vendor, the real jsforce adapter on the sandbox org (which signs
 * through anonymous Apex, Crypto.signWithCertificate).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities/rotation-activities';
import { generateRsaKeyPair, signRsaSha256 } from '../../src/certificates';
import { APPROVAL_PENDING, type ContinuityInput } from '../../src/domain/approval-contract';
import { parseContinuityStatement } from '../../src/domain/continuity-statement';
import type { SalesforceOrg } from '../../src/salesforce/org-port';
import { DEMO_CERTIFICATE, startSandboxWorld, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';
import { sendHttpRequest } from '../../src/vendors/http-transport';
import { createAdapters, type Adapters } from '../../src/workers/adapters';
import { fakeTeam, isFailureOfType } from './fakes';

const VENDOR_ORG = WORLD_ORGS.singleKey.vendorOrgId;
const RUN = { workflowId: 'rotate/demo/Vendor_Signing', runId: 'run-approvals-1' };
const NOW = new Date();

function failure(type: string, retryable: boolean): (error: unknown) => boolean {
  return (error) => {
    isFailureOfType(type)(error);
    assert.equal((error as ApplicationFailure).nonRetryable, !retryable, (error as Error).message);
    return true;
  };
}

describe('approval activities in a sandbox world', () => {
  let dir = '';
  let world: SandboxWorld;
  let adapters: Adapters;
  let input: ContinuityInput;

  const activities = (org?: SalesforceOrg) =>
    createActivities({
      ...adapters,
      orgs: org ? new Map([[WORLD_ORGS.singleKey.alias, { org, vendorOrgId: VENDOR_ORG }]]) : adapters.orgs,
      vendors: new Map([...adapters.vendors, ['team', fakeTeam(false)]]),
      clock: () => NOW,
    });
  const control = async (method: 'POST' | 'PUT', path: string, body: unknown): Promise<number> =>
    (await sendHttpRequest({ method, url: new URL(`${world.vendor.url}${path}`), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), timeoutMs: 5_000 })).status;
  const continuityRequests = (): number => world.vendor.vendor.state().requests.submitContinuity ?? 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certrot-approval-activities-'));
    world = await startSandboxWorld({ dir });
    adapters = createAdapters(world.config);
    const old = await world.salesforce.getCertificate(DEMO_CERTIFICATE);
    const created = await world.salesforce.createCertificate({ uniqueName: 'Vendor_Signing_Next', label: 'Vendor Signing Next', keySize: 2048, caSigned: false, privateKeyExportable: false });
    assert.ok(created.certificatePem);
    await world.registry.stageKey(VENDOR_ORG, created.certificatePem, { run: RUN });
    input = {
      org: WORLD_ORGS.singleKey.alias,
      vendor: 'acme',
      orgId: VENDOR_ORG,
      run: RUN,
      old: { uniqueName: DEMO_CERTIFICATE, spkiFingerprint: old.spkiFingerprintSha256 },
      created: { uniqueName: created.uniqueName, spkiFingerprint: created.spkiFingerprintSha256 },
      proposedWindow: null,
    };
  });
  after(async () => {
    adapters?.close();
    await world?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('pollRegistryApproval', () => {
    it('polls a pending key with a retryable APPROVAL_PENDING, then returns the approval', async () => {
      const poll = { vendor: 'acme', orgId: VENDOR_ORG, fingerprint: input.created.spkiFingerprint };
      const a = activities();
      assert.deepEqual(await a.pollRegistryApproval(poll), { state: 'pending' });
      await assert.rejects(a.pollRegistryApproval({ ...poll, untilDecided: true }), failure(APPROVAL_PENDING, true));
      assert.equal(await control('POST', '/__sandbox/approvals', { orgId: VENDOR_ORG, fingerprint: poll.fingerprint, state: 'approved', approvedBy: 'Ann at Acme' }), 200);
      const state = await a.pollRegistryApproval({ ...poll, untilDecided: true });
      assert.equal(state.state, 'approved');
      assert.equal(state.state === 'approved' ? state.approvedBy : null, 'Ann at Acme');
    });

    it('a key the registry does not know fails non-retryably (KEY_NOT_FOUND)', async () => {
      await assert.rejects(activities().pollRegistryApproval({ vendor: 'acme', orgId: VENDOR_ORG, fingerprint: '00'.repeat(32), untilDecided: true }), failure('KEY_NOT_FOUND', false));
    });

    it('a provisioning team is no registry: CONFIG_INVALID, non-retryable, saying what to use', async () => {
      await assert.rejects(activities().pollRegistryApproval({ vendor: 'team', orgId: VENDOR_ORG, fingerprint: input.created.spkiFingerprint }), (error) => {
        failure('CONFIG_INVALID', false)(error);
        assert.match((error as Error).message, /vendor "team" is a provisioning team.*approval\.mode "manual"/);
        return true;
      });
    });
  });

  describe('proveContinuity', () => {
    it('signs the statement inside the org with both certificates, checks it, sends it; the vendor approves by policy', async () => {
      assert.equal(await control('PUT', `/__sandbox/continuity-policies/${VENDOR_ORG}`, { policy: { name: 'acme-standing', windows: 'any' } }), 200);
      const result = await activities().proveContinuity(input);
      assert.equal(result.sent, true, result.sent ? '' : result.problem);
      if (!result.sent) return;
      assert.deepEqual(result.verdict, { verified: true, problem: null, approval: 'approved', window: null, policy: 'acme-standing' });
      const parsed = parseContinuityStatement(result.signed.statement);
      assert.ok(parsed.ok);
      assert.equal(parsed.value.vendorOrgId, VENDOR_ORG);
      assert.equal(parsed.value.rotationId, RUN.workflowId);
      assert.equal(parsed.value.issuedAt, NOW.toISOString());
      assert.equal(parsed.value.oldSpkiFingerprint, input.old.spkiFingerprint);
      assert.equal(parsed.value.newSpkiFingerprint, input.created.spkiFingerprint);
    });

    it('a forged old signature is caught by certrot and nothing is sent', async () => {
      const { privateKeyPem } = await generateRsaKeyPair(2048);
      const real = adapters.orgs.get(WORLD_ORGS.singleKey.alias)!.org;
      const forging: SalesforceOrg = Object.assign(Object.create(real) as SalesforceOrg, {
        signWithCertificate: (uniqueName: string, text: string) => (uniqueName === DEMO_CERTIFICATE ? Promise.resolve(signRsaSha256(privateKeyPem, text)) : real.signWithCertificate(uniqueName, text)),
      });
      const before = continuityRequests();
      const result = await activities(forging).proveContinuity(input);
      assert.equal(result.sent, false);
      if (result.sent) return;
      assert.ok(result.signed, 'the forged statement is returned for the timeline');
      assert.match(result.problem, /signature with the old certificate Vendor_Signing does not verify/);
      assert.equal(continuityRequests(), before, 'nothing reached the vendor');
    });

    it('a certificate whose key is not the one the rotation recorded is caught, and nothing is sent', async () => {
      const before = continuityRequests();
      const result = await activities().proveContinuity({ ...input, created: { ...input.created, spkiFingerprint: 'AB:'.repeat(31) + 'AB' } });
      assert.equal(result.sent, false);
      assert.match(result.sent ? '' : result.problem, /new certificate Vendor_Signing_Next has key .* not AB:AB/);
      assert.equal(continuityRequests(), before);
    });

    it('a provisioning team cannot take a continuity statement: CONFIG_INVALID', async () => {
      await assert.rejects(activities().proveContinuity({ ...input, vendor: 'team' }), failure('CONFIG_INVALID', false));
    });
  });
});
