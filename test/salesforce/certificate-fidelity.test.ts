/**
 * Certificates as Salesforce has them (issue #12, point 6), against the sandbox org: 3072-bit
 * keys, lifetimes by key size and the CA/Browser Forum schedule, the Tooling API's date-only
 * ExpirationDate, chains stored whole as uploaded, the CSR carrying the old certificate's
 * subject, and the adapter coping with both answers where Salesforce's is unconfirmed
 * (reserved names of deleted certificates, the text of the "in use" fault).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { createInventoryActivities } from '../../src/activities/inventory-activities';
import { createActivities } from '../../src/activities/rotation-activities';
import { createCertificateAuthority, createCsr, generateRsaKeyPair, parseCertificate, parseCertificateChain, parseCsr, signCsr } from '../../src/certificates';
import { salesforceLifetimeDays } from '../../src/domain/certificate-lifetime';
import { isRotationError } from '../../src/domain/errors';
import { resolveRotationRequest } from '../../src/domain/rotation-request';
import { signJwtAssertion } from '../../src/salesforce/auth';
import { certificateDetailsFrom, isoDate, toKeySize } from '../../src/salesforce/certificate-content';
import type { SalesforceOrg } from '../../src/salesforce/org-port';
import { mockEnv, run, type ActivityFunctions } from '../activities/fakes';
import { CONSUMER_KEY, INTEGRATION_USER, loadDemoFixture, startDemoOrg, type DemoOrg } from './support';

const DAY_MS = 86_400_000;

type FixtureCertificate = Record<string, unknown> & { uniqueName: string };

async function demoWith(certificates: FixtureCertificate[], behaviour?: Record<string, unknown>): Promise<DemoOrg> {
  const fixture = await loadDemoFixture();
  fixture.certificates = [...(fixture.certificates as FixtureCertificate[]), ...certificates];
  if (behaviour) fixture.behaviour = behaviour;
  return startDemoOrg({ fixture });
}

/** A raw jsforce connection to the sandbox org, for looking at the wire as Salesforce answers it. */
async function rawConnection(demo: DemoOrg): Promise<Connection> {
  const conn = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
  await conn.authorize({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    // the audience of a production org (login.salesforce.com) is always accepted
    assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience: 'https://login.salesforce.com', privateKeyPem: demo.jwtKeyPem }),
  });
  return conn;
}

function lifetimeDays(pem: string): number {
  const info = parseCertificate(pem);
  return (info.notAfter.getTime() - info.notBefore.getTime()) / DAY_MS;
}

/** A root CA and an intermediate it signed: CA-signed chains with more than one link. */
async function twoLevelCa() {
  const root = await createCertificateAuthority({ commonName: 'fidelity root CA', validityDays: 60 });
  const { privateKeyPem } = await generateRsaKeyPair(2048);
  const intermediatePem = signCsr({
    csrPem: createCsr({ privateKeyPem, subject: { commonName: 'fidelity intermediate CA' } }),
    caCertificatePem: root.certificatePem,
    caPrivateKeyPem: root.privateKeyPem,
    validityDays: 50,
    isCa: true,
  });
  return {
    root: root.certificatePem,
    intermediate: intermediatePem,
    sign: (csrPem: string) => signCsr({ csrPem, caCertificatePem: intermediatePem, caPrivateKeyPem: privateKeyPem, validityDays: 40, extendedKeyUsage: ['clientAuth'] }),
  };
}

