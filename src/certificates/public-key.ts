/**
 * The public key behind any of the three PEMs that carry one — a certificate, a CSR or a
 * bare `PUBLIC KEY` — so that "is this the same key?" has one answer whatever was pasted.
 */
import { KeyObject } from 'node:crypto';
import { loadCsrBlock } from './csr';
import { loadRsaPrivateKey, loadRsaPublicKey, publicKeyOfPrivate, spkiFingerprintOfKey } from './keys';
import { firstBlockOfType } from './pem';
import { loadCertificateBlock } from './x509';

const KEY_CARRYING_TYPES = ['CERTIFICATE', 'PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const;

export function publicKeyFromAnyPem(pem: string): KeyObject {
  const block = firstBlockOfType(pem, KEY_CARRYING_TYPES, 'a certificate, a CSR or a public key');
  switch (block.type) {
    case 'CERTIFICATE':
      return loadCertificateBlock(block).publicKey;
    case 'CERTIFICATE REQUEST':
    case 'NEW CERTIFICATE REQUEST':
      return loadCsrBlock(block).publicKey;
    default:
      return loadRsaPublicKey(block.pem);
  }
}

/** SHA-256 of the DER SubjectPublicKeyInfo; the same for a certificate, its CSR and its public key. */
export function spkiFingerprint(certOrPublicKeyOrCsrPem: string): string {
  return spkiFingerprintOfKey(publicKeyFromAnyPem(certOrPublicKeyOrCsrPem));
}

/** SHA-256 of the SPKI of a private key's public half: the fingerprint its certificate will carry. */
export function spkiFingerprintOfPrivateKey(privateKeyPem: string): string {
  return spkiFingerprintOfKey(publicKeyOfPrivate(loadRsaPrivateKey(privateKeyPem)));
}
