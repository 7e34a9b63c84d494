/**
 * The org proves it holds a certificate's key: a signature made by anonymous Apex, and a
 * two-way-TLS callout presenting the certificate to a local HTTPS server.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createCertificateAuthority, createCsr, generateRsaKeyPair, signCsr, verifyRsaSha256 } from '../../src/certificates';
import { isRotationError } from '../../src/domain/errors';
import type { SalesforceOrg } from '../../src/salesforce/org-port';
import { startDemoOrg, type DemoOrg } from './support';

describe('jsforce adapter: proof by anonymous Apex', () => {
  let demo: DemoOrg;
  let org: SalesforceOrg;
  let vendorServer: Server;
  let vendorUrl = '';
  const clientFingerprints: string[] = [];

  before(async () => {
    // the vendor's server identity, issued by a CA that only the sandbox org is told to trust
    const ca = await createCertificateAuthority({ commonName: 'vendor test CA', validityDays: 30 });
    const serverKey = await generateRsaKeyPair(2048);
    const serverCert = signCsr({
      csrPem: createCsr({ privateKeyPem: serverKey.privateKeyPem, subject: { commonName: '127.0.0.1' } }),
      caCertificatePem: ca.certificatePem,
      caPrivateKeyPem: ca.privateKeyPem,
      validityDays: 30,
      subjectAltNames: ['127.0.0.1'],
      extendedKeyUsage: ['serverAuth'],
    });
    demo = await startDemoOrg({ trustedCaPems: [ca.certificatePem] });
    org = demo.adapter();
    const vendorCert = (await org.getCertificate('Vendor_Signing')).certificatePem ?? '';

    // two-way TLS: the server accepts only the org's Vendor_Signing certificate as client
    vendorServer = createServer({ key: serverKey.privateKeyPem, cert: serverCert, ca: [vendorCert], requestCert: true, rejectUnauthorized: true }, (req, res) => {
      clientFingerprints.push((req.socket as TLSSocket).getPeerCertificate().fingerprint256);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello ${req.url ?? ''}`);
    });
    await new Promise<void>((resolve) => vendorServer.listen(0, '127.0.0.1', resolve));
    vendorUrl = `https://127.0.0.1:${(vendorServer.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => (vendorServer ? vendorServer.close(() => resolve()) : resolve()));
    await demo?.close();
  });

  it('signWithCertificate: the signature verifies with the certificate public key', async () => {
    const nonce = `certrot-check ${Date.now()} 'quoted' \\ back\nslash`;
    const signature = await org.signWithCertificate('Vendor_Signing', nonce);
    const cert = await org.getCertificate('Vendor_Signing');
    assert.equal(verifyRsaSha256(cert.certificatePem ?? '', nonce, signature), true);
    assert.equal(verifyRsaSha256(cert.certificatePem ?? '', `${nonce}x`, signature), false);
    const other = await org.getCertificate('Partner_Signing');
    assert.equal(verifyRsaSha256(other.certificatePem ?? '', nonce, signature), false, 'signed by Vendor_Signing, not another key');
  });

  it('signWithCertificate refuses a label and an unusable certificate before running Apex', async () => {
    await assert.rejects(org.signWithCertificate('Vendor Signing', 'n'), (err: unknown) => isRotationError(err, 'LABEL_NOT_UNIQUE_NAME'));
    await org.createCertificate({ uniqueName: 'Waiting_For_Chain', label: 'Waiting', keySize: 2048, caSigned: true, privateKeyExportable: false });
    await assert.rejects(org.signWithCertificate('Waiting_For_Chain', 'n'), (err: unknown) => isRotationError(err, 'CERT_UNUSABLE'));
  });

  it('calloutWithCertificate: the server sees the org present the right client certificate', async () => {
    const result = await org.calloutWithCertificate('Vendor_Signing', `${vendorUrl}/ping?x=1`);
    assert.deepEqual(result, { statusCode: 200, body: 'hello /ping?x=1' });
    const expected = (await org.getCertificate('Vendor_Signing')).fingerprintSha256;
    assert.deepEqual(clientFingerprints, [expected]);
  });

  it('calloutWithCertificate with a certificate the server does not trust fails as APEX_FAILED', async () => {
    await assert.rejects(org.calloutWithCertificate('Partner_Signing', vendorUrl), (err: unknown) => isRotationError(err, 'APEX_FAILED') && /CalloutException/.test(err.message));
    assert.equal(clientFingerprints.length, 1);
  });
});
