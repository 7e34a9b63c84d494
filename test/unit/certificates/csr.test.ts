import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createCsr,
  createSelfSignedCertificate,
  generateRsaKeyPair,
  parseCertificate,
  parseCsr,
  signCsr,
  spkiFingerprint,
} from '../../../src/certificates';
import { DAY_MS, Workdir, assertRotationError, openssl, opensslDate, opensslField, opensslPublicKeyFingerprint, opensslResult, opensslText, pemBody } from './openssl-oracle';

const NOT_BEFORE = new Date('2030-01-01T00:00:00Z');

/** Flips one bit of the last byte of the DER: the last byte of the signature. */
function tamperSignature(pem: string, type: string): string {
  const der = Buffer.from(pemBody(pem), 'base64');
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  return `-----BEGIN ${type}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${type}-----\n`;
}

describe('certificates: CSRs and CA signing, checked against openssl', () => {
  const work = new Workdir();
  let ca: { privateKeyPem: string; publicKeyPem: string };
  let requester: { privateKeyPem: string; publicKeyPem: string };
  let caCertificatePem: string;
  let csrPem: string;

  before(async () => {
    [ca, requester] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    caCertificatePem = createSelfSignedCertificate({
      privateKeyPem: ca.privateKeyPem,
      subject: { commonName: 'Certrot Test CA', organization: 'Acme' },
      validityDays: 3650,
      notBefore: new Date('2029-01-01T00:00:00Z'),
      isCa: true,
    });
    csrPem = createCsr({
      privateKeyPem: requester.privateKeyPem,
      subject: { commonName: 'orders.example.com', organization: 'Acme', country: 'US' },
      subjectAltNames: ['orders.example.com', '172.16.0.9'],
    });
    work.write('ca.pem', caCertificatePem);
    work.write('req.csr', csrPem);
  });

  after(() => work.remove());

  describe('createCsr', () => {
    it('passes openssl req -verify', () => {
      const result = opensslResult(['req', '-in', work.file('req.csr'), '-verify', '-noout']);
      assert.equal(result.status, 0, result.output);
      assert.match(result.output, /verify OK/);
    });

    it('carries the subject and requested SANs openssl reads', () => {
      const text = openssl(['req', '-in', work.file('req.csr'), '-noout', '-text', '-nameopt', 'RFC2253']);
      assert.match(text, /Subject: CN=orders\.example\.com,O=Acme,C=US/);
      assert.match(text, /Requested Extensions:[\s\S]*DNS:orders\.example\.com, IP Address:172\.16\.0\.9/);
      assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
    });

    it('parses back with the SPKI fingerprint of its key, as openssl computes it', () => {
      const info = parseCsr(csrPem);
      const publicKeyPem = openssl(['req', '-in', work.file('req.csr'), '-pubkey', '-noout']);
      const expected = opensslPublicKeyFingerprint(publicKeyPem);
      assert.equal(info.spkiFingerprintSha256, expected);
      assert.equal(spkiFingerprint(csrPem), expected);
      assert.equal(spkiFingerprint(requester.publicKeyPem), expected);
      assert.equal(info.publicKeyPem, publicKeyPem);
      assert.deepEqual(
        { subject: info.subject, commonName: info.commonName, keySize: info.keySize, subjectAltNames: info.subjectAltNames },
        { subject: 'CN=orders.example.com,O=Acme,C=US', commonName: 'orders.example.com', keySize: 2048, subjectAltNames: ['orders.example.com', '172.16.0.9'] },
      );
    });
  });

  describe('parseCsr of a CSR made by openssl req -new', () => {
    it('reads subject, key size and SANs, and its signature verifies', () => {
      openssl([
        'req', '-new', '-key', work.write('requester.key', requester.privateKeyPem),
        '-subj', '/C=GB/O=Vendor Ltd/OU=Provisioning/CN=vendor.example.net',
        '-addext', 'subjectAltName=DNS:vendor.example.net,DNS:alt.example.net',
        '-out', work.file('openssl.csr'),
      ]);
      const info = parseCsr(work.read('openssl.csr'));
      assert.equal(info.subject, 'CN=vendor.example.net,OU=Provisioning,O=Vendor Ltd,C=GB');
      assert.equal(info.commonName, 'vendor.example.net');
      assert.equal(info.keySize, 2048);
      assert.deepEqual(info.subjectAltNames, ['vendor.example.net', 'alt.example.net']);
      assert.equal(info.spkiFingerprintSha256, spkiFingerprint(requester.publicKeyPem));
    });
  });

  describe('a CSR with a tampered signature', () => {
    it('fails openssl req -verify and parseCsr with CSR_SIGNATURE_INVALID', () => {
      const tampered = tamperSignature(csrPem, 'CERTIFICATE REQUEST');
      work.write('tampered.csr', tampered);
      const result = opensslResult(['req', '-in', work.file('tampered.csr'), '-verify', '-noout']);
      // OpenSSL 3.0 exits 0 even when the self-signature fails; its words are the verdict.
      assert.match(result.output, /self-signature verify failure/);
      assert.doesNotMatch(result.output, /verify OK/);
      assertRotationError(() => parseCsr(tampered), 'CSR_SIGNATURE_INVALID', /"CN=orders\.example\.com,O=Acme,C=US" does not verify with its own public key/);
    });

    it('is refused by signCsr', () => {
      const tampered = tamperSignature(csrPem, 'CERTIFICATE REQUEST');
      assertRotationError(
        () => signCsr({ csrPem: tampered, caCertificatePem, caPrivateKeyPem: ca.privateKeyPem, validityDays: 30, notBefore: NOT_BEFORE }),
        'CSR_SIGNATURE_INVALID',
      );
    });

    it('a CSR whose subject was edited after signing also fails', () => {
      const der = Buffer.from(pemBody(csrPem), 'base64');
      const at = der.indexOf(Buffer.from('orders.example.com'));
      assert.ok(at > 0);
      der[at] = 'x'.charCodeAt(0);
      const edited = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      assertRotationError(() => parseCsr(edited), 'CSR_SIGNATURE_INVALID', /xrders\.example\.com/);
    });
  });

  describe('signCsr', () => {
    let leafPem: string;

    before(() => {
      leafPem = signCsr({
        csrPem,
        caCertificatePem,
        caPrivateKeyPem: ca.privateKeyPem,
        validityDays: 90,
        notBefore: NOT_BEFORE,
        serialNumber: '1001',
        extendedKeyUsage: ['clientAuth'],
      });
      work.write('leaf.pem', leafPem);
    });

    it('issues a certificate openssl verifies against the CA', () => {
      const attime = String(NOT_BEFORE.getTime() / 1000 + 60);
      const result = opensslResult(['verify', '-attime', attime, '-CAfile', work.file('ca.pem'), work.file('leaf.pem')]);
      assert.equal(result.status, 0, result.output);
      assert.match(result.output, /leaf\.pem: OK/);
    });

    it('takes subject and key from the CSR, issuer from the CA, SANs from the CSR', () => {
      const file = work.file('leaf.pem');
      const info = parseCertificate(leafPem);
      assert.equal(opensslField(file, 'subject'), 'CN=orders.example.com,O=Acme,C=US');
      assert.equal(info.subject, 'CN=orders.example.com,O=Acme,C=US');
      assert.equal(opensslField(file, 'issuer'), 'CN=Certrot Test CA,O=Acme');
      assert.equal(info.issuer, 'CN=Certrot Test CA,O=Acme');
      assert.equal(info.spkiFingerprintSha256, spkiFingerprint(requester.publicKeyPem));
      assert.deepEqual(info.subjectAltNames, ['orders.example.com', '172.16.0.9']);
      assert.equal(info.serialNumber, '1001');
      assert.equal(opensslDate(file, 'startdate').getTime(), NOT_BEFORE.getTime());
      assert.equal(opensslDate(file, 'enddate').getTime(), NOT_BEFORE.getTime() + 90 * DAY_MS);
      assert.equal(info.selfSigned, false);
      assert.equal(info.isCa, false);
    });

    it('links the key identifiers and sets constraints and usages', () => {
      const leafText = opensslText(work.file('leaf.pem'));
      const caText = opensslText(work.file('ca.pem'));
      const caSki = /Subject Key Identifier: *\n\s*([0-9A-F:]+)/.exec(caText)?.[1];
      assert.ok(caSki !== undefined, 'CA has a subject key identifier');
      const leafAki = /Authority Key Identifier: *\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(leafText)?.[1];
      assert.equal(leafAki, caSki);
      assert.match(leafText, /Subject Key Identifier/);
      assert.match(leafText, /Basic Constraints: critical\s*\n\s*CA:FALSE/);
      assert.match(leafText, /Extended Key Usage: *\n\s*TLS Web Client Authentication\n/);
      assert.match(leafText, /Signature Algorithm: sha256WithRSAEncryption/);
    });

    it('replaces the CSR\'s SANs when given some', () => {
      const pem = signCsr({
        csrPem,
        caCertificatePem,
        caPrivateKeyPem: ca.privateKeyPem,
        validityDays: 1,
        notBefore: NOT_BEFORE,
        subjectAltNames: ['only.example.com'],
      });
      assert.deepEqual(parseCertificate(pem).subjectAltNames, ['only.example.com']);
    });

    it('refuses a CA key that does not match the CA certificate (KEY_MISMATCH)', () => {
      assertRotationError(
        () => signCsr({ csrPem, caCertificatePem, caPrivateKeyPem: requester.privateKeyPem, validityDays: 1, notBefore: NOT_BEFORE }),
        'KEY_MISMATCH',
        /does not belong to the CA certificate "CN=Certrot Test CA,O=Acme"/,
      );
    });

    it('refuses an issuer that is not a CA', () => {
      assertRotationError(
        () => signCsr({ csrPem, caCertificatePem: leafPem, caPrivateKeyPem: requester.privateKeyPem, validityDays: 1, notBefore: NOT_BEFORE }),
        'CHAIN_INVALID',
        /"CN=orders\.example\.com,O=Acme,C=US" is not a CA/,
      );
    });

    it('refuses to issue from an expired CA', () => {
      assertRotationError(
        () => signCsr({ csrPem, caCertificatePem, caPrivateKeyPem: ca.privateKeyPem, validityDays: 1, notBefore: new Date('2040-01-01T00:00:00Z') }),
        'CERT_EXPIRED',
        /The CA certificate "CN=Certrot Test CA,O=Acme" expired on 2038-12-30T00:00:00\.000Z/,
      );
    });

    it('refuses a certificate given where the CSR belongs (PEM_WRONG_TYPE)', () => {
      assertRotationError(
        () => signCsr({ csrPem: leafPem, caCertificatePem, caPrivateKeyPem: ca.privateKeyPem, validityDays: 1, notBefore: NOT_BEFORE }),
        'PEM_WRONG_TYPE',
        /Expected a PEM "CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST" block but found "CERTIFICATE"/,
      );
    });
  });
});

