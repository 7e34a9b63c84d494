import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { certificateFingerprint, signRsaSha256 } from '../../src/certificates';
import type { VerifyInput } from '../../src/domain/activity-contract';
import type { CertificateSummary } from '../../src/domain/certificate';
import type { Reference } from '../../src/domain/reference';
import { currentSignal } from '../../src/runtime/call-context';
import { makeOrgKey, type OrgKey } from '../vendors/vendor-test-kit';
import { activitiesWith, certificate, fakeOrg, fakeRegistry, fakeTeam, mockEnv, run, RUN, vendorKey } from './fakes';

const fp = (byte: string): string => Array(32).fill(byte).join(':');
const OLD_KEY = fp('01');
const NEW_KEY = fp('02');
const WINDOW = { start: '2025-06-03T08:00:00.000Z', end: '2025-06-03T10:00:00.000Z' };
const SUMMARY: CertificateSummary = {
  uniqueName: 'Vendor_Cert_2025',
  label: 'Vendor Cert 2025',
  keySize: 2048,
  caSigned: false,
  expiresAt: '2030-01-01T00:00:00.000Z',
  certificatePem: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
  fingerprint: fp('AA'),
  spkiFingerprint: NEW_KEY,
};
const NO_ORG = fakeOrg({}); // vendor activities never touch the org

/** Every vendor activity once, in the order a rotation (and its undo) would call them. */
async function runEveryVendorActivity(vendor: ReturnType<typeof fakeTeam> | ReturnType<typeof fakeRegistry>): Promise<void> {
  const a = activitiesWith(NO_ORG, { acme: vendor });
  const base = { vendor: 'acme', orgId: 'v-org', run: RUN };
  await run(mockEnv(), a.shareKey, { ...base, org: 'prod', certificate: SUMMARY, previousFingerprint: OLD_KEY, proposedWindow: WINDOW });
  await run(mockEnv(), a.notifyWindowMissed, { ...base, fingerprint: NEW_KEY, window: WINDOW, waitingUntil: '2025-06-04T00:00:00.000Z' });
  await run(mockEnv(), a.activateVendorKey, { ...base, fingerprint: NEW_KEY, replacing: OLD_KEY, window: WINDOW });
  await run(mockEnv(), a.retireVendorKey, { ...base, fingerprint: OLD_KEY });
  await run(mockEnv(), a.restoreVendorKey, { ...base, restore: OLD_KEY, withdraw: NEW_KEY });
  await run(mockEnv(), a.withdrawKey, { ...base, fingerprint: NEW_KEY, reason: 'rolled back' });
}

