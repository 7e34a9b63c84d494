/**
 * RSA keys through node:crypto: generating them, reading private and public keys from PEM,
 * and turning them into the forge objects the X.509 code needs. Only RSA is supported:
 * Salesforce certificates are RSA, and forge's X.509 code knows no other key type.
 *
 * Error messages here never quote key text: a private key must not reach a log.
 */
import { KeyObject, createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { RotationError } from '../domain/errors';
import { sha256Fingerprint } from './fingerprint';
import { firstBlockOfType, pemToDer } from './pem';

const generateKeyPairAsync = promisify(generateKeyPair);

export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];

export type RsaKeyPair = { privateKeyPem: string; publicKeyPem: string };

/** A new RSA key pair (e = 65537): PKCS#8 private key PEM and SPKI public key PEM. */
export async function generateRsaKeyPair(bits: RsaKeySize): Promise<RsaKeyPair> {
  if (!RSA_KEY_SIZES.includes(bits)) {
    throw new RotationError(
      'INVALID_INPUT',
      `RSA key size ${String(bits)} is not supported; use one of ${RSA_KEY_SIZES.join(', ')}.`,
      { details: { bits: String(bits) } },
    );
  }
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

const PRIVATE_KEY_TYPES = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'EC PRIVATE KEY'] as const;

/** An unencrypted RSA private key (PKCS#8 or PKCS#1 PEM) as a node KeyObject. */
export function loadRsaPrivateKey(privateKeyPem: string): KeyObject {
  const block = firstBlockOfType(privateKeyPem, PRIVATE_KEY_TYPES, 'the unencrypted private key (PEM "PRIVATE KEY")');
  if (block.type === 'ENCRYPTED PRIVATE KEY' || block.pem.includes('Proc-Type: 4,ENCRYPTED')) {
    throw new RotationError(
      'KEY_PARSE_FAILED',
      'The private key is encrypted with a passphrase; decrypt it first (openssl pkey -in key.pem -out plain.pem) and pass the unencrypted PEM.',
    );
  }
  if (block.type === 'EC PRIVATE KEY') {
    throw new RotationError('UNSUPPORTED_KEY', 'The private key is an EC key; certrot handles RSA keys only. Generate an RSA key (2048 bits or more).', {
      details: { keyType: 'ec' },
    });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.pem, format: 'pem' });
  } catch (error) {
    // The cause is deliberately not attached: OpenSSL errors can carry parts of the input.
    throw new RotationError(
      'KEY_PARSE_FAILED',
      `The "${block.type}" PEM block could not be read as a private key; check that it is complete and unencrypted.`,
      { details: { blockType: block.type, reason: errorCode(error) } },
    );
  }
  assertRsa(key, 'The private key');
  return key;
}

const PUBLIC_KEY_TYPES = ['PUBLIC KEY', 'RSA PUBLIC KEY'] as const;

/** An RSA public key from a `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) PEM. */
export function loadRsaPublicKey(publicKeyPem: string): KeyObject {
  const block = firstBlockOfType(publicKeyPem, PUBLIC_KEY_TYPES, 'the public key (PEM "PUBLIC KEY")');
  return rsaPublicKeyFromDer(pemToDer(block), block.type === 'PUBLIC KEY' ? 'spki' : 'pkcs1', 'The public key', 'KEY_PARSE_FAILED');
}

/** An RSA public key from DER (SPKI or PKCS#1), failing with `failCode` if unreadable. */
export function rsaPublicKeyFromDer(
  der: Buffer,
  type: 'spki' | 'pkcs1',
  what: string,
  failCode: 'KEY_PARSE_FAILED' | 'CERT_PARSE_FAILED' | 'CSR_PARSE_FAILED',
): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type });
  } catch (error) {
    throw new RotationError(failCode, `${what} could not be read (${errorCode(error)}); check that the PEM is complete.`, {
      details: { reason: errorCode(error) },
    });
  }
  assertRsa(key, what);
  return key;
}

function assertRsa(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'rsa') {
    const type = key.asymmetricKeyType ?? 'unknown';
    throw new RotationError(
      'UNSUPPORTED_KEY',
      `${what} is a${/^[aeiou]/i.test(type) ? 'n' : ''} ${type.toUpperCase()} key; certrot handles RSA keys only (Salesforce certificates are RSA). Use an RSA key of 2048 bits or more.`,
      { details: { keyType: type } },
    );
  }
}

export function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

export function spkiPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

export function spkiFingerprintOfKey(key: KeyObject): string {
  return sha256Fingerprint(spkiDer(key));
}

export function rsaKeySize(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

/** The public half of a private key (as node KeyObject). */
export function publicKeyOfPrivate(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

export function toForgePublicKey(key: KeyObject): forge.pki.rsa.PublicKey {
  return forge.pki.publicKeyFromPem(spkiPem(key));
}

/** forge needs its own key object only to wrap the key into PKCS#12. */
export function toForgePrivateKey(key: KeyObject): forge.pki.rsa.PrivateKey {
  return forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString());
}

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'unknown error';
}
