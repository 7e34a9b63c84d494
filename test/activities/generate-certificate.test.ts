import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GenerateInput } from '../../src/domain/activity-contract';
import type { CertificateDetails } from '../../src/domain/certificate';
import { RotationError } from '../../src/domain/errors';
import type { CreateCertificateInput, Reference } from '../../src/salesforce/org-port';
import { activitiesWith, certificate, fakeOrg, fakeRegistry, fakeTeam, isFailureOfType, mockEnv, run } from './fakes';

const STARTED = '2025-06-01T09:00:00.000Z';

const INPUT: GenerateInput = {
  org: 'prod',
  uniqueName: 'Vendor_Cert_2025',
  label: 'Vendor Cert 2025',
  keySize: 2048,
  caSigned: false,
  rotationStartedAt: STARTED,
  replacing: 'Vendor_Cert_2024',
};

const REFERENCE: Reference = {
  object: 'csam__AsyncMessOptions__c',
  field: 'csam__Certificate__c',
  recordId: 'a01000000000001AAA',
  scope: 'org-default',
  owner: null,
  value: 'vendor_cert_2025',
  matchedBy: 'unique-name',
};

/** An org where `existing` already holds the name (createCertificate refuses with its name). */
function orgWithExisting(existing: CertificateDetails, references: Reference[] = []) {
  const created: CreateCertificateInput[] = [];
  const org = fakeOrg({
    createCertificate(input) {
      created.push(input);
      return Promise.reject(new RotationError('CERT_ALREADY_EXISTS', `${existing.uniqueName} exists`, { details: { uniqueName: existing.uniqueName } }));
    },
    getCertificate: (name) => Promise.resolve({ ...existing, uniqueName: name }),
    discoverReferenceTargets: () => Promise.resolve([]),
    findReferences: () => Promise.resolve(references),
  });
  return { org, created };
}

/** What an earlier attempt of this very step would have created. */
const OURS = certificate({ uniqueName: 'vendor_cert_2025', label: INPUT.label, keySize: 2048, caSigned: false, createdAt: '2025-06-01T09:05:00.000Z' });

describe('generateCertificate', () => {
  it('creates the certificate when the name is free, with an unexportable key', async () => {
    const created: CreateCertificateInput[] = [];
    const org = fakeOrg({
      createCertificate(input) {
        created.push(input);
        return Promise.resolve(certificate({ uniqueName: input.uniqueName, label: input.label }));
      },
    });
    const summary = await run(mockEnv(), activitiesWith(org).generateCertificate, INPUT);
    assert.equal(summary.uniqueName, INPUT.uniqueName);
    assert.equal(summary.fingerprint, Array(32).fill('AA').join(':'));
    assert.deepEqual(created, [{ uniqueName: INPUT.uniqueName, label: INPUT.label, keySize: 2048, caSigned: false, privateKeyExportable: false }]);
  });

  it('adopts an existing certificate created after the rotation started, with the same settings and no references', async () => {
    const { org } = orgWithExisting(OURS);
    const summary = await run(mockEnv(), activitiesWith(org).generateCertificate, INPUT);
    assert.equal(summary.uniqueName, 'vendor_cert_2025');
  });

  it('refuses a certificate created before the rotation started', async () => {
    const { org } = orgWithExisting({ ...OURS, createdAt: '2025-06-01T08:59:59.000Z' });
    await assert.rejects(run(mockEnv(), activitiesWith(org).generateCertificate, INPUT), isFailureOfType('CERT_ALREADY_EXISTS'));
  });

  it('refuses a certificate with another label', async () => {
    const { org } = orgWithExisting({ ...OURS, label: 'Someone else' });
    await assert.rejects(run(mockEnv(), activitiesWith(org).generateCertificate, INPUT), isFailureOfType('CERT_ALREADY_EXISTS'));
  });

  it('refuses a certificate with another key size', async () => {
    const { org } = orgWithExisting({ ...OURS, keySize: 4096 });
    await assert.rejects(run(mockEnv(), activitiesWith(org).generateCertificate, INPUT), isFailureOfType('CERT_ALREADY_EXISTS'));
  });

  it('refuses a certificate with other signing (CA-signed)', async () => {
    const { org } = orgWithExisting({ ...OURS, caSigned: true });
    await assert.rejects(run(mockEnv(), activitiesWith(org).generateCertificate, INPUT), isFailureOfType('CERT_ALREADY_EXISTS'));
  });

  it('refuses a certificate some reference already names', async () => {
    const { org } = orgWithExisting(OURS, [REFERENCE]);
    await assert.rejects(run(mockEnv(), activitiesWith(org).generateCertificate, INPUT), isFailureOfType('CERT_ALREADY_EXISTS'));
  });

  it('refuses the certificate being replaced, compared case-insensitively', async () => {
    const { org } = orgWithExisting({ ...OURS, uniqueName: 'VENDOR_CERT_2024' });
    const input = { ...INPUT, uniqueName: 'vendor_cert_2024' };
    await assert.rejects(run(mockEnv(), activitiesWith(org).generateCertificate, input), (error: unknown) => {
      isFailureOfType('CERT_ALREADY_EXISTS')(error);
      assert.match((error as Error).message, /being replaced/);
      return true;
    });
  });
});

describe('preflight', () => {
  const listing = [certificate({ uniqueName: 'Vendor_Cert_2024' }), certificate({ uniqueName: 'Vendor_Cert_2025' })];
  const org = fakeOrg({
    organizationId: () => Promise.resolve('00D000000000001EAA'),
    listCertificates: () => Promise.resolve(listing),
  });

  it('reports a certificate whose name differs only in case as newNameTakenBy', async () => {
    const activities = activitiesWith(org, { acme: fakeRegistry({ multipleActiveKeys: true }) });
    const result = await run(mockEnv(), activities.preflight, {
      org: 'prod',
      vendor: 'acme',
      strategy: 'overlap',
      certificate: 'Vendor_Cert_2024',
      newUniqueName: 'VENDOR_cert_2025',
    });
    assert.equal(result.newNameTakenBy, 'Vendor_Cert_2025');
    assert.equal(result.orgId, 'v-org');
    assert.equal(result.salesforceOrgId, '00D000000000001EAA');
    assert.deepEqual(result.vendor, { kind: 'registry', multipleActiveKeys: true });
  });

  it('refuses overlap with a vendor that holds one key (INVALID_INPUT)', async () => {
    const registry = fakeRegistry({ multipleActiveKeys: false });
    const activities = activitiesWith(org, { acme: registry });
    const input = { org: 'prod', vendor: 'acme', strategy: 'overlap' as const, certificate: 'Vendor_Cert_2024', newUniqueName: null };
    await assert.rejects(run(mockEnv(), activities.preflight, input), isFailureOfType('INVALID_INPUT'));
    assert.deepEqual(registry.calls, [{ method: 'capabilities', args: ['v-org'] }]);
  });

  it("takes a team vendor's capabilities from its configuration", async () => {
    const activities = activitiesWith(org, { team: fakeTeam(true) });
    const input = { org: 'prod', vendor: 'team', strategy: 'overlap' as const, certificate: 'Vendor_Cert_2024', newUniqueName: 'Brand_New' };
    const result = await run(mockEnv(), activities.preflight, input);
    assert.deepEqual(result.vendor, { kind: 'team', multipleActiveKeys: true });
    assert.equal(result.newNameTakenBy, null);

    const single = activitiesWith(org, { team: fakeTeam(false) });
    await assert.rejects(run(mockEnv(), single.preflight, input), isFailureOfType('INVALID_INPUT'));
  });
});