describe('certificates as Salesforce has them', () => {
  let demo: DemoOrg;
  let org: SalesforceOrg;

  before(async () => {
    demo = await demoWith([
      { uniqueName: 'Issued_2025_2048', label: 'Issued 2025 2048', keySize: 2048, notBefore: '2025-06-01T10:00:00.000Z' },
      { uniqueName: 'Issued_2025_4096', label: 'Issued 2025 4096', keySize: 4096, notBefore: '2025-06-01T10:00:00.000Z' },
      { uniqueName: 'Issued_2026_3072', label: 'Issued 2026 3072', keySize: 3072, notBefore: '2026-04-01T10:00:00.000Z' },
    ]);
    org = demo.adapter();
  });
  after(async () => {
    await demo?.close();
  });

  describe('3072-bit keys', () => {
    it('creates, lists and reads a 3072-bit certificate, self-signed and CA-signed', async () => {
      const self = await org.createCertificate({ uniqueName: 'Three_K_Self', label: 'Three K Self', keySize: 3072, caSigned: false, privateKeyExportable: false });
      assert.equal(self.keySize, 3072);
      assert.equal(parseCertificate(self.certificatePem ?? '').keySize, 3072);
      const pending = await org.createCertificate({ uniqueName: 'Three_K_Ca', label: 'Three K CA', keySize: 3072, caSigned: true, privateKeyExportable: false });
      assert.equal(pending.keySize, 3072);
      assert.equal(parseCsr(pending.csrPem ?? '').keySize, 3072);
      const listed = await org.listCertificates();
      assert.equal(listed.find((c) => c.uniqueName === 'Three_K_Self')?.keySize, 3072);
      assert.equal(listed.find((c) => c.uniqueName === 'Three_K_Ca')?.keySize, 3072);
      assert.equal(listed.find((c) => c.uniqueName === 'Issued_2026_3072')?.keySize, 3072, 'a fixture certificate of 3072 bits');
    });

    it('a rotation request may ask for 3072 bits, and only for sizes Salesforce offers', () => {
      const base = { org: 'prod', certificate: 'Vendor_Signing', vendor: 'acme' };
      assert.equal(resolveRotationRequest({ ...base, keySize: 3072 }, new Date()).keySize, 3072);
      assert.throws(() => resolveRotationRequest({ ...base, keySize: 1024 }, new Date()), (err: unknown) => isRotationError(err, 'INVALID_INPUT') && /keySize.*2048, 3072 or 4096/.test(err.message));
    });

    it('reports an existing key size as it is, never rounded to 2048', () => {
      assert.equal(toKeySize(3072), 3072);
      assert.equal(toKeySize(1024), 1024);
      assert.equal(toKeySize(undefined), 2048, "missing: Salesforce's documented default");
    });

    it('reads the key size from the content when Salesforce returns it', async () => {
      const { privateKeyPem } = await generateRsaKeyPair(3072);
      const csrPem = createCsr({ privateKeyPem, subject: { commonName: 'x' } });
      const details = certificateDetailsFrom({ fullName: 'X_Cert', keySize: 2048, caSigned: true, content: Buffer.from(csrPem).toString('base64') }, null);
      assert.equal(details.keySize, 3072, 'the key itself says 3072');
    });
  });

  describe('lifetimes: what Salesforce gives on the day a certificate is created', () => {
    it('dates fixture certificates by key size and the CA/Browser Forum maximum of their day', async () => {
      assert.equal(lifetimeDays((await org.getCertificate('Issued_2025_2048')).certificatePem ?? ''), 365);
      assert.equal(lifetimeDays((await org.getCertificate('Issued_2025_4096')).certificatePem ?? ''), 398, 'two years, capped at 398 days before 2026-03-15');
      assert.equal(lifetimeDays((await org.getCertificate('Issued_2026_3072')).certificatePem ?? ''), 200, 'capped at 200 days from 2026-03-15');
    });

    it('dates a certificate created through the API by the day it is created', async () => {
      for (const keySize of [2048, 4096] as const) {
        const made = await org.createCertificate({ uniqueName: `Made_Now_${keySize}`, label: `Made now ${keySize}`, keySize, caSigned: false, privateKeyExportable: false });
        const info = parseCertificate(made.certificatePem ?? '');
        assert.equal(lifetimeDays(made.certificatePem ?? ''), salesforceLifetimeDays(keySize, info.notBefore));
        assert.equal(made.expiresAt, info.notAfter.toISOString(), 'the expiry Salesforce reports, read from the certificate');
      }
    });
  });

  describe('Tooling ExpirationDate is a date, Metadata expirationDate a dateTime', () => {
    it('the sandbox answers the Tooling query and describe with a date', async () => {
      const conn = await rawConnection(demo);
      const rows = (await conn.tooling.query<{ DeveloperName: string; ExpirationDate: string | null }>("SELECT DeveloperName, ExpirationDate FROM Certificate WHERE DeveloperName = 'Vendor_Signing'")).records;
      const notAfter = parseCertificate((await org.getCertificate('Vendor_Signing')).certificatePem ?? '').notAfter;
      assert.equal(rows[0]?.ExpirationDate, notAfter.toISOString().slice(0, 10));
      const described = await conn.tooling.describe('Certificate');
      assert.equal(described.fields.find((f) => f.name === 'ExpirationDate')?.type, 'date');
      const metadata = (await conn.metadata.read('Certificate', ['Vendor_Signing'])) as unknown as { expirationDate?: string } | { expirationDate?: string }[];
      const record = Array.isArray(metadata) ? metadata[0] : metadata;
      assert.match(record?.expirationDate ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, 'Metadata keeps the dateTime');
    });

    it('the listing takes a bare date as that day 00:00Z (never later than the certificate says); a read gives notAfter', async () => {
      const listed = (await org.listCertificates()).find((c) => c.uniqueName === 'Vendor_Signing');
      const read = await org.getCertificate('Vendor_Signing');
      const notAfter = parseCertificate(read.certificatePem ?? '').notAfter;
      assert.equal(listed?.expiresAt, `${notAfter.toISOString().slice(0, 10)}T00:00:00.000Z`);
      assert.equal(read.expiresAt, notAfter.toISOString());
      assert.equal(isoDate('2027-06-20'), '2027-06-20T00:00:00.000Z');
      assert.equal(isoDate('2027-06-20T10:11:12.000+0000'), '2027-06-20T10:11:12.000Z');
      assert.equal(isoDate('20 June 2027'), null, 'neither a date nor a dateTime');
    });

    it('the inventory reads notBefore and notAfter from each usable certificate, and never guesses them', async () => {
      const ca = await twoLevelCa();
      const pending = await org.createCertificate({ uniqueName: 'Inventory_Ca', label: 'Inventory CA', keySize: 2048, caSigned: true, privateKeyExportable: false });
      const leaf = ca.sign(pending.csrPem ?? '');
      await org.uploadSignedChain('Inventory_Ca', `${leaf}${ca.intermediate}`);
      const activities = createInventoryActivities({ orgs: new Map([['demo', { org, vendorOrgId: 'v' }]]), vendors: new Map(), inventory: { orgs: { demo: { integrations: [], maxActiveRotations: 3 } } }, alerts: null });
      const inventory = await run(mockEnv(), (input: { org: string }) => activities.inventoryOrg(input), { org: 'demo' });
      const selfSigned = inventory.certificates.find((c) => c.uniqueName === 'Vendor_Signing');
      const own = parseCertificate((await org.getCertificate('Vendor_Signing')).certificatePem ?? '');
      assert.equal(selfSigned?.notBefore, own.notBefore.toISOString(), 'the certificate\'s own notBefore, not derived from the key size');
      assert.equal(selfSigned?.notBeforeSource, 'certificate');
      assert.equal(selfSigned?.expiresAt, own.notAfter.toISOString());
      const caSigned = inventory.certificates.find((c) => c.uniqueName === 'Inventory_Ca');
      const info = parseCertificate(leaf);
      assert.equal(caSigned?.notBefore, info.notBefore.toISOString());
      assert.equal(caSigned?.notBeforeSource, 'certificate');
      assert.equal(caSigned?.expiresAt, info.notAfter.toISOString(), 'read anyway: the exact notAfter, not the listed date');
    });
  });

  describe('CA-signed chains', () => {
    it('takes a chain in any order, stores it whole as uploaded, and reports the leaf found by its key', async () => {
      const ca = await twoLevelCa();
      const pending = await org.createCertificate({ uniqueName: 'Chain_Any_Order', label: 'Chain any order', keySize: 2048, caSigned: true, privateKeyExportable: false });
      const leaf = ca.sign(pending.csrPem ?? '');
      const chain = `${ca.intermediate}${leaf}${ca.root}`;
      const done = await org.uploadSignedChain('Chain_Any_Order', chain);
      assert.equal(done.fingerprintSha256, parseCertificate(leaf).fingerprintSha256);
      assert.equal(done.spkiFingerprintSha256, pending.spkiFingerprintSha256);
      assert.equal(parseCertificate(done.certificatePem ?? '').fingerprintSha256, parseCertificate(leaf).fingerprintSha256);
      assert.equal(done.expiresAt, parseCertificate(leaf).notAfter.toISOString());

      const conn = await rawConnection(demo);
      const raw = (await conn.metadata.read('Certificate', ['Chain_Any_Order'])) as unknown as { content?: string } | { content?: string }[];
      const content = Buffer.from((Array.isArray(raw) ? raw[0] : raw)?.content ?? '', 'base64').toString('utf8');
      assert.deepEqual(
        parseCertificateChain(content).map((c) => c.fingerprintSha256),
        [ca.intermediate, leaf, ca.root].map((p) => parseCertificate(p).fingerprintSha256),
        'the whole chain, as uploaded',
      );
      const again = await org.getCertificate('Chain_Any_Order');
      assert.equal(again.fingerprintSha256, parseCertificate(leaf).fingerprintSha256);
      assert.equal((await org.uploadSignedChain('Chain_Any_Order', chain)).fingerprintSha256, done.fingerprintSha256, 'the same chain again changes nothing');
    });

    it('refuses a chain without a certificate for the CSR key, naming the fix', async () => {
      const ca = await twoLevelCa();
      await org.createCertificate({ uniqueName: 'Chain_Wrong_Key', label: 'Chain wrong key', keySize: 2048, caSigned: true, privateKeyExportable: false });
      await assert.rejects(org.uploadSignedChain('Chain_Wrong_Key', `${ca.intermediate}${ca.root}`), (err: unknown) => isRotationError(err, 'KEY_MISMATCH') && /CSR/.test(err.message));
    });

    it('loads a fixture chain that is not leaf first, finding the leaf by the private key', async () => {
      const ca = await twoLevelCa();
      const { privateKeyPem } = await generateRsaKeyPair(2048);
      const leaf = ca.sign(createCsr({ privateKeyPem, subject: { commonName: 'Loaded_Chain' } }));
      const other = await demoWith([{ uniqueName: 'Loaded_Chain', label: 'Loaded chain', caSigned: true, privateKeyPem, certificatePem: `${ca.root}${ca.intermediate}${leaf}` }]);
      try {
        const loaded = await other.adapter().getCertificate('Loaded_Chain');
        assert.equal(loaded.fingerprintSha256, parseCertificate(leaf).fingerprintSha256);
        assert.equal(loaded.usable, true);
      } finally {
        await other.close();
      }
    });
  });

  describe("the CSR of a new CA-signed certificate carries the old certificate's subject", () => {
    it('the adapter sends the old certificate as content on create; Salesforce copies its subject into the CSR', async () => {
      const old = await org.getCertificate('Vendor_Signing');
      const pending = await org.createCertificate({
        uniqueName: 'Subject_Copied',
        label: 'Subject copied',
        keySize: 2048,
        caSigned: true,
        privateKeyExportable: false,
        subjectFromCertificatePem: old.certificatePem ?? '',
      });
      assert.equal(parseCsr(pending.csrPem ?? '').subject, parseCertificate(old.certificatePem ?? '').subject);
      assert.notEqual(pending.spkiFingerprintSha256, old.spkiFingerprintSha256, 'a new key all the same');
    });

    it('generateCertificate passes the replaced certificate when CA-signed; the new certificate has its subject', async () => {
      const ca = await twoLevelCa();
      const activities: ActivityFunctions = createActivities({
        orgs: new Map([['demo', { org, vendorOrgId: 'v' }]]),
        vendors: new Map(),
        // a CA answering intermediate first: the adapter must still find the leaf
        ca: { signCsr: (csrPem) => Promise.resolve(`${ca.intermediate}${ca.sign(csrPem)}`) },
      });
      const created = await run(mockEnv(), activities.generateCertificate, {
        org: 'demo',
        uniqueName: 'Partner_Signing_Next',
        label: 'Partner Signing Next',
        keySize: 2048,
        caSigned: true,
        rotationStartedAt: new Date().toISOString(),
        replacing: 'Partner_Signing',
      });
      const old = await org.getCertificate('Partner_Signing');
      assert.equal(parseCertificate(created.certificatePem).subject, parseCertificate(old.certificatePem ?? '').subject);
      assert.equal(created.fingerprint, parseCertificate(created.certificatePem).fingerprintSha256);
    });
  });
});

