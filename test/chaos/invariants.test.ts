/**
 * The chaos run's invariant checker on hand-made sandbox states: a clean rotation of each
 * outcome passes, and each invariant catches the state that breaks it.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { certificateFingerprint, spkiFingerprint } from '../../src/certificates';
import { makeSelfSigned } from '../../src/sandbox/salesforce/key-material';
import { checkRotation, type RotationCase } from '../../bench/chaos/invariants';
import type { OrgCertificateView, OrgView, VendorView, WorldView } from '../../bench/chaos/sandbox-state';

const GRACE_MS = 2_000;
const pems: Record<'old' | 'new' | 'bystander' | 'extra', string> = { old: '', new: '', bystander: '', extra: '' };
const fp = (which: keyof typeof pems): string => spkiFingerprint(pems[which]);

function certificate(id: string, uniqueName: string, pem: string, deleted = false): OrgCertificateView {
  return { id, uniqueName, label: uniqueName.replace(/_/g, ' '), usable: true, fingerprintSha256: certificateFingerprint(pem), certificatePem: pem, deleted };
}

interface Shape {
  certificates: OrgCertificateView[];
  /** Values of the chain's two references and the bystander's one. */
  chain: [string, string];
  bystanderRef?: string;
  vendorChain: { fingerprint: string; state: 'staged' | 'active' | 'retired' }[];
  vendorOther?: { fingerprint: string; state: 'staged' | 'active' | 'retired' }[];
}

function view(shape: Shape): WorldView {
  const org: OrgView = {
    certificates: shape.certificates,
    namedCredentials: [{ fullName: 'Orders_mTLS', certificate: shape.chain[0], endpoint: 'https://orders.example' }],
    customSettings: [{ apiName: 'csam__Options__c', records: [{ Id: 'a00000000000001AAA', csam__Certificate__c: shape.chain[1], LastModifiedDate: 'x' }] }],
    customObjects: [{ apiName: 'Credential__c', records: [{ Id: 'a01000000000001AAA', Certificate_Name__c: shape.bystanderRef ?? 'Partner_Signing' }] }],
  };
  const vendor: VendorView = {
    orgs: [
      { orgId: 'chain', mode: 'single-key', keys: shape.vendorChain },
      { orgId: 'other', mode: 'multi-key', keys: shape.vendorOther ?? [{ fingerprint: fp('bystander'), state: 'active' }] },
    ],
  };
  return { org, vendor };
}

const BEFORE = (): WorldView =>
  view({
    certificates: [certificate('0P1A', 'Signing', pems.old), certificate('0P1B', 'Partner_Signing', pems.bystander)],
    chain: ['Signing', 'Signing'],
    vendorChain: [{ fingerprint: fp('old'), state: 'active' }],
  });

function completedAfter(overrides: Partial<Shape> = {}): WorldView {
  return view({
    certificates: [certificate('0P1A', 'Signing', pems.old, true), certificate('0P1B', 'Partner_Signing', pems.bystander), certificate('0P1C', 'Signing_2', pems.new)],
    chain: ['Signing_2', 'Signing_2'],
    vendorChain: [
      { fingerprint: fp('old'), state: 'retired' },
      { fingerprint: fp('new'), state: 'active' },
    ],
    ...overrides,
  });
}

const at = (ms: number): string => new Date(Date.UTC(2026, 11, 2, 12, 0, 0) + ms).toISOString();
const COMPLETED_TIMELINE = [
  { phase: 'applying' as const, at: at(0) },
  { phase: 'verifying' as const, at: at(100) },
  { phase: 'grace-period' as const, at: at(200) },
  { phase: 'cleaning-up' as const, at: at(200 + GRACE_MS) },
  { phase: 'completed' as const, at: at(300 + GRACE_MS) },
];

