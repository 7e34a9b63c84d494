import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createCertificateAuthority,
  createCsr,
  createSelfSignedCertificate,
  generateRsaKeyPair,
  parseCertificate,
  signCsr,
  verifyChain,
} from '../../../src/certificates';
import { Workdir, assertRotationError, openssl, opensslResult } from './openssl-oracle';

type KeyPair = { privateKeyPem: string; publicKeyPem: string };

const NOT_BEFORE = new Date('2030-01-01T00:00:00Z');
const AT = new Date('2030-06-01T00:00:00Z');
const ATTIME = String(AT.getTime() / 1000);

const ROOT = 'CN=Certrot Root CA,O=Acme';
const INTERMEDIATE = 'CN=Certrot Issuing CA,O=Acme';
const LEAF = 'CN=sf-integration.example.com,O=Acme';

describe('certificates: verifyChain, checked against openssl verify', () => {
  const work = new Workdir();
  const pem: Record<string, string> = {};
  let leafKey: KeyPair;
  const cert = (name: string): string => {
    const text = pem[name];
    assert.ok(text !== undefined, `no certificate ${name}`);
    return text;
  };

  const issue = (csrKey: KeyPair, commonName: string, issuerPem: string, issuerKey: KeyPair, extra: { isCa?: boolean; validityDays?: number } = {}): string =>
    signCsr({
      csrPem: createCsr({ privateKeyPem: csrKey.privateKeyPem, subject: { commonName, organization: 'Acme' } }),
      caCertificatePem: issuerPem,
      caPrivateKeyPem: issuerKey.privateKeyPem,
      validityDays: extra.validityDays ?? 3650,
      notBefore: NOT_BEFORE,
      isCa: extra.isCa ?? false,
    });

  /** openssl verify at AT; returns its exit status and output. */
  const opensslVerify = (leaf: string, trusted: string, untrusted?: string): { status: number | null; output: string } =>
    opensslResult([
      'verify', '-attime', ATTIME, '-CAfile', work.file(trusted),
      ...(untrusted === undefined ? [] : ['-untrusted', work.file(untrusted)]),
      work.file(leaf),
    ]);

  before(async () => {
    let rootKey: KeyPair;
    let intermediateKey: KeyPair;
    let impostorKey: KeyPair;
    [rootKey, intermediateKey, leafKey, impostorKey] = await Promise.all([
      generateRsaKeyPair(2048),
      generateRsaKeyPair(2048),
      generateRsaKeyPair(2048),
      generateRsaKeyPair(2048),
    ]);
    pem.root = createSelfSignedCertificate({
      privateKeyPem: rootKey.privateKeyPem,
      subject: { commonName: 'Certrot Root CA', organization: 'Acme' },
      validityDays: 7300,
      notBefore: new Date('2029-01-01T00:00:00Z'),
      isCa: true,
    });
    pem.intermediate = issue(intermediateKey, 'Certrot Issuing CA', cert('root'), rootKey, { isCa: true });
    pem.leaf = issue(leafKey, 'sf-integration.example.com', cert('intermediate'), intermediateKey);
    // Same name as the real intermediate, different key: only the signature tells them apart.
    pem.impostor = issue(impostorKey, 'Certrot Issuing CA', cert('root'), rootKey, { isCa: true });
    pem.impostorLeaf = issue(leafKey, 'sf-integration.example.com', cert('impostor'), impostorKey);
    pem.shortLeaf = issue(leafKey, 'sf-integration.example.com', cert('intermediate'), intermediateKey, { validityDays: 30 });
    pem.otherRoot = (await createCertificateAuthority({ commonName: 'Some Other Root', validityDays: 7300 })).certificatePem;
    for (const [name, text] of Object.entries(pem)) work.write(`${name}.pem`, text);
    work.write('leaf.key', leafKey.privateKeyPem);
    // A leaf used as a CA, which only openssl x509 -req is willing to do.
    openssl(['req', '-new', '-key', work.file('leaf.key'), '-subj', '/CN=grandchild', '-out', work.file('grandchild.csr')]);
    openssl([
      'x509', '-req', '-in', work.file('grandchild.csr'), '-CA', work.file('leaf.pem'), '-CAkey', work.file('leaf.key'),
      '-CAcreateserial', '-days', '3650', '-out', work.file('grandchild.pem'),
    ]);
    pem.grandchild = work.read('grandchild.pem');
  });

  after(() => work.remove());

  it('accepts root -> intermediate -> leaf, as openssl does', () => {
    const result = opensslVerify('leaf.pem', 'root.pem', 'intermediate.pem');
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /leaf\.pem: OK/);
    assert.deepEqual(verifyChain({ chainPem: [cert('leaf'), cert('intermediate')], trustAnchorPems: [cert('root')], at: AT }), {
      subjects: [LEAF, INTERMEDIATE, ROOT],
    });
  });

  it('takes the chain as one PEM bundle, and does not repeat a root the chain already ends with', () => {
    const bundle = cert('leaf') + cert('intermediate');
    assert.deepEqual(verifyChain({ chainPem: bundle, trustAnchorPems: [cert('root')], at: AT }).subjects, [LEAF, INTERMEDIATE, ROOT]);
    assert.deepEqual(verifyChain({ chainPem: bundle + cert('root'), trustAnchorPems: [cert('root')], at: AT }).subjects, [LEAF, INTERMEDIATE, ROOT]);
  });

  it('accepts a chain whose top is itself a trust anchor (an intermediate trusted directly)', () => {
    assert.deepEqual(verifyChain({ chainPem: cert('leaf'), trustAnchorPems: [cert('intermediate')], at: AT }).subjects, [LEAF, INTERMEDIATE]);
  });

  it('rejects a chain missing its intermediate, as openssl does', () => {
    const result = opensslVerify('leaf.pem', 'root.pem');
    assert.notEqual(result.status, 0);
    assert.match(result.output, /unable to get local issuer certificate/);
    assertRotationError(
      () => verifyChain({ chainPem: cert('leaf'), trustAnchorPems: [cert('root')], at: AT }),
      'CHAIN_INVALID',
      new RegExp(`does not end at a trusted CA: the last certificate "${LEAF}" was issued by "${INTERMEDIATE}"`),
    );
  });

  it('rejects an intermediate with the right name but the wrong key, as openssl does', () => {
    const result = opensslVerify('impostorLeaf.pem', 'root.pem', 'intermediate.pem');
    assert.notEqual(result.status, 0);
    // openssl matches issuers by key identifier too, so it does not even find an issuer.
    assert.match(result.output, /unable to get local issuer certificate|signature failure/);
    assertRotationError(
      () => verifyChain({ chainPem: [cert('impostorLeaf'), cert('intermediate')], trustAnchorPems: [cert('root')], at: AT }),
      'CHAIN_INVALID',
      /Link 1 of the chain is broken: certificate 1 .* was not signed by certificate 2/,
    );
  });

  it('rejects a chain in the wrong order', () => {
    assertRotationError(
      () => verifyChain({ chainPem: [cert('intermediate'), cert('leaf')], trustAnchorPems: [cert('root')], at: AT }),
      'CHAIN_INVALID',
      new RegExp(`certificate 1 "${INTERMEDIATE}" .* was not signed by certificate 2 "${LEAF}"`),
    );
  });

  it('rejects a chain that ends at a root nobody trusts, as openssl does', () => {
    const result = opensslVerify('leaf.pem', 'otherRoot.pem', 'intermediate.pem');
    assert.notEqual(result.status, 0);
    assertRotationError(
      () => verifyChain({ chainPem: [cert('leaf'), cert('intermediate')], trustAnchorPems: [cert('otherRoot')], at: AT }),
      'CHAIN_INVALID',
      /last certificate "CN=Certrot Issuing CA,O=Acme" was issued by "CN=Certrot Root CA,O=Acme", which is not one of the 1 trust anchor\(s\) \(CN=Some Other Root\)/,
    );
  });

  it('rejects a certificate signed by a non-CA, as openssl does', () => {
    work.write('untrusted-both.pem', cert('leaf') + cert('intermediate'));
    const result = opensslVerify('grandchild.pem', 'root.pem', 'untrusted-both.pem');
    assert.notEqual(result.status, 0);
    assert.match(result.output, /invalid CA certificate/);
    assertRotationError(
      () => verifyChain({ chainPem: [cert('grandchild'), cert('leaf'), cert('intermediate')], trustAnchorPems: [cert('root')], at: AT }),
      'CHAIN_INVALID',
      new RegExp(`Certificate 2 "${LEAF}" signed the certificate below it but is not a CA`),
    );
  });

  it('rejects an expired leaf with CERT_EXPIRED, as openssl does', () => {
    const result = opensslVerify('shortLeaf.pem', 'root.pem', 'intermediate.pem');
    assert.notEqual(result.status, 0);
    assert.match(result.output, /certificate has expired/);
    assertRotationError(
      () => verifyChain({ chainPem: [cert('shortLeaf'), cert('intermediate')], trustAnchorPems: [cert('root')], at: AT }),
      'CERT_EXPIRED',
      /Certificate 1 \(the leaf\) "CN=sf-integration\.example\.com,O=Acme" expired on 2030-01-31T00:00:00\.000Z/,
    );
  });

  it('rejects a chain that is not valid yet with CERT_NOT_YET_VALID, as openssl does', () => {
    const before2030 = new Date('2029-06-01T00:00:00Z');
    const result = opensslResult([
      'verify', '-attime', String(before2030.getTime() / 1000), '-CAfile', work.file('root.pem'),
      '-untrusted', work.file('intermediate.pem'), work.file('leaf.pem'),
    ]);
    assert.notEqual(result.status, 0);
    assert.match(result.output, /not yet valid/);
    assertRotationError(
      () => verifyChain({ chainPem: [cert('leaf'), cert('intermediate')], trustAnchorPems: [cert('root')], at: before2030 }),
      'CERT_NOT_YET_VALID',
      /not valid until 2030-01-01T00:00:00\.000Z/,
    );
  });

  it('checks validity now when no time is given', async () => {
    const ca = await createCertificateAuthority({ commonName: 'Now CA', organization: 'Acme', validityDays: 30 });
    assert.equal(parseCertificate(ca.certificatePem).isCa, true);
    const leaf = signCsr({
      csrPem: createCsr({ privateKeyPem: leafKey.privateKeyPem, subject: { commonName: 'now.example.com' } }),
      caCertificatePem: ca.certificatePem,
      caPrivateKeyPem: ca.privateKeyPem,
      validityDays: 7,
    });
    assert.deepEqual(verifyChain({ chainPem: leaf, trustAnchorPems: [ca.certificatePem] }).subjects, ['CN=now.example.com', 'CN=Now CA,O=Acme']);
    assertRotationError(() => verifyChain({ chainPem: cert('leaf'), trustAnchorPems: [cert('intermediate')] }), 'CERT_NOT_YET_VALID');
  });
});
