import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  assertKeyMatchesCertificate,
  certificateFingerprint,
  createCsr,
  createSelfSignedCertificate,
  exportPkcs12,
  generateRsaKeyPair,
  readPkcs12,
  signCsr,
  spkiFingerprint,
} from '../../../src/certificates';
import { Workdir, assertRotationError, openssl, opensslCertFingerprint, opensslPublicKeyFingerprint, opensslResult } from './openssl-oracle';

type KeyPair = { privateKeyPem: string; publicKeyPem: string };

const PASSWORD = 'correct horse battery staple';

describe('certificates: PKCS#12, checked against openssl pkcs12 (OpenSSL 3, no -legacy)', () => {
  const work = new Workdir();
  let caKey: KeyPair;
  let leafKey: KeyPair;
  let otherKey: KeyPair;
  let caPem: string;
  let leafPem: string;
  let p12File: string;

  before(async () => {
    [caKey, leafKey, otherKey] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    caPem = createSelfSignedCertificate({ privateKeyPem: caKey.privateKeyPem, subject: { commonName: 'P12 CA' }, validityDays: 30, isCa: true });
    leafPem = signCsr({
      csrPem: createCsr({ privateKeyPem: leafKey.privateKeyPem, subject: { commonName: 'p12-leaf.example.com' } }),
      caCertificatePem: caPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      validityDays: 10,
    });
    work.write('ca.pem', caPem);
    work.write('leaf.pem', leafPem);
    work.write('leaf.key', leafKey.privateKeyPem);
    const base64 = exportPkcs12({ certificatePem: leafPem, privateKeyPem: leafKey.privateKeyPem, chainPems: [caPem], password: PASSWORD, friendlyName: 'salesforce-cert' });
    p12File = work.write('bundle.p12', Buffer.from(base64, 'base64'));
  });

  after(() => work.remove());

  const pkcs12 = (...args: string[]): string => openssl(['pkcs12', '-in', p12File, '-passin', `pass:${PASSWORD}`, ...args]);

  describe('exportPkcs12', () => {
    it('opens with openssl pkcs12 -nodes without -legacy, with AES-256 key encryption', () => {
      const result = opensslResult(['pkcs12', '-in', p12File, '-passin', `pass:${PASSWORD}`, '-nodes', '-info']);
      assert.equal(result.status, 0, result.output);
      assert.match(result.output, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
      assert.match(result.output, /friendlyName: salesforce-cert/);
      assert.match(result.output, /-----BEGIN PRIVATE KEY-----/);
    });

    it('holds the same leaf certificate (same fingerprint)', () => {
      work.write('from-p12-leaf.pem', pkcs12('-nokeys', '-clcerts'));
      assert.equal(opensslCertFingerprint(work.file('from-p12-leaf.pem')), certificateFingerprint(leafPem));
    });

    it('holds a private key whose public half is the certificate\'s key', () => {
      const keyPem = pkcs12('-nocerts', '-nodes');
      const publicKeyPem = openssl(['pkey', '-pubout'], keyPem);
      assert.equal(opensslPublicKeyFingerprint(publicKeyPem), spkiFingerprint(leafPem));
    });

    it('holds the chain as CA certificates', () => {
      work.write('from-p12-chain.pem', pkcs12('-nokeys', '-cacerts'));
      assert.equal(opensslCertFingerprint(work.file('from-p12-chain.pem')), certificateFingerprint(caPem));
    });

    it('does not open with the wrong password', () => {
      const result = opensslResult(['pkcs12', '-in', p12File, '-passin', 'pass:wrong', '-nodes']);
      assert.notEqual(result.status, 0);
      assert.match(result.output, /mac verify (failure|error)/i);
    });

    it('refuses a key that does not match the certificate, and an empty password', () => {
      assertRotationError(
        () => exportPkcs12({ certificatePem: leafPem, privateKeyPem: otherKey.privateKeyPem, password: PASSWORD }),
        'KEY_MISMATCH',
        /"CN=p12-leaf\.example\.com"/,
      );
      assertRotationError(() => exportPkcs12({ certificatePem: leafPem, privateKeyPem: leafKey.privateKeyPem, password: '' }), 'INVALID_INPUT', /password/);
    });
  });

  describe('readPkcs12', () => {
    it('reads back what exportPkcs12 wrote', () => {
      const contents = readPkcs12(readFileSync(p12File).toString('base64'), PASSWORD);
      assert.equal(contents.certificatePem, leafPem);
      assert.equal(contents.privateKeyPem, leafKey.privateKeyPem);
      assert.deepEqual(contents.chainPems, [caPem]);
    });

    const opensslBundles: { name: string; args: string[] }[] = [
      { name: 'OpenSSL 3 defaults (AES-256, PBKDF2-SHA256, SHA-256 MAC)', args: [] },
      { name: '3DES and a SHA-1 MAC (older Java and Windows exports)', args: ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'] },
    ];
    for (const { name, args } of opensslBundles) {
      it(`reads a bundle made by openssl pkcs12 -export with ${name}`, () => {
        const file = work.file(`openssl-${args.length}.p12`);
        openssl([
          'pkcs12', '-export', '-in', work.file('leaf.pem'), '-inkey', work.file('leaf.key'), '-certfile', work.file('ca.pem'),
          '-passout', `pass:${PASSWORD}`, '-out', file, ...args,
        ]);
        const contents = readPkcs12(readFileSync(file).toString('base64'), PASSWORD);
        assert.equal(certificateFingerprint(contents.certificatePem), opensslCertFingerprint(work.file('leaf.pem')));
        assert.doesNotThrow(() => assertKeyMatchesCertificate(contents.certificatePem, contents.privateKeyPem));
        assert.deepEqual(contents.chainPems.map(certificateFingerprint), [opensslCertFingerprint(work.file('ca.pem'))]);
      });
    }

    it('says the password is wrong with PKCS12_FAILED', () => {
      assertRotationError(() => readPkcs12(readFileSync(p12File).toString('base64'), 'wrong'), 'PKCS12_FAILED', /password is wrong/);
    });

    it('rejects input that is not base64 or not PKCS#12 with PKCS12_FAILED', () => {
      assertRotationError(() => readPkcs12('%%% not base64 %%%', PASSWORD), 'PKCS12_FAILED', /not valid base64/);
      assertRotationError(() => readPkcs12(Buffer.from('just some text').toString('base64'), PASSWORD), 'PKCS12_FAILED', /could not be read/);
    });
  });
});