function rotation(after: WorldView, status: Partial<NonNullable<RotationCase['status']>> | null = {}): RotationCase {
  return {
    certificate: 'Signing',
    newUniqueName: 'Signing_2',
    vendorOrgId: 'chain',
    strategy: 'simultaneous',
    gracePeriodMs: GRACE_MS,
    before: BEFORE(),
    after,
    status:
      status === null
        ? null
        : {
            outcome: 'completed',
            timeline: COMPLETED_TIMELINE,
            verification: { passed: true, checks: [], at: at(150) },
            manualSteps: [],
            newCertificate: { uniqueName: 'Signing_2', label: 'Signing 2', keySize: 2048, caSigned: false, expiresAt: null, certificatePem: pems.new, fingerprint: '', spkiFingerprint: fp('new') },
            reason: null,
            ...status,
          },
  };
}

function only(violations: string[], invariant: string): void {
  assert.ok(violations.length > 0, `expected a ${invariant} violation`);
  assert.ok(
    violations.some((v) => v.startsWith(`[${invariant}]`)),
    `expected a ${invariant} violation among: ${violations.join('\n')}`,
  );
}

describe('chaos invariants', () => {
  before(async () => {
    for (const key of Object.keys(pems) as (keyof typeof pems)[]) {
      pems[key] = (await makeSelfSigned({ uniqueName: key, keySize: 2048, orgId: '00D000000000001EAA', createdAt: new Date() })).certificatePem;
    }
  });

  it('passes a clean completed rotation', () => {
    assert.deepEqual(checkRotation(rotation(completedAfter())), []);
  });

  it('passes a clean rollback: old everywhere, the new certificate deleted, the new key withdrawn', () => {
    const after = view({
      certificates: [certificate('0P1A', 'Signing', pems.old), certificate('0P1B', 'Partner_Signing', pems.bystander), certificate('0P1C', 'Signing_2', pems.new, true)],
      chain: ['Signing', 'Signing'],
      vendorChain: [
        { fingerprint: fp('old'), state: 'active' },
        { fingerprint: fp('new'), state: 'retired' },
      ],
    });
    assert.deepEqual(checkRotation(rotation(after, { outcome: 'rolled-back', timeline: [], verification: null, reason: 'verification failed' })), []);
  });

  it('passes a refusal that made nothing', () => {
    assert.deepEqual(checkRotation(rotation(BEFORE(), { outcome: 'failed', timeline: [], verification: null, newCertificate: null, reason: 'refused' })), []);
  });

  it('catches a second certificate made by a retry', () => {
    const after = completedAfter();
    const duplicate = { ...after, org: { ...after.org, certificates: [...after.org.certificates, certificate('0P1D', 'Signing_2', pems.extra, true)] } };
    only(checkRotation(rotation(duplicate)), 'one-new-certificate');
  });

  it('catches a second vendor key staged by a retry', () => {
    const after = completedAfter({
      vendorChain: [
        { fingerprint: fp('old'), state: 'retired' },
        { fingerprint: fp('new'), state: 'active' },
        { fingerprint: fp('extra'), state: 'staged' },
      ],
    });
    only(checkRotation(rotation(after)), 'one-new-certificate');
  });

  it('catches references that disagree, and a reference the vendor does not trust', () => {
    only(checkRotation(rotation(completedAfter({ chain: ['Signing_2', 'Signing'] }))), 'references-trusted');
    const untrusted = completedAfter({ vendorChain: [{ fingerprint: fp('old'), state: 'active' }] });
    only(checkRotation(rotation(untrusted)), 'references-trusted');
  });

  it('catches a reference naming a deleted certificate', () => {
    const after = completedAfter({
      certificates: [certificate('0P1A', 'Signing', pems.old, true), certificate('0P1B', 'Partner_Signing', pems.bystander), certificate('0P1C', 'Signing_2', pems.new, true)],
    });
    only(checkRotation(rotation(after)), 'references-trusted');
  });

  it('catches the old certificate deleted before the grace period ended, or without verification, or on a rollback', () => {
    const short = COMPLETED_TIMELINE.map((e) => (e.phase === 'cleaning-up' ? { ...e, at: at(200 + GRACE_MS - 500) } : e));
    only(checkRotation(rotation(completedAfter(), { timeline: short })), 'deleted-after-grace');
    only(checkRotation(rotation(completedAfter(), { verification: { passed: false, checks: [], at: at(150) } })), 'deleted-after-grace');
    const noGrace = COMPLETED_TIMELINE.filter((e) => e.phase !== 'grace-period');
    only(checkRotation(rotation(completedAfter(), { timeline: noGrace })), 'deleted-after-grace');
    const rolledBack = view({
      certificates: [certificate('0P1A', 'Signing', pems.old, true), certificate('0P1B', 'Partner_Signing', pems.bystander)],
      chain: ['Signing', 'Signing'],
      vendorChain: [{ fingerprint: fp('old'), state: 'active' }],
    });
    only(checkRotation(rotation(rolledBack, { outcome: 'rolled-back', newCertificate: null })), 'deleted-after-grace');
  });

  it('catches a key still trusted that no reference uses', () => {
    const after = view({
      certificates: [certificate('0P1A', 'Signing', pems.old, true), certificate('0P1B', 'Partner_Signing', pems.bystander), certificate('0P1C', 'Signing_2', pems.new)],
      chain: ['Signing_2', 'Signing_2'],
      vendorChain: [
        { fingerprint: fp('old'), state: 'active' },
        { fingerprint: fp('new'), state: 'active' },
      ],
    });
    only(checkRotation(rotation(after)), 'no-unused-trust');
    // The same state with the clean-up failure listed as a manual step is allowed.
    assert.deepEqual(checkRotation(rotation(after, { outcome: 'completed-with-manual-steps', manualSteps: ['Retire the old key by hand'] })), []);
  });

  it('catches a bystander certificate, reference or vendor key touched', () => {
    const deleted = completedAfter({
      certificates: [certificate('0P1A', 'Signing', pems.old, true), certificate('0P1B', 'Partner_Signing', pems.bystander, true), certificate('0P1C', 'Signing_2', pems.new)],
    });
    only(checkRotation(rotation(deleted)), 'bystanders-untouched');
    only(checkRotation(rotation(completedAfter({ bystanderRef: 'Signing_2' }))), 'bystanders-untouched');
    only(checkRotation(rotation(completedAfter({ vendorOther: [{ fingerprint: fp('bystander'), state: 'retired' }] }))), 'bystanders-untouched');
  });

  it('catches a rotation that never ended, and outcomes the sandboxes contradict', () => {
    only(checkRotation(rotation(BEFORE(), null)), 'outcome');
    only(checkRotation(rotation(BEFORE(), { outcome: null })), 'outcome');
    // "rolled back", but the new certificate is still there and the references name it
    only(checkRotation(rotation(completedAfter(), { outcome: 'rolled-back' })), 'outcome');
    // "failed" after making a certificate, with no manual step listed
    const failed = view({
      certificates: [certificate('0P1A', 'Signing', pems.old), certificate('0P1B', 'Partner_Signing', pems.bystander), certificate('0P1C', 'Signing_2', pems.new)],
      chain: ['Signing', 'Signing'],
      vendorChain: [{ fingerprint: fp('old'), state: 'active' }],
    });
    only(checkRotation(rotation(failed, { outcome: 'failed', verification: null })), 'outcome');
    assert.deepEqual(checkRotation(rotation(failed, { outcome: 'failed', verification: null, manualSteps: ['Delete Signing_2 by hand'] })), []);
    // "completed", but the old certificate was kept
    const kept = completedAfter({
      certificates: [certificate('0P1A', 'Signing', pems.old), certificate('0P1B', 'Partner_Signing', pems.bystander), certificate('0P1C', 'Signing_2', pems.new)],
    });
    only(checkRotation(rotation(kept)), 'outcome');
  });
});
