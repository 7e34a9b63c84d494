/**
 * Certificate operations of the jsforce adapter against the sandbox org, over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCertificateAuthority, parseCertificate, signCsr } from '../../src/certificates';
import { Connection } from 'jsforce';
import { salesforceLifetimeDays } from '../../src/domain/certificate-lifetime';
import { isRotationError } from '../../src/domain/errors';
import { signJwtAssertion } from '../../src/salesforce/auth';
import type { SalesforceOrg } from '../../src/salesforce/org-port';
import { CONSUMER_KEY, INTEGRATION_USER, startDemoOrg, type DemoOrg } from './support';

describe('jsforce adapter: certificates', () => {
  let demo: DemoOrg;
  let org: SalesforceOrg;

  before(async () => {
    demo = await startDemoOrg();
    org = demo.adapter();
  });
  after(async () => {
    await demo?.close();
  });

  it('lists the live certificates with their settings', async () => {
    const list = await org.listCertificates();
    assert.deepEqual(
      list.map((c) => [c.uniqueName, c.label, c.keySize, c.caSigned, c.usable, c.privateKeyExportable]),
      [
        ['Partner_Signing', 'Partner Signing', 2048, false, true, false],
        ['Vendor_Signing', 'Vendor Signing', 2048, false, true, true],
      ],
    );
    const vendor = list.find((c) => c.uniqueName === 'Vendor_Signing');
    // created at load: it lasts what Salesforce gives today (a year, capped by the CA/Browser Forum maximum);
    // the listing has only the expiry's day (Tooling ExpirationDate), taken as 00:00Z
    const notAfter = Date.now() + salesforceLifetimeDays(2048, new Date()) * 86_400_000;
    assert.ok(vendor?.expiresAt && Date.parse(vendor.expiresAt) <= notAfter && Date.parse(vendor.expiresAt) > notAfter - 2 * 86_400_000, `expires ${vendor?.expiresAt}`);
  });

  it('reads a certificate with its public PEM and fingerprints', async () => {
    const cert = await org.getCertificate('Vendor_Signing');
    assert.ok(cert.certificatePem?.startsWith('-----BEGIN CERTIFICATE-----'));
    const parsed = parseCertificate(cert.certificatePem ?? '');
    assert.equal(cert.fingerprintSha256, parsed.fingerprintSha256);
    assert.equal(cert.spkiFingerprintSha256, parsed.spkiFingerprintSha256);
    assert.equal(cert.expiresAt, parsed.notAfter.toISOString());
    assert.equal(cert.csrPem, null);
  });

  it('says LABEL_NOT_UNIQUE_NAME when given a label', async () => {
    await assert.rejects(org.getCertificate('Vendor Signing'), (err: unknown) => {
      assert.ok(isRotationError(err, 'LABEL_NOT_UNIQUE_NAME'));
      assert.equal(err.message, '"Vendor Signing" is the label of certificate Vendor_Signing; references and inputs must use the Unique Name');
      return true;
    });
  });

  it('says CERT_NOT_FOUND for an unknown name and INVALID_INPUT for a malformed one', async () => {
    await assert.rejects(org.getCertificate('No_Such_Cert'), (err: unknown) => isRotationError(err, 'CERT_NOT_FOUND'));
    await assert.rejects(org.getCertificate("x' OR Name != '"), (err: unknown) => isRotationError(err, 'INVALID_INPUT'));
    await assert.rejects(org.getCertificate('Bad__Name'), (err: unknown) => isRotationError(err, 'INVALID_INPUT'));
  });

  it('reads the organization Id (Organization.Id, 18 characters)', async () => {
    assert.equal(await org.organizationId(), '00D000000000001EAA');
    assert.equal(await demo.adapter().organizationId(), '00D000000000001EAA', 'another adapter of the same org: the same Id');
  });

  it('creates a self-signed certificate, dated by the org now; creating it again is refused, never adopted', async () => {
    const input = { uniqueName: 'Vendor_Signing_2027', label: 'Vendor Signing 2027', keySize: 2048 as const, caSigned: false, privateKeyExportable: true };
    const before = Date.now();
    const first = await org.createCertificate(input);
    assert.equal(first.usable, true);
    assert.ok(first.certificatePem);
    assert.ok(first.createdAt !== null, 'the org says when it created the certificate');
    // seconds of slack: Salesforce dateTimes may drop the milliseconds
    assert.ok(Date.parse(first.createdAt) >= before - 1000 && Date.parse(first.createdAt) <= Date.now() + 1000, `created just now, not ${first.createdAt}`);
    assert.equal((await org.getCertificate('Vendor_Signing_2027')).createdAt, first.createdAt);

    await assert.rejects(org.createCertificate(input), (err: unknown) => {
      assert.ok(isRotationError(err, 'CERT_ALREADY_EXISTS'));
      assert.deepEqual(err.details, { uniqueName: 'Vendor_Signing_2027' });
      assert.match(err.message, /Vendor_Signing_2027 already exists.*Choose another Unique Name/);
      return true;
    });
    const state = await demo.state();
    assert.equal(state.certificates.filter((c) => c.uniqueName === 'Vendor_Signing_2027').length, 1);
  });

  it('refuses a Unique Name that differs only in case, naming the existing certificate, and changes nothing', async () => {
    const before = await demo.state();
    await assert.rejects(
      org.createCertificate({ uniqueName: 'partner_signing', label: 'Partner Signing', keySize: 2048, caSigned: false, privateKeyExportable: false }),
      (err: unknown) => {
        assert.ok(isRotationError(err, 'CERT_ALREADY_EXISTS'));
        assert.deepEqual(err.details, { uniqueName: 'Partner_Signing' }, 'the existing name as stored');
        assert.match(err.message, /Partner_Signing already exists \(Unique Names are case-insensitive: partner_signing is the same name\)/);
        return true;
      },
    );
    assert.deepEqual((await demo.state()).certificates, before.certificates);
  });

  it('the sandbox refuses a case-insensitive duplicate on Metadata create as Salesforce does', async () => {
    const conn = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
    await conn.authorize({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience: 'https://login.salesforce.com', privateKeyPem: demo.jwtKeyPem }),
    });
    const before = await demo.state();
    const result = await conn.metadata.create('Certificate', { fullName: 'VENDOR_SIGNING', masterLabel: 'Shouting', caSigned: false, keySize: 2048 });
    const saved = (Array.isArray(result) ? result[0] : result) as unknown as { success: unknown; errors?: { statusCode?: string } | { statusCode?: string }[] };
    assert.equal(String(saved.success), 'false');
    const errors = Array.isArray(saved.errors) ? saved.errors : [saved.errors];
    assert.equal(errors[0]?.statusCode, 'DUPLICATE_DEVELOPER_NAME');
    assert.deepEqual((await demo.state()).certificates, before.certificates);
  });

  it('two creates of one name at once: one certificate, the other CERT_ALREADY_EXISTS', async () => {
    // The latency makes both checks likely to run before either create lands, so that the
    // Metadata create itself answers DUPLICATE_DEVELOPER_NAME; either way the outcome is one.
    const other = demo.adapter();
    await other.apiUsage(); // logged in already, so both start at once
    await demo.injectFaults([{ operation: 'metadata.createMetadata', kind: 'latency', latencyMs: 200, times: 2 }]);
    const input = { uniqueName: 'Raced_Cert', label: 'Raced', keySize: 2048 as const, caSigned: false, privateKeyExportable: true };
    const outcomes = await Promise.allSettled([org.createCertificate(input), other.createCertificate({ ...input, uniqueName: 'RACED_CERT' })]);
    const created = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    assert.equal(created.length, 1);
    assert.equal(refused.length, 1);
    assert.ok(isRotationError(refused[0], 'CERT_ALREADY_EXISTS'), String(refused[0]));
    const state = await demo.state();
    assert.equal(state.certificates.filter((c) => c.uniqueName.toLowerCase() === 'raced_cert').length, 1);
    await fetch(`${demo.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    await org.deleteCertificate(created[0]?.status === 'fulfilled' ? created[0].value.uniqueName : 'Raced_Cert');
  });

  it('creates a CA-signed certificate as a CSR, then takes the signed chain whose leaf matches its key', async () => {
    const pending = await org.createCertificate({ uniqueName: 'Vendor_CA_Signed', label: 'Vendor CA Signed', keySize: 2048, caSigned: true, privateKeyExportable: false });
    assert.equal(pending.usable, false);
    assert.equal(pending.certificatePem, null);
    assert.ok(pending.csrPem?.includes('CERTIFICATE REQUEST'));
    assert.equal((await org.listCertificates()).find((c) => c.uniqueName === 'Vendor_CA_Signed')?.usable, false);

    const ca = await createCertificateAuthority({ commonName: 'certrot test CA', validityDays: 30 });
    const otherCa = await createCertificateAuthority({ commonName: 'other CA', validityDays: 30 });
    const leaf = signCsr({ csrPem: pending.csrPem ?? '', caCertificatePem: ca.certificatePem, caPrivateKeyPem: ca.privateKeyPem, validityDays: 90, extendedKeyUsage: ['clientAuth'] });
    // a certificate for another key is refused before it reaches Salesforce
    await assert.rejects(org.uploadSignedChain('Vendor_CA_Signed', otherCa.certificatePem), (err: unknown) => isRotationError(err, 'KEY_MISMATCH'));

    const done = await org.uploadSignedChain('Vendor_CA_Signed', `${leaf}${ca.certificatePem}`);
    assert.equal(done.usable, true);
    assert.equal(done.csrPem, null);
    assert.equal(done.fingerprintSha256, parseCertificate(leaf).fingerprintSha256);
    assert.equal(done.spkiFingerprintSha256, pending.spkiFingerprintSha256);
    const again = await org.uploadSignedChain('Vendor_CA_Signed', `${leaf}${ca.certificatePem}`);
    assert.equal(again.fingerprintSha256, done.fingerprintSha256);
  });

  it('refuses CERT_IN_USE naming the named credential that uses it', async () => {
    await assert.rejects(org.deleteCertificate('Vendor_Signing'), (err: unknown) => {
      assert.ok(isRotationError(err, 'CERT_IN_USE'));
      assert.match(err.message, /Vendor_Orders_mTLS/);
      return true;
    });
    assert.ok((await org.listCertificates()).some((c) => c.uniqueName === 'Vendor_Signing'));
  });

  it('deletes an unused certificate; the inventory stops listing it although Tooling still returns it', async () => {
    await org.deleteCertificate('Vendor_Signing_2027');
    assert.ok(!(await org.listCertificates()).some((c) => c.uniqueName === 'Vendor_Signing_2027'));
    const state = await demo.state();
    assert.equal(state.certificates.find((c) => c.uniqueName === 'Vendor_Signing_2027')?.deleted, true);
    await assert.rejects(org.deleteCertificate('Vendor_Signing_2027'), (err: unknown) => isRotationError(err, 'CERT_NOT_FOUND'));
  });

  it('never shows a private key in the sandbox state', async () => {
    const text = await (await fetch(`${demo.sandbox.url}/__sandbox/state`)).text();
    assert.doesNotMatch(text, /PRIVATE KEY/);
    assert.doesNotMatch(text, /certrot-demo-consumer-secret|RefreshToken/);
  });

  it('reports the daily API usage', async () => {
    const usage = await org.apiUsage();
    assert.equal(usage.max, 15000);
    assert.equal(usage.used + usage.remaining, usage.max);
    assert.ok(usage.used > 120, 'the calls of this suite were counted');
  });
});