describe('vendor activities by kind', () => {
  it('tell a provisioning team with one notice of the right kind each, always naming the run', async () => {
    const team = fakeTeam(false);
    await runEveryVendorActivity(team);
    assert.deepEqual(
      team.notices.map((n) => [n.kind, n.fingerprint]),
      [
        ['stage', NEW_KEY],
        ['window-missed', NEW_KEY],
        ['activate', NEW_KEY],
        ['retire', OLD_KEY],
        ['restore', OLD_KEY],
        ['cancel', NEW_KEY],
      ],
    );
    assert.ok(team.notices.every((n) => n.orgId === 'v-org' && n.run.workflowId === RUN.workflowId && n.run.runId === RUN.runId));
    assert.equal(team.notices[0]!.certificatePem, SUMMARY.certificatePem);
    assert.equal(team.notices[2]!.replace, true);
    assert.equal(team.notices[4]!.replace, true, 'a single-key team drops the new key when restoring the old one');
    assert.equal(team.notices[5]!.reason, 'rolled back');
  });

  it('call the key registry methods, always passing the run', async () => {
    const registry = fakeRegistry({
      multipleActiveKeys: false,
      stagedFingerprint: NEW_KEY,
      keys: [vendorKey(OLD_KEY, 'retired'), vendorKey(NEW_KEY, 'active')],
    });
    await runEveryVendorActivity(registry);
    const writes = registry.calls.filter((c) => !['listKeys', 'capabilities'].includes(c.method));
    assert.deepEqual(
      writes.map((c) => [c.method, c.args[1]]),
      [
        ['stageKey', SUMMARY.certificatePem],
        ['activateKey', NEW_KEY],
        ['retireKey', OLD_KEY],
        ['restoreKey', OLD_KEY],
        ['retireKey', NEW_KEY],
      ],
      'window-missed tells a registry nothing',
    );
    for (const call of writes) {
      assert.equal(call.args[0], 'v-org');
      assert.deepEqual((call.args[2] as { run: unknown }).run, RUN, `${call.method} names the run`);
    }
    assert.equal((writes[3]!.args[2] as { replace: boolean }).replace, true);
  });

  it('restoreVendorKey on a multi-key registry restores the old key and retires the new one when they are in the wrong state', async () => {
    const registry = fakeRegistry({ multipleActiveKeys: true, keys: [vendorKey(OLD_KEY, 'retired'), vendorKey(NEW_KEY, 'active')] });
    const a = activitiesWith(NO_ORG, { acme: registry });
    await run(mockEnv(), a.restoreVendorKey, { vendor: 'acme', orgId: 'v-org', run: RUN, restore: OLD_KEY, withdraw: NEW_KEY });
    const writes = registry.calls.filter((c) => c.method === 'restoreKey' || c.method === 'retireKey');
    assert.deepEqual(writes, [
      { method: 'restoreKey', args: ['v-org', OLD_KEY, { run: RUN, replace: false }] },
      { method: 'retireKey', args: ['v-org', NEW_KEY, { run: RUN }] },
    ]);
  });

  it('restoreVendorKey on a multi-key registry changes nothing when the keys are already as they should be', async () => {
    const registry = fakeRegistry({ multipleActiveKeys: true, keys: [vendorKey(OLD_KEY, 'active'), vendorKey(NEW_KEY, 'retired')] });
    const a = activitiesWith(NO_ORG, { acme: registry });
    await run(mockEnv(), a.restoreVendorKey, { vendor: 'acme', orgId: 'v-org', run: RUN, restore: OLD_KEY, withdraw: NEW_KEY });
    assert.deepEqual(
      registry.calls.map((c) => c.method),
      ['capabilities', 'listKeys'],
    );
  });
});

