import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  assertKeyMatchesCertificate,
  assertValidAt,
  certificateFingerprint,
  createCsr,
  createSelfSignedCertificate,
  exportPkcs12,
  generateRsaKeyPair,
  normalizeFingerprint,
  parseCertificate,
  parseCsr,
  publicKeyPemOf,
  signCsr,
  spkiFingerprint,
  verifyChain,
} from '../../../src/certificates';
import { RotationError } from '../../../src/domain/errors';
import { describeThrown, pemBody } from './openssl-oracle';

type KeyPair = { privateKeyPem: string; publicKeyPem: string };

/** Every way of getting the input wrong, one row each: the call, the code, what the message must say. */
describe('certificates: bad input raises RotationError with a code and a message that names the problem', () => {
  let key: KeyPair;
  let otherKey: KeyPair;
  let certificatePem: string;
  let expiredPem: string;
  let csrPem: string;

  before(async () => {
    [key, otherKey] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    certificatePem = createSelfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'Current', organization: 'Acme' }, validityDays: 30, isCa: true });
    expiredPem = createSelfSignedCertificate({
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: 'Expired' },
      validityDays: 10,
      notBefore: new Date('2021-03-01T00:00:00Z'),
    });
    csrPem = createCsr({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'Requested' } });
  });

  const truncated = (pem: string, keep: number): string => {
    const [begin, ...rest] = pem.trim().split('\n');
    const end = rest[rest.length - 1];
    return `${begin}\n${pemBody(pem).slice(0, keep)}\n${end}\n`;
  };
  const tamperedCsr = (): string => {
    const der = Buffer.from(pemBody(csrPem), 'base64');
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0xff;
    return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  };

  const cases: { name: string; call: () => unknown; code: string; message: RegExp[] }[] = [
    { name: 'not PEM at all', call: () => parseCertificate('MIIB this is not pem'), code: 'PEM_INVALID', message: [/Expected PEM text/, /found none/] },
    { name: 'DER bytes instead of PEM', call: () => certificateFingerprint(Buffer.from([0x30, 0x82, 0x01]).toString('binary')), code: 'PEM_INVALID', message: [/not a file name, DER bytes or base64 alone/] },
    { name: 'a CSR where the certificate belongs', call: () => parseCertificate(csrPem), code: 'PEM_WRONG_TYPE', message: [/"CERTIFICATE"/, /"CERTIFICATE REQUEST"/, /not the CSR/] },
    { name: 'a certificate where the CSR belongs', call: () => parseCsr(certificatePem), code: 'PEM_WRONG_TYPE', message: [/"CERTIFICATE REQUEST"/, /found "CERTIFICATE"/] },
    { name: 'a certificate where the private key belongs', call: () => createCsr({ privateKeyPem: certificatePem, subject: { commonName: 'x' } }), code: 'PEM_WRONG_TYPE', message: [/"PRIVATE KEY"/, /found "CERTIFICATE"/] },
    { name: 'a private key where a public key belongs', call: () => spkiFingerprint(key.privateKeyPem), code: 'PEM_WRONG_TYPE', message: [/found "PRIVATE KEY"/, /not a private key/] },
    { name: 'truncated base64 in a certificate', call: () => publicKeyPemOf(truncated(certificatePem, 201)), code: 'PEM_INVALID', message: [/"CERTIFICATE"/, /not a multiple of 4/, /truncated/] },
    { name: 'a certificate missing its END line', call: () => parseCertificate(certificatePem.slice(0, 300)), code: 'PEM_INVALID', message: [/no matching "-----END CERTIFICATE-----"/] },
    { name: 'a certificate cut short on a base64 boundary', call: () => parseCertificate(truncated(certificatePem, 200)), code: 'CERT_PARSE_FAILED', message: [/not a valid X\.509 certificate/] },
    { name: 'a CSR cut short on a base64 boundary', call: () => parseCsr(truncated(csrPem, 200)), code: 'CSR_PARSE_FAILED', message: [/not a valid PKCS#10/] },
    { name: 'truncated base64 in a private key', call: () => createCsr({ privateKeyPem: truncated(key.privateKeyPem, 203), subject: { commonName: 'x' } }), code: 'PEM_INVALID', message: [/"PRIVATE KEY"/, /valid base64/] },
    { name: 'a private key cut short on a base64 boundary', call: () => createCsr({ privateKeyPem: truncated(key.privateKeyPem, 400), subject: { commonName: 'x' } }), code: 'KEY_PARSE_FAILED', message: [/could not be read as a private key/] },
    { name: 'an encrypted private key', call: () => createCsr({ privateKeyPem: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n', subject: { commonName: 'x' } }), code: 'KEY_PARSE_FAILED', message: [/encrypted/, /decrypt it first/] },
    { name: 'a key that does not match the certificate', call: () => assertKeyMatchesCertificate(certificatePem, otherKey.privateKeyPem), code: 'KEY_MISMATCH', message: [/does not belong to the certificate "CN=Current,O=Acme"/] },
    { name: 'a CA key that does not match the CA certificate', call: () => signCsr({ csrPem, caCertificatePem: certificatePem, caPrivateKeyPem: otherKey.privateKeyPem, validityDays: 1 }), code: 'KEY_MISMATCH', message: [/CA certificate/] },
    { name: 'an expired certificate', call: () => assertValidAt(expiredPem, new Date('2024-01-01T00:00:00Z')), code: 'CERT_EXPIRED', message: [/"CN=Expired" expired on 2021-03-11T00:00:00\.000Z/, /checked at 2024-01-01/] },
    { name: 'a certificate not valid yet', call: () => assertValidAt(expiredPem, new Date('2021-01-01T00:00:00Z')), code: 'CERT_NOT_YET_VALID', message: [/not valid until 2021-03-01T00:00:00\.000Z/] },
    { name: 'an expired certificate in a chain', call: () => verifyChain({ chainPem: expiredPem, trustAnchorPems: [expiredPem] }), code: 'CERT_EXPIRED', message: [/Certificate 1 \(the leaf\) "CN=Expired"/] },
    { name: 'a chain that does not reach the anchor', call: () => verifyChain({ chainPem: expiredPem, trustAnchorPems: [certificatePem] }), code: 'CHAIN_INVALID', message: [/does not end at a trusted CA/, /CN=Current,O=Acme/] },
    { name: 'a CSR with a tampered signature', call: () => parseCsr(tamperedCsr()), code: 'CSR_SIGNATURE_INVALID', message: [/"CN=Requested" does not verify with its own public key/, /altered/] },
    { name: 'a PKCS#12 export without a password', call: () => exportPkcs12({ certificatePem, privateKeyPem: key.privateKeyPem, password: '' }), code: 'INVALID_INPUT', message: [/non-empty password/] },
    { name: 'a garbage fingerprint', call: () => normalizeFingerprint('zz:top'), code: 'INVALID_INPUT', message: [/"zz:top" is not a SHA-256 fingerprint/, /32 bytes of hex/] },
    { name: 'an unsupported key size', call: () => generateRsaKeyPair(1024 as 2048), code: 'INVALID_INPUT', message: [/1024 is not supported/] },
  ];

  for (const { name, call, code, message } of cases) {
    it(`${name} -> ${code}`, async () => {
      let caught: unknown;
      try {
        await call();
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof RotationError, `expected a RotationError, got ${describeThrown(caught)}`);
      assert.equal(caught.code, code, caught.message);
      for (const pattern of message) assert.match(caught.message, pattern);
      // No message or detail may carry private key material.
      const keyText = pemBody(key.privateKeyPem);
      const otherKeyText = pemBody(otherKey.privateKeyPem);
      for (const text of [caught.message, JSON.stringify(caught.details)]) {
        for (let i = 0; i + 24 <= keyText.length; i += 24) assert.ok(!text.includes(keyText.slice(i, i + 24)), 'private key text leaked');
        for (let i = 0; i + 24 <= otherKeyText.length; i += 24) assert.ok(!text.includes(otherKeyText.slice(i, i + 24)), 'private key text leaked');
      }
    });
  }
});
