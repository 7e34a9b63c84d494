import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCsr, createSelfSignedCertificate, generateRsaKeyPair, signRsaSha256, verifyRsaSha256 } from '../../../src/certificates';
import { Workdir, assertRotationError, openssl, opensslBinary, opensslResult, pemBody } from './openssl-oracle';

type KeyPair = { privateKeyPem: string; publicKeyPem: string };

// What the org signs in the verifying phase: a challenge with non-ASCII text in it.
const CHALLENGE = 'certrot-challenge:2030-01-01T00:00:00Z:nonce=4f1c:Grüße';

describe('certificates: RSA-SHA256 signatures, checked against openssl dgst', () => {
  const work = new Workdir();
  let key: KeyPair;
  let otherKey: KeyPair;
  let certificatePem: string;

  before(async () => {
    [key, otherKey] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    certificatePem = createSelfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'signer' }, validityDays: 1 });
    work.write('key.pem', key.privateKeyPem);
    work.write('pub.pem', key.publicKeyPem);
    work.write('data.txt', CHALLENGE);
  });

  after(() => work.remove());

  it('signRsaSha256 makes a signature openssl dgst -sha256 -verify accepts', () => {
    const signature = signRsaSha256(key.privateKeyPem, CHALLENGE);
    work.write('ours.sig', Buffer.from(signature, 'base64'));
    const result = opensslResult(['dgst', '-sha256', '-verify', work.file('pub.pem'), '-signature', work.file('ours.sig'), work.file('data.txt')]);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /Verified OK/);
  });

  it('is deterministic (PKCS#1 v1.5): the same bytes as openssl dgst -sign', () => {
    const theirs = opensslBinary(['dgst', '-sha256', '-sign', work.file('key.pem'), work.file('data.txt')]);
    assert.equal(signRsaSha256(key.privateKeyPem, CHALLENGE), theirs.toString('base64'));
    assert.equal(signRsaSha256(key.privateKeyPem, Buffer.from(CHALLENGE, 'utf8')), theirs.toString('base64'));
  });

  it('verifyRsaSha256 accepts a signature made by openssl dgst -sha256 -sign, given a public key, certificate or CSR', () => {
    const signature = opensslBinary(['dgst', '-sha256', '-sign', work.file('key.pem'), work.file('data.txt')]).toString('base64');
    assert.equal(verifyRsaSha256(key.publicKeyPem, CHALLENGE, signature), true);
    assert.equal(verifyRsaSha256(certificatePem, CHALLENGE, signature), true);
    assert.equal(verifyRsaSha256(createCsr({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'x' } }), new TextEncoder().encode(CHALLENGE), signature), true);
  });

  it('returns false for other data, another key, a tampered or malformed signature', () => {
    const signature = signRsaSha256(key.privateKeyPem, CHALLENGE);
    const tampered = Buffer.from(signature, 'base64');
    tampered[10] = (tampered[10] ?? 0) ^ 0x80;
    assert.equal(verifyRsaSha256(certificatePem, `${CHALLENGE}.`, signature), false);
    assert.equal(verifyRsaSha256(otherKey.publicKeyPem, CHALLENGE, signature), false);
    assert.equal(verifyRsaSha256(certificatePem, CHALLENGE, tampered.toString('base64')), false);
    assert.equal(verifyRsaSha256(certificatePem, CHALLENGE, 'not base64!'), false);
    assert.equal(verifyRsaSha256(certificatePem, CHALLENGE, ''), false);
    assert.equal(verifyRsaSha256(certificatePem, CHALLENGE, signature.slice(0, 40)), false);
    // openssl agrees about the other key.
    work.write('other-pub.pem', otherKey.publicKeyPem);
    work.write('ours.sig', Buffer.from(signature, 'base64'));
    const result = opensslResult(['dgst', '-sha256', '-verify', work.file('other-pub.pem'), '-signature', work.file('ours.sig'), work.file('data.txt')]);
    assert.notEqual(result.status, 0);
    assert.match(result.output, /Verification failure/);
  });

  it('throws only for an unusable key', () => {
    const signature = signRsaSha256(key.privateKeyPem, CHALLENGE);
    assertRotationError(() => verifyRsaSha256('not a key', CHALLENGE, signature), 'PEM_INVALID');
    assertRotationError(() => verifyRsaSha256(key.privateKeyPem, CHALLENGE, signature), 'PEM_WRONG_TYPE', /found "PRIVATE KEY"/);
    const ecPublic = openssl(['pkey', '-pubout'], openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']));
    assertRotationError(() => verifyRsaSha256(ecPublic, CHALLENGE, signature), 'UNSUPPORTED_KEY', /EC key/);
    const error = assertRotationError(() => signRsaSha256(key.publicKeyPem, CHALLENGE), 'PEM_WRONG_TYPE', /found "PUBLIC KEY"/);
    assert.ok(!error.message.includes(pemBody(key.publicKeyPem).slice(0, 30)));
    const broken = key.privateKeyPem.replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n');
    const keyError = assertRotationError(() => signRsaSha256(broken, CHALLENGE), 'KEY_PARSE_FAILED', /could not be read as a private key/);
    assert.ok(!keyError.message.includes(pemBody(broken).slice(0, 30)));
  });
});
