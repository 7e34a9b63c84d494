/**
 * Issuing certificates: self-signed ones (what Salesforce makes by itself, and test CAs)
 * and ones signed from a CSR by a CA. forge lays out the certificate; node:crypto signs it.
 */
import { KeyObject, createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { RotationError } from '../domain/errors';
import { CsrSubject, loadVerifiedCsr, subjectAttributesOf } from './csr';
import { RsaKeySize, generateRsaKeyPair, loadRsaPrivateKey, publicKeyOfPrivate, toForgePublicKey } from './keys';
import { ForgeAltName, altNamesFor, formatName, reencodableAttributes, subjectAttributes } from './names';
import { withUnixNewlines } from './pem';
import { signCertificate } from './signing-algorithms';
import { assertCertificateValidAt } from './validity';
import { BasicConstraints, assertKeyMatches, extensionOf, loadCertificate } from './x509';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_VALIDITY_DAYS = 100 * 365;

export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

type CertificateLayout = {
  subject: forge.pki.CertificateField[];
  issuer: forge.pki.CertificateField[];
  publicKey: KeyObject;
  signingKey: KeyObject;
  /** The issuer's key identifier (bytes); the certificate's own for a self-signed one. */
  authorityKeyId: Buffer;
  validityDays: number;
  notBefore?: Date;
  serialNumber?: string;
  isCa: boolean;
  altNames: ForgeAltName[];
  extendedKeyUsage?: ExtendedKeyUsage[];
};

function issue(layout: CertificateLayout): string {
  const notBefore = checkedNotBefore(layout.notBefore);
  const validityDays = checkedValidityDays(layout.validityDays);
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serialHex(layout.serialNumber);
  // Whole seconds: that is all X.509 time encodes, so notAfter - notBefore stays exact.
  const start = Math.floor(notBefore.getTime() / 1000) * 1000;
  cert.validity.notBefore = new Date(start);
  cert.validity.notAfter = new Date(start + validityDays * DAY_MS);
  cert.publicKey = toForgePublicKey(layout.publicKey);
  cert.setSubject(layout.subject);
  cert.setIssuer(layout.issuer);
  const extensions: Record<string, unknown>[] = [
    { name: 'basicConstraints', critical: true, cA: layout.isCa },
    layout.isCa
      ? { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true }
      : { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: layout.authorityKeyId.toString('binary') },
  ];
  if (layout.extendedKeyUsage !== undefined && layout.extendedKeyUsage.length > 0) {
    const usage: Record<string, unknown> = { name: 'extKeyUsage' };
    for (const purpose of layout.extendedKeyUsage) {
      if (purpose !== 'serverAuth' && purpose !== 'clientAuth') {
        throw new RotationError('INVALID_INPUT', `Extended key usage "${String(purpose)}" is not supported; use "serverAuth" and/or "clientAuth".`);
      }
      usage[purpose] = true;
    }
    extensions.push(usage);
  }
  if (layout.altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames: layout.altNames });
  cert.setExtensions(extensions);
  signCertificate(cert, layout.signingKey);
  return withUnixNewlines(forge.pki.certificateToPem(cert));
}

/** Method 1 of RFC 5280 4.2.1.2: SHA-1 of the RSAPublicKey, as forge and openssl compute it. */
function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'pkcs1', format: 'der' })).digest();
}

function checkedValidityDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new RotationError('INVALID_INPUT', `validityDays must be a whole number of days between 1 and ${MAX_VALIDITY_DAYS}, got ${String(days)}.`, {
      details: { validityDays: String(days) },
    });
  }
  return days;
}

function checkedNotBefore(notBefore: Date | undefined): Date {
  if (notBefore === undefined) return new Date();
  if (!(notBefore instanceof Date) || Number.isNaN(notBefore.getTime())) {
    throw new RotationError('INVALID_INPUT', `notBefore "${String(notBefore)}" is not a valid Date.`);
  }
  return notBefore;
}

/**
 * A serial as forge wants it: hex of a positive DER INTEGER (a 00 byte in front when the
 * top bit is set). Given serials may have colons; missing ones are 16 random bytes.
 */
function serialHex(given: string | undefined): string {
  if (given === undefined) {
    const bytes = randomBytes(16);
    bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
    return bytes.toString('hex');
  }
  let hex = given.replace(/[:\s]/g, '').toLowerCase().replace(/^0+/, '');
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 40) {
    throw new RotationError('INVALID_INPUT', `Serial number "${given}" must be a positive hex number of at most 20 bytes (e.g. "01A2B3"), not zero.`, {
      details: { serialNumber: given },
    });
  }
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 1), 16) >= 8) hex = `00${hex}`;
  return hex;
}