describe('unconfirmed Salesforce behaviour: the adapter copes with both answers', () => {
  const deleted = [
    { uniqueName: 'Gone_Cert', label: 'Gone Cert', deleted: true },
    { uniqueName: 'Reused_Name', label: 'Reused name, first', deleted: true },
  ];

  it('deleted Unique Names reusable: creating one again succeeds and is listed once', async () => {
    const demo = await demoWith(deleted, { deletedCertificateNames: 'reusable' });
    try {
      const org = demo.adapter();
      const made = await org.createCertificate({ uniqueName: 'Reused_Name', label: 'Reused name, second', keySize: 2048, caSigned: false, privateKeyExportable: false });
      const listed = (await org.listCertificates()).filter((c) => c.uniqueName === 'Reused_Name');
      assert.equal(listed.length, 1);
      assert.equal(listed[0]?.label, 'Reused name, second');
      assert.equal((await org.getCertificate('Reused_Name')).fingerprintSha256, made.fingerprintSha256);
    } finally {
      await demo.close();
    }
  });

  it('deleted Unique Names reserved: the refusal says so and names the fix; nothing is adopted', async () => {
    const demo = await demoWith(deleted, { deletedCertificateNames: 'reserved' });
    try {
      const org = demo.adapter();
      const before = await demo.state();
      await assert.rejects(
        org.createCertificate({ uniqueName: 'reused_name', label: 'Reused name, second', keySize: 2048, caSigned: false, privateKeyExportable: false }),
        (err: unknown) => {
          assert.ok(isRotationError(err, 'CERT_ALREADY_EXISTS'), String(err));
          assert.match(err.message, /deleted certificate Reused_Name/);
          assert.match(err.message, /Choose another Unique Name/);
          assert.deepEqual(err.details, { uniqueName: 'Reused_Name', deleted: true });
          return true;
        },
      );
      assert.deepEqual((await demo.state()).certificates, before.certificates);

      // the rotation step does not try to adopt a certificate that is not there
      const activities: ActivityFunctions = createActivities({ orgs: new Map([['demo', { org, vendorOrgId: 'v' }]]), vendors: new Map() });
      await assert.rejects(
        run(mockEnv(), activities.generateCertificate, {
          org: 'demo',
          uniqueName: 'Reused_Name',
          label: 'Reused name, second',
          keySize: 2048,
          caSigned: false,
          rotationStartedAt: new Date().toISOString(),
          replacing: 'Vendor_Signing',
        }),
        (err: unknown) => err instanceof Error && /deleted certificate Reused_Name/.test(err.message) && /Choose another Unique Name/.test(err.message),
      );
    } finally {
      await demo.close();
    }
  });

  it("a deleted certificate's label is not taken for a live certificate's", async () => {
    const demo = await demoWith(deleted);
    try {
      await assert.rejects(demo.adapter().getCertificate('Gone Cert'), (err: unknown) => isRotationError(err, 'INVALID_INPUT') && !/label of certificate/.test(err.message));
    } finally {
      await demo.close();
    }
  });

  for (const fault of [
    { statusCode: 'DEPENDENCY_EXISTS', message: 'Le certificat est utilisé par {namedCredentials}.' },
    { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: 'Cannot delete this certificate: it is referenced by {namedCredentials}.' },
  ]) {
    it(`deleting a certificate in use answers CERT_IN_USE: ${fault.statusCode} "${fault.message}"`, async () => {
      const demo = await demoWith([], { certificateInUseFault: fault });
      try {
        await assert.rejects(demo.adapter().deleteCertificate('Vendor_Signing'), (err: unknown) => {
          assert.ok(isRotationError(err, 'CERT_IN_USE'), String(err));
          // the demo fixture has a legacy and a current-model named credential on Vendor_Signing
          assert.ok(err.message.includes(fault.message.replace('{namedCredentials}', 'Vendor_Orders_mTLS, Vendor_Orders_Secured')), err.message);
          assert.match(err.message, /Named credentials using it: Vendor_Orders_mTLS, Vendor_Orders_Secured\. Switch those to another certificate first/);
          return true;
        });
        assert.ok((await demo.state()).certificates.some((c) => c.uniqueName === 'Vendor_Signing' && !c.deleted));
      } finally {
        await demo.close();
      }
    });
  }
});