describe('verifyRotation', () => {
  let key: OrgKey;
  let summary: CertificateSummary;
  before(async () => {
    key = await makeOrgKey('vendor-cert-2025');
    summary = { ...SUMMARY, certificatePem: key.certificatePem, fingerprint: certificateFingerprint(key.certificatePem), spkiFingerprint: key.fingerprint };
  });

  const reference: Reference = {
    object: 'csam__AsyncMessOptions__c',
    field: 'csam__Certificate__c',
    recordId: 'a01000000000001AAA',
    scope: 'org-default',
    owner: null,
    value: 'Vendor_Cert_2025',
    matchedBy: 'unique-name',
  };

  /** An org holding the new certificate, named by one reference, that signs with its real key. */
  function signingOrg() {
    return fakeOrg({
      getCertificate: (name) =>
        Promise.resolve(certificate({ uniqueName: name, certificatePem: key.certificatePem, fingerprintSha256: summary.fingerprint, spkiFingerprintSha256: key.fingerprint })),
      findReferences: (name) => Promise.resolve(name === summary.uniqueName ? [reference] : []),
      signWithCertificate: (_name, nonce) => Promise.resolve(signRsaSha256(key.privateKeyPem, nonce)),
    });
  }

  function input(overrides: Partial<VerifyInput> = {}): VerifyInput {
    return {
      org: 'prod',
      orgId: 'v-org',
      vendor: 'acme',
      newCertificate: summary,
      previousCertificate: 'Vendor_Cert_2024',
      expectedReferences: 1,
      targets: [{ object: reference.object, field: reference.field, kind: 'hierarchy-setting' }],
      signature: true,
      calloutUrl: null,
      vendorConfirmation: null,
      ...overrides,
    };
  }

  it("reports a team's key only from its confirmation and checks the signature inside certrot", async () => {
    const team = fakeTeam(false);
    const a = activitiesWith(signingOrg(), { acme: team }, { nonce: () => 'nonce-123' });

    const unconfirmed = await run(mockEnv(), a.verifyRotation, input());
    assert.equal(unconfirmed.passed, false);
    const vendorCheck = unconfirmed.checks.find((c) => c.name === 'vendor-key');
    assert.equal(vendorCheck?.observedBy, 'provisioning-team');
    assert.equal(vendorCheck?.passed, false);

    const confirmation = { fingerprint: key.fingerprint, by: 'ops@acme', at: '2025-06-03T09:00:00.000Z', via: 'update' as const };
    const confirmed = await run(mockEnv(), a.verifyRotation, input({ vendorConfirmation: confirmation }));
    assert.equal(confirmed.passed, true, JSON.stringify(confirmed.checks));
    assert.equal(confirmed.checks.find((c) => c.name === 'vendor-key')?.observedBy, 'provisioning-team');
    const signature = confirmed.checks.find((c) => c.name === 'signature');
    assert.equal(signature?.observedBy, 'certrot');
    assert.equal(signature?.passed, true);
    assert.deepEqual(team.notices, [], 'the team is never asked anything during verification');
  });

  it('fails the signature check when the org signs with another key', async () => {
    const other = await makeOrgKey('someone-else');
    const org = { ...signingOrg(), signWithCertificate: (_name: string, nonce: string) => Promise.resolve(signRsaSha256(other.privateKeyPem, nonce)) };
    const a = activitiesWith(org, { acme: fakeTeam(false) });
    const confirmation = { fingerprint: key.fingerprint, by: null, at: '2025-06-03T09:00:00.000Z', via: 'signal' as const };
    const result = await run(mockEnv(), a.verifyRotation, input({ vendorConfirmation: confirmation }));
    assert.equal(result.passed, false);
    assert.equal(result.checks.find((c) => c.name === 'signature')?.passed, false);
  });

  it("asks a registry's listKeys for the vendor-key check", async () => {
    const registry = fakeRegistry({
      multipleActiveKeys: true,
      keys: [vendorKey(OLD_KEY, 'active'), vendorKey(key.fingerprint, 'active')],
      verification: { valid: true, matchedFingerprint: key.fingerprint },
    });
    const a = activitiesWith(signingOrg(), { acme: registry }, { nonce: () => 'nonce-456' });
    const result = await run(mockEnv(), a.verifyRotation, input());
    assert.equal(result.passed, true, JSON.stringify(result.checks));
    const vendorCheck = result.checks.find((c) => c.name === 'vendor-key');
    assert.equal(vendorCheck?.observedBy, 'vendor-api');
    assert.equal(vendorCheck?.passed, true);
    assert.deepEqual(registry.calls.find((c) => c.method === 'listKeys')?.args, ['v-org']);
    assert.equal(registry.calls.find((c) => c.method === 'verifySignature')?.args[1], 'nonce-456');
  });
});

describe('cancellation', () => {
  it('aborts the signal a port call waits on when the activity is cancelled', async () => {
    let seen: AbortSignal | undefined;
    const org = fakeOrg({
      getCertificate: () =>
        new Promise((_resolve, reject) => {
          seen = currentSignal();
          seen?.addEventListener('abort', () => reject(new Error('aborted by the activity')), { once: true });
        }),
    });
    const env = mockEnv();
    const running = run(env, activitiesWith(org).deleteCertificate, { org: 'prod', uniqueName: 'Vendor_Cert_2025', fingerprint: fp('AA') });
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(seen, 'the port call runs with the activity signal');
    assert.equal(seen.aborted, false);
    env.cancel();
    await assert.rejects(running);
    assert.equal(seen.aborted, true);
  });
});