export type SelfSignedOptions = {
  privateKeyPem: string;
  /** Field by field, or copied from an existing certificate's subject. */
  subject: CsrSubject;
  validityDays: number;
  notBefore?: Date;
  serialNumber?: string;
  isCa?: boolean;
  subjectAltNames?: string[];
};

/** A self-signed certificate (SHA-256/RSA) for the key, as PEM. */
export function createSelfSignedCertificate(opts: SelfSignedOptions): string {
  const privateKey = loadRsaPrivateKey(opts.privateKeyPem);
  const publicKey = publicKeyOfPrivate(privateKey);
  const subject = subjectAttributesOf(opts.subject);
  return issue({
    subject,
    issuer: subject,
    publicKey,
    signingKey: privateKey,
    authorityKeyId: keyIdentifier(publicKey),
    validityDays: opts.validityDays,
    notBefore: opts.notBefore,
    serialNumber: opts.serialNumber,
    isCa: opts.isCa ?? false,
    altNames: altNamesFor(opts.subjectAltNames ?? []),
  });
}

export type SignCsrOptions = {
  csrPem: string;
  caCertificatePem: string;
  caPrivateKeyPem: string;
  validityDays: number;
  notBefore?: Date;
  serialNumber?: string;
  isCa?: boolean;
  subjectAltNames?: string[];
  extendedKeyUsage?: ExtendedKeyUsage[];
};

/**
 * A certificate for the CSR's subject and key, issued by the CA. The CSR's SANs are kept
 * unless `subjectAltNames` replaces them. The CA must be a CA, valid when the new
 * certificate starts, and `caPrivateKeyPem` must be its key.
 */
export function signCsr(opts: SignCsrOptions): string {
  const ca = loadCertificate(opts.caCertificatePem);
  const caKey = loadRsaPrivateKey(opts.caPrivateKeyPem);
  assertKeyMatches(ca, caKey, 'the CA certificate');
  const caConstraints = extensionOf<BasicConstraints>(ca, 'basicConstraints');
  if (caConstraints?.cA !== true) {
    throw new RotationError(
      'CHAIN_INVALID',
      `The issuing certificate "${formatName(ca.forge.subject.attributes)}" is not a CA (basicConstraints cA is not set), so certificates it signs would not verify; pass the CA certificate, not a leaf.`,
    );
  }
  assertCertificateValidAt(ca, checkedNotBefore(opts.notBefore), 'The CA certificate');
  const csr = loadVerifiedCsr(opts.csrPem);
  const caSki = extensionOf<{ subjectKeyIdentifier?: string }>(ca, 'subjectKeyIdentifier');
  return issue({
    subject: reencodableAttributes(csr.forge.subject.attributes),
    issuer: reencodableAttributes(ca.forge.subject.attributes),
    publicKey: csr.publicKey,
    signingKey: caKey,
    authorityKeyId: caSki?.subjectKeyIdentifier !== undefined ? Buffer.from(caSki.subjectKeyIdentifier, 'hex') : keyIdentifier(ca.publicKey),
    validityDays: opts.validityDays,
    notBefore: opts.notBefore,
    serialNumber: opts.serialNumber,
    isCa: opts.isCa ?? false,
    altNames: opts.subjectAltNames !== undefined ? altNamesFor(opts.subjectAltNames) : csr.requestedAltNames,
    extendedKeyUsage: opts.extendedKeyUsage,
  });
}

/** A new root CA: an RSA key (2048 bits unless told) and its self-signed CA certificate. */
export async function createCertificateAuthority(opts: {
  commonName: string;
  organization?: string;
  validityDays: number;
  keySize?: 2048 | 4096;
}): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const keySize: RsaKeySize = opts.keySize ?? 2048;
  // Check the cheap things before spending time on a key.
  checkedValidityDays(opts.validityDays);
  subjectAttributes({ commonName: opts.commonName, organization: opts.organization });
  const { privateKeyPem } = await generateRsaKeyPair(keySize);
  const certificatePem = createSelfSignedCertificate({
    privateKeyPem,
    subject: { commonName: opts.commonName, organization: opts.organization },
    validityDays: opts.validityDays,
    isCa: true,
  });
  return { certificatePem, privateKeyPem };
}
