import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatStatus } from '../../src/cli/format-status';
import type { CertificateSummary, ReferenceChange, RestoredReference, RotationStatus, VerificationCheck } from '../../src/domain/rotation';

/** Whether the text holds anything a terminal acts on (a newline only separates lines here). */
function dangerous(text: string): boolean {
  return [...text].some((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (n <= 0x1f && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || (n >= 0x202a && n <= 0x202e) || (n >= 0x2066 && n <= 0x2069);
  });
}

function certificate(uniqueName: string, spki: string): CertificateSummary {
  return {
    uniqueName,
    label: uniqueName.replace(/_/g, ' '),
    keySize: 2048,
    caSigned: false,
    expiresAt: '2027-12-01T00:00:00.000Z',
    certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    fingerprint: 'AA:AA',
    spkiFingerprint: spki,
  };
}

const change: ReferenceChange = {
  object: 'csam__AsyncMessOptions__c',
  field: 'csam__Certificate__c',
  recordId: 'a0B000000000001AAA',
  scope: 'org-default',
  owner: null,
  expected: 'Vendor_Signing',
  value: 'Vendor_Signing_2026',
};

/** A rotation that switched and verified, and is in its grace period. */
function baseStatus(overrides: Partial<RotationStatus> = {}): RotationStatus {
  return {
    workflowId: 'rotate/prod/vendor_signing',
    org: 'prod',
    vendor: 'acme',
    strategy: 'simultaneous',
    phase: 'grace-period',
    timeline: [
      { phase: 'backing-up', at: '2026-12-01T09:00:00Z' },
      { phase: 'applying', at: '2026-12-01T09:30:00Z' },
      { phase: 'grace-period', at: '2026-12-01T09:31:00Z', note: 'old certificate kept 7d' },
    ],
    oldCertificate: certificate('Vendor_Signing', 'OL:DK:EY'),
    newCertificate: certificate('Vendor_Signing_2026', 'NE:WK:EY'),
    window: { start: '2026-12-01T09:30:00Z', end: '2026-12-01T11:30:00Z' },
    approval: { approver: 'alice@acme.example', fingerprint: 'NE:WK:EY', at: '2026-12-01T09:10:00Z', window: { start: '2026-12-01T09:30:00Z', end: '2026-12-01T11:30:00Z' }, via: 'update' },
    rejection: null,
    referencesFound: [{ ...change, value: 'Vendor_Signing', matchedBy: 'unique-name' }],
    referencesChanged: [change],
    conflicts: [],
    vendorAppliedAt: null,
    verification: {
      passed: true,
      at: '2026-12-01T09:31:00Z',
      checks: [
        { name: 'references', passed: true, made: true, observedBy: 'salesforce', detail: 'every reference names Vendor_Signing_2026' },
        { name: 'signature', passed: true, made: true, observedBy: 'vendor-api', detail: 'vendor verified the org signature' },
      ],
    },
    mismatchWindowMs: 850,
    errors: [],
    ignoredMessages: [],
    manualSteps: [],
    outcome: null,
    endedAt: null,
    reason: null,
    ...overrides,
  };
}

function row(text: string, key: string): string | undefined {
  return text.split('\n').find((line) => new RegExp(`^${key}\\s{2,}`).test(line));
}

describe('formatStatus', () => {
  it('shows a running rotation: phase, keys, window, approval, switched references, checks with their observer', () => {
    const text = formatStatus(baseStatus());
    assert.match(row(text, 'phase') ?? '', /grace-period$/);
    assert.equal(row(text, 'outcome'), undefined);
    assert.match(row(text, 'approved') ?? '', /by alice@acme\.example at 2026-12-01T09:10:00Z \(update\)/);
    assert.match(row(text, 'mismatch window') ?? '', /850 ms/);
    assert.match(text, /references switched:\n {2}csam__AsyncMessOptions__c\.csam__Certificate__c on a0B000000000001AAA \(org-default\): Vendor_Signing -> Vendor_Signing_2026/);
    assert.match(text, /^verification: passed at 2026-12-01T09:31:00Z$/m);
    assert.match(text, /\[ok\] signature: vendor verified the org signature \(observed by vendor-api\)/);
    assert.match(text, /\[ok\] references: .* \(observed by salesforce\)/);
  });

  it('shows the outcome and when it ended', () => {
    const text = formatStatus(baseStatus({ phase: 'completed', outcome: 'completed', endedAt: '2026-12-08T09:31:00Z' }));
    assert.match(row(text, 'phase') ?? '', /completed \(completed\)$/);
    assert.match(row(text, 'outcome') ?? '', /completed$/);
    assert.match(row(text, 'ended') ?? '', /2026-12-08T09:31:00Z$/);
  });

  it('makes completed-with-manual-steps unmistakable and lists the steps', () => {
    const text = formatStatus(
      baseStatus({
        phase: 'completed',
        outcome: 'completed-with-manual-steps',
        endedAt: '2026-12-08T09:31:00Z',
        manualSteps: ['delete certificate Vendor_Signing in Setup > Certificate and Key Management'],
      }),
    );
    assert.match(row(text, 'phase') ?? '', /completed \(completed-with-manual-steps\)/);
    assert.match(row(text, 'outcome') ?? '', /COMPLETED WITH MANUAL STEPS/);
    assert.match(text, /MANUAL STEPS NEEDED:\n {2}- delete certificate Vendor_Signing/);
  });

  it('after a rollback: references as restored with the value each holds now, the verification superseded', () => {
    const restored: RestoredReference[] = [
      { ...change, expected: 'Vendor_Signing_2026', value: 'Vendor_Signing', now: 'Vendor_Signing' },
      { ...change, recordId: 'a0B000000000002AAA', scope: 'profile', owner: 'Integration User', expected: 'Vendor_Signing_2026', value: 'Vendor_Signing', now: 'Something_Else' },
      { ...change, recordId: 'a0B000000000003AAA', expected: 'Vendor_Signing_2026', value: 'Vendor_Signing', now: null },
    ];
    const text = formatStatus(
      baseStatus({
        phase: 'rolled-back',
        outcome: 'rolled-back',
        endedAt: '2026-12-02T10:00:00Z',
        reason: 'rollback by bob: vendor traffic failing',
        restored,
        verification: { ...baseStatus().verification!, supersededBy: 'rollback at 2026-12-02T09:59:00Z' },
      }),
    );
    assert.doesNotMatch(text, /references switched:/, 'switches are not presented as current');
    assert.match(row(text, 'references') ?? '', /1 switched then rolled back \(3 restored\)/);
    assert.match(text, /references after the rollback \(value each holds now\):/);
    assert.match(text, /a0B000000000001AAA \(org-default\): holds Vendor_Signing$/m);
    assert.match(text, /a0B000000000002AAA \(profile Integration User\): holds Something_Else {2}— NOT RESTORED: should hold Vendor_Signing$/m);
    assert.match(text, /a0B000000000003AAA \(org-default\): NOW GONE/);
    assert.match(text, /^verification \(superseded by rollback at 2026-12-02T09:59:00Z\): passed/m);
    assert.match(text, /describes a state that no longer holds/);
    assert.match(row(text, 'reason') ?? '', /vendor traffic failing/);
  });

  it('a Unique Name restored in other letter case counts as restored (Salesforce compares them case-insensitively)', () => {
    const text = formatStatus(baseStatus({ restored: [{ ...change, expected: 'Vendor_Signing_2026', value: 'Vendor_Signing', now: 'vendor_signing' }] }));
    assert.doesNotMatch(text, /NOT RESTORED/);
  });

  it('shows a check that was not made as NOT MADE, never ok, even if it says passed', () => {
    const checks: VerificationCheck[] = [
      { name: 'vendor trusts the new key', passed: true, made: false, observedBy: 'provisioning-team', detail: 'no API: reported by the team, not observed' },
      { name: 'tls probe', passed: false, made: false, detail: 'no callout URL configured' },
      { name: 'signature', passed: false, made: true, observedBy: 'certrot', detail: 'signature did not verify' },
    ];
    const text = formatStatus(baseStatus({ verification: { passed: false, at: '2026-12-01T09:31:00Z', checks } }));
    assert.match(text, /^verification: FAILED at .* \(2 checks NOT MADE\)$/m);
    assert.match(text, /\[NOT MADE\] vendor trusts the new key: .* \(observed by provisioning-team\)/);
    assert.match(text, /\[NOT MADE\] tls probe: no callout URL configured$/m);
    assert.match(text, /\[FAIL\] signature: signature did not verify \(observed by certrot\)/);
    assert.doesNotMatch(text, /\[ok\]/);
  });

  it("shows the provisioning team's confirmation as reported, by whom and when", () => {
    const text = formatStatus(
      baseStatus({ vendorAppliedAt: '2026-12-01T09:29:00Z', vendorConfirmation: { fingerprint: 'NE:WK:EY', by: 'acme-team', at: '2026-12-01T09:29:00Z', via: 'update' } }),
    );
    assert.match(row(text, 'vendor applied') ?? '', /reported by acme-team at 2026-12-01T09:29:00Z \(update\), key NE:WK:EY/);
    const unnamed = formatStatus(baseStatus({ vendorConfirmation: { fingerprint: 'NE:WK:EY', by: null, at: '2026-12-01T09:29:00Z', via: 'signal' } }));
    assert.match(row(unnamed, 'vendor applied') ?? '', /reported by the provisioning team \(unnamed\) at 2026-12-01T09:29:00Z \(signal\)/);
  });

  it('lists conflicts and refused messages, with how many were refused in all', () => {
    const text = formatStatus(
      baseStatus({
        conflicts: [{ ...change, actual: 'Someone_Elses' }],
        ignoredMessages: [{ message: 'approve', at: '2026-12-01T09:05:00Z', reason: 'fingerprint: not the new key' }],
        refusedCount: 7,
      }),
    );
    assert.match(text, /conflicts .*:\n {2}.*: expected Vendor_Signing, found Someone_Elses/);
    assert.match(text, /refused messages \(latest 1 of 7\):\n {2}2026-12-01T09:05:00Z approve: fingerprint: not the new key/);
  });

  it('makes every outside value printable: no ESC, C1 or bidi character reaches the terminal, no forged line', () => {
    const status = baseStatus({
      phase: 'rolled-back',
      outcome: 'rolled-back',
      approval: { ...baseStatus().approval!, approver: 'eve\x1b[2J\x1b]0;owned\x07' },
      rejection: { approver: 'mallory\u202e', reason: 'no\nAPPROVED by security@acme.example', at: '2026-12-01T09:20:00Z' },
      reason: 'vendor said \u009b2J',
      timeline: [{ phase: 'compensating', at: '2026-12-01T09:40:00Z', note: 'KEY_REJECTED: \x1b[31mred\x1b[0m' }],
      restored: [{ ...change, owner: 'Integration\u0085User', expected: 'x', value: 'Vendor_Signing', now: 'Vendor_Signing\u2066' }],
      conflicts: [{ ...change, actual: 'a\rb' }],
      ignoredMessages: [{ message: 'approve', at: '2026-12-01T09:05:00Z', reason: 'bad\n\nMANUAL STEPS NEEDED: none' }],
      errors: ['SALESFORCE_ERROR: \x1b]8;;https://evil.example\x1b\\link'],
      manualSteps: ['restore \u2067x\u2069 by hand\tnow'],
      verification: { passed: true, at: '2026-12-01T09:31:00Z', checks: [{ name: 'sig\x1b[1A', passed: true, made: true, detail: 'ok\r[FAIL]' }] },
    });
    const text = formatStatus(status);
    assert.ok(!dangerous(text));
    assert.ok(!text.split('\n').some((line) => line.startsWith('APPROVED')), 'no forged line');
    assert.equal(text.match(/MANUAL STEPS NEEDED/g)?.length, 2, 'the heading once, and the refused reason on its own line, escaped');
    assert.match(text, /by eve\\x1b\[2J\\x1b\]0;owned\\x07 at/);
    assert.match(text, /no\\nAPPROVED by security@acme\.example/);
    assert.match(text, /mallory\\u202e/);
    assert.match(text, /Integration\\x85User/);
    assert.match(text, /restore \\u2067x\\u2069 by hand\\tnow/);
  });

  it('cuts a very long outside value and says how long it was', () => {
    const text = formatStatus(baseStatus({ errors: ['E'.repeat(10_000)] }));
    assert.match(text, /E{500}… \(10000 characters in all\)/);
  });
});

describe('formatStatus: how the approval came', () => {
  const window = { start: '2026-12-01T09:30:00Z', end: '2026-12-01T11:30:00Z' };
  it('names the signed link and the address it was sent to, escaped', () => {
    const text = formatStatus(
      baseStatus({
        approvalMode: 'manual',
        approval: { approver: 'ann', fingerprint: 'NE:WK:EY', at: '2026-12-01T09:20:00Z', window, via: 'link', authentication: { method: 'signed-link', sentTo: 'ops@acme.test\u001b[2J', linkId: 'bGluaw', proof: 'cHJvb2Y' } },
      }),
    );
    assert.match(text, /approval mode\s+manual/);
    assert.match(text, /approved\s+by ann at 2026-12-01T09:20:00Z \(link\)/);
    assert.match(text, /authenticated\s+via signed link sent to ops@acme\.test\\x1b\[2J \(link bGluaw/);
    assert.ok(!dangerous(text));
  });

  it('names the registry, the continuity verdict and a registry rejection', () => {
    const registry = formatStatus(
      baseStatus({ approval: { approver: 'vendor acme (bob)', fingerprint: 'NE:WK:EY', at: '2026-12-01T09:20:00Z', window, via: 'registry', authentication: { method: 'vendor-api', vendor: 'acme', approvedBy: 'bob' } } }),
    );
    assert.match(registry, /authenticated\s+via the vendor registry of acme, decided by bob \(vendor API\)/);
    const continuity = formatStatus(
      baseStatus({
        approvalMode: 'continuity',
        approval: { approver: 'vendor acme (continuity policy P-1)', fingerprint: 'NE:WK:EY', at: '2026-12-01T09:20:00Z', window, via: 'continuity', authentication: { method: 'continuity', vendor: 'acme', policy: 'P-1' } },
        continuity: { signed: { statement: '{}', oldSignature: 'a', newSignature: 'b' }, verdict: { verified: true, problem: null, approval: 'approved', window: null, policy: 'P-1' }, problem: null, at: '2026-12-01T09:19:00Z' },
      }),
    );
    assert.match(continuity, /continuity\s+signed, verified, approved \(policy P-1\)/);
    assert.match(continuity, /via key continuity: vendor acme verified the statement/);
    const rejected = formatStatus(
      baseStatus({ phase: 'rolled-back', approval: null, rejection: { approver: 'vendor acme', reason: 'not\ninstalled', at: '2026-12-01T09:20:00Z', via: 'registry', authentication: { method: 'vendor-api', vendor: 'acme', approvedBy: null } } }),
    );
    assert.match(rejected, /rejected\s+by vendor acme at 2026-12-01T09:20:00Z \(registry\): not\\ninstalled/);
  });
});
