import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAdoption, type Adoption, type AdoptionRequest, type ExistingCertificate } from '../../src/domain/ownership';

const REQUEST: AdoptionRequest = {
  uniqueName: 'Vendor_Signing_2026_12_01',
  label: 'Vendor Signing 2026-12-01',
  keySize: 2048,
  caSigned: false,
  rotationStartedAt: '2026-12-01T10:00:00.000Z',
  replacing: 'Vendor_Signing',
};

/** What an earlier attempt of this rotation's generate step would have left. */
const OURS: ExistingCertificate = {
  uniqueName: 'Vendor_Signing_2026_12_01',
  label: 'Vendor Signing 2026-12-01',
  keySize: 2048,
  caSigned: false,
  createdAt: '2026-12-01T10:05:00.000Z',
};

const THEIRS = /^a certificate named \S+ already exists and .+, so it is not this rotation's to take over; choose another newUniqueName/;

describe('decideAdoption: a rotation takes over only a certificate it provably created', () => {
  const cases: {
    name: string;
    existing?: Partial<ExistingCertificate>;
    request?: Partial<AdoptionRequest>;
    references?: number;
    expected: true | RegExp;
  }[] = [
    { name: 'created after the start, same settings, unreferenced', expected: true },
    { name: 'created in the very millisecond the rotation started', existing: { createdAt: REQUEST.rotationStartedAt }, expected: true },
    { name: 'created at a time given with an offset', existing: { createdAt: '2026-12-01T11:05:00+01:00' }, expected: true },
    { name: 'its Unique Name in another case', existing: { uniqueName: 'vendor_signing_2026_12_01' }, expected: true },
    { name: 'a 4096-bit CA-signed one asked for and found', existing: { keySize: 4096, caSigned: true }, request: { keySize: 4096, caSigned: true }, expected: true },
    { name: 'no creation date', existing: { createdAt: null }, expected: /Salesforce does not say when it was created/ },
    { name: 'an unreadable creation date', existing: { createdAt: 'yesterday' }, expected: /it was created at yesterday, before this rotation started/ },
    {
      name: 'created before the rotation started',
      existing: { createdAt: '2026-12-01T09:59:59.999Z' },
      expected: /it was created at 2026-12-01T09:59:59.999Z, before this rotation started \(2026-12-01T10:00:00.000Z\)/,
    },
    { name: 'another label', existing: { label: 'Someone else' }, expected: /its label, key size or signing differ/ },
    { name: 'a label differing only in case', existing: { label: 'vendor signing 2026-12-01' }, expected: /its label, key size or signing differ/ },
    { name: 'another key size', existing: { keySize: 4096 }, expected: /its label, key size or signing differ/ },
    { name: 'CA-signed where self-signed was asked for', existing: { caSigned: true }, expected: /its label, key size or signing differ/ },
    { name: 'already referenced', references: 2, expected: /2 reference\(s\) already name it/ },
    {
      name: 'the certificate being replaced',
      existing: { uniqueName: 'Vendor_Signing' },
      request: { uniqueName: 'Vendor_Signing' },
      expected: /and it is the certificate being replaced/,
    },
    {
      name: 'the certificate being replaced, named in another case',
      existing: { uniqueName: 'VENDOR_SIGNING' },
      request: { uniqueName: 'vendor_signing' },
      expected: /^a certificate named VENDOR_SIGNING already exists and it is the certificate being replaced/,
    },
    {
      name: 'the certificate being replaced, even when everything else matches',
      existing: { uniqueName: 'vendor_signing_2026_12_01' },
      request: { replacing: 'Vendor_Signing_2026_12_01' },
      references: 0,
      expected: /it is the certificate being replaced/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision: Adoption = decideAdoption({ ...OURS, ...c.existing }, { ...REQUEST, ...c.request }, c.references ?? 0);
      if (c.expected === true) {
        assert.deepEqual(decision, { adopt: true });
      } else {
        assert.equal(decision.adopt, false);
        if (!decision.adopt) {
          assert.match(decision.reason, THEIRS);
          assert.match(decision.reason, c.expected);
        }
      }
    });
  }
});
