/**
 * Plain RSA signatures (PKCS#1 v1.5, SHA-256) over bytes: the live check in `verifying`
 * has the org sign a challenge and checks it against the key the vendor holds.
 */
import { sign, verify } from 'node:crypto';
import { loadRsaPrivateKey } from './keys';
import { publicKeyFromAnyPem } from './public-key';

function bytesOf(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
}

/** Base64 RSA-SHA256 signature of `data` (a string is signed as its UTF-8 bytes). */
export function signRsaSha256(privateKeyPem: string, data: string | Uint8Array): string {
  return sign('sha256', bytesOf(data), loadRsaPrivateKey(privateKeyPem)).toString('base64');
}

/**
 * Whether `signatureBase64` is an RSA-SHA256 signature of `data` by the key in
 * `publicKeyOrCertificatePem` (a certificate, a public key or a CSR). A wrong or malformed
 * signature gives false; only an unreadable key throws.
 */
export function verifyRsaSha256(publicKeyOrCertificatePem: string, data: string | Uint8Array, signatureBase64: string): boolean {
  const publicKey = publicKeyFromAnyPem(publicKeyOrCertificatePem);
  const compact = typeof signatureBase64 === 'string' ? signatureBase64.replace(/\s/g, '') : '';
  if (compact === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return false;
  try {
    return verify('sha256', bytesOf(data), publicKey, Buffer.from(compact, 'base64'));
  } catch {
    return false;
  }
}
