/**
 * PKCS#12 (.p12/.pfx) bundles: a certificate, its private key and the chain, sealed with a
 * password, e.g. to import a CA-signed key pair somewhere that only takes a keystore.
 *
 * The key is encrypted with PBES2/AES-256-CBC (PBKDF2-HMAC-SHA1) and the bundle has a
 * SHA-1 HMAC; OpenSSL 3 opens that without `-legacy` (see the tests).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { RotationError } from '../domain/errors';
import { loadRsaPrivateKey, spkiDer, toForgePrivateKey } from './keys';
import { derToPem, splitPemBlocks, withUnixNewlines } from './pem';
import { LoadedCertificate, assertKeyMatches, loadCertificate, loadCertificateBlock, loadCertificates } from './x509';

export type Pkcs12Contents = { certificatePem: string; privateKeyPem: string; chainPems: string[] };

const ITERATIONS = 2048;

/** Base64 of a DER PKCS#12 holding the certificate, its key and the chain (leaf's issuer first). */
export function exportPkcs12(opts: {
  certificatePem: string;
  privateKeyPem: string;
  chainPems?: string[];
  password: string;
  friendlyName?: string;
}): string {
  if (typeof opts.password !== 'string' || opts.password === '') {
    throw new RotationError('INVALID_INPUT', 'A PKCS#12 bundle needs a non-empty password: without one the private key would travel unprotected.');
  }
  const leaf = loadCertificate(opts.certificatePem);
  const privateKey = loadRsaPrivateKey(opts.privateKeyPem);
  assertKeyMatches(leaf, privateKey, 'the certificate');
  const chain = (opts.chainPems ?? []).flatMap((pem) => loadCertificates(pem));
  let der: string;
  try {
    const p12 = forge.pkcs12.toPkcs12Asn1(
      toForgePrivateKey(privateKey),
      [leaf.forge, ...chain.map((certificate) => certificate.forge)],
      opts.password,
      { algorithm: 'aes256', count: ITERATIONS, generateLocalKeyId: true, ...(opts.friendlyName === undefined ? {} : { friendlyName: opts.friendlyName }) },
    );
    der = forge.asn1.toDer(p12).getBytes();
  } catch (error) {
    throw new RotationError('PKCS12_FAILED', `Could not build the PKCS#12 bundle (${error instanceof Error ? error.message : String(error)}).`);
  }
  return Buffer.from(der, 'binary').toString('base64');
}

/** The certificate that belongs to the bundle's key, that key (PKCS#8 PEM) and the other certificates. */
export function readPkcs12(base64: string, password: string): Pkcs12Contents {
  const compact = typeof base64 === 'string' ? base64.replace(/\s/g, '') : '';
  if (compact === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new RotationError(
      'PKCS12_FAILED',
      `Expected a PKCS#12 bundle as base64 but got ${compact.length} characters that are not valid base64; base64-encode the .p12 file (base64 -w0 file.p12).`,
    );
  }
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(compact, 'base64').toString('binary')), false);
    pfx = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/MAC could not be verified|Invalid password/i.test(reason)) {
      throw new RotationError('PKCS12_FAILED', 'The PKCS#12 password is wrong (the integrity MAC does not verify); ask the sender for the right password.', {
        details: { reason: 'wrong password' },
      });
    }
    throw new RotationError('PKCS12_FAILED', `The PKCS#12 bundle could not be read (${reason}); check it is a complete .p12/.pfx file, exported with AES or 3DES.`, {
      details: { reason },
    });
  }

  const bags = pfx.safeContents.flatMap((contents) => contents.safeBags);
  const keyBag = bags.find((bag) => bag.key !== undefined && bag.key !== null);
  if (keyBag?.key === undefined || keyBag.key === null) {
    throw new RotationError('PKCS12_FAILED', 'The PKCS#12 bundle holds no private key (or only keys of a type other than RSA); export it again including the key.');
  }
  const privateKeyPem = createPrivateKey(withUnixNewlines(forge.pki.privateKeyToPem(keyBag.key)))
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();

  const certificates: LoadedCertificate[] = [];
  for (const bag of bags) {
    if (bag.type !== forge.pki.oids.certBag) continue;
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    const pem = derToPem('CERTIFICATE', Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    const [block] = splitPemBlocks(pem);
    if (block !== undefined) certificates.push(loadCertificateBlock(block, certificates.length));
  }
  const keySpki = spkiDer(createPublicKey(privateKeyPem));
  const leafIndex = certificates.findIndex((certificate) => spkiDer(certificate.publicKey).equals(keySpki));
  const leaf = certificates[leafIndex];
  if (leaf === undefined) {
    throw new RotationError(
      'PKCS12_FAILED',
      `The PKCS#12 bundle holds a private key but none of its ${certificates.length} certificate(s) belongs to it; export it again with the matching certificate.`,
    );
  }
  return {
    certificatePem: leaf.pem,
    privateKeyPem,
    chainPems: certificates.filter((_, index) => index !== leafIndex).map((certificate) => certificate.pem),
  };
}
