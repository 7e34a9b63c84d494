/**
 * Reading X.509 certificates: the facts certrot needs about one, as plain data.
 *
 * The key type is read from the DER before forge sees the certificate, because forge only
 * parses RSA certificates and would otherwise fail with an unhelpful message.
 */
import { KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { RotationError } from '../domain/errors';
import { DerError, signedObjectParts } from './der';
import { sha256Fingerprint } from './fingerprint';
import { loadRsaPrivateKey, publicKeyOfPrivate, rsaKeySize, rsaPublicKeyFromDer, spkiDer, spkiFingerprintOfKey, spkiPem } from './keys';
import { ForgeAltName, altNameStrings, commonNameOf, formatName } from './names';
import { PemBlock, blocksOfType, pemToDer } from './pem';

export type CertificateInfo = {
  subject: string;
  issuer: string;
  commonName: string | null;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: 'RSA';
  keySize: number;
  publicKeyPem: string;
  fingerprintSha256: string;
  spkiFingerprintSha256: string;
  isCa: boolean;
  selfSigned: boolean;
  subjectAltNames: string[];
};

const CERTIFICATE_TYPES = ['CERTIFICATE'] as const;
const WHAT = 'the signed certificate';

/** A certificate read once, in the three shapes the code in this folder uses. */
export type LoadedCertificate = {
  der: Buffer;
  pem: string;
  forge: forge.pki.Certificate;
  publicKey: KeyObject;
};

export type BasicConstraints = { cA?: boolean; pathLenConstraint?: number };
export type KeyUsage = { keyCertSign?: boolean; digitalSignature?: boolean };

/** forge's parsed form of an extension (its typings say only `{}`). */
export function extensionOf<T>(certificate: LoadedCertificate, name: string): T | undefined {
  const extension: unknown = certificate.forge.getExtension(name);
  return extension as T | undefined;
}

export function loadCertificateBlock(block: PemBlock, index = 0): LoadedCertificate {
  const der = pemToDer(block);
  let spki: Buffer;
  try {
    spki = signedObjectParts(der, 'certificate').spki;
  } catch (error) {
    throw parseFailure(error, index);
  }
  const publicKey = rsaPublicKeyFromDer(spki, 'spki', `The public key of certificate ${index + 1}`, 'CERT_PARSE_FAILED');
  let parsed: forge.pki.Certificate;
  try {
    parsed = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
  } catch (error) {
    throw parseFailure(error, index);
  }
  return { der, pem: block.pem, forge: parsed, publicKey };
}

function parseFailure(error: unknown, index: number): RotationError {
  const reason = error instanceof DerError || error instanceof Error ? error.message : String(error);
  return new RotationError(
    'CERT_PARSE_FAILED',
    `Certificate ${index + 1} is PEM-wrapped but its contents are not a valid X.509 certificate (${reason}); export the certificate again.`,
    { details: { index, reason } },
  );
}

/** The first certificate in `pem` (other blocks, such as a chain after it, are ignored). */
export function loadCertificate(pem: string): LoadedCertificate {
  const [first] = blocksOfType(pem, CERTIFICATE_TYPES, WHAT);
  if (first === undefined) throw new Error('unreachable: blocksOfType returned no block');
  return loadCertificateBlock(first);
}

/** Every certificate in `pem`, in order. */
export function loadCertificates(pem: string): LoadedCertificate[] {
  return blocksOfType(pem, CERTIFICATE_TYPES, WHAT).map((block, index) => loadCertificateBlock(block, index));
}

export function describeCertificate(certificate: LoadedCertificate): CertificateInfo {
  const cert = certificate.forge;
  const basicConstraints = extensionOf<BasicConstraints>(certificate, 'basicConstraints');
  const san = extensionOf<{ altNames?: ForgeAltName[] }>(certificate, 'subjectAltName');
  return {
    subject: formatName(cert.subject.attributes),
    issuer: formatName(cert.issuer.attributes),
    commonName: commonNameOf(cert.subject.attributes),
    serialNumber: formatSerial(cert.serialNumber),
    notBefore: new Date(cert.validity.notBefore.getTime()),
    notAfter: new Date(cert.validity.notAfter.getTime()),
    keyAlgorithm: 'RSA',
    keySize: rsaKeySize(certificate.publicKey),
    publicKeyPem: spkiPem(certificate.publicKey),
    fingerprintSha256: sha256Fingerprint(certificate.der),
    spkiFingerprintSha256: spkiFingerprintOfKey(certificate.publicKey),
    isCa: basicConstraints?.cA === true,
    selfSigned: isSelfSigned(certificate),
    subjectAltNames: altNameStrings(san?.altNames),
  };
}

/** Upper-case hex of the serial's value (no sign byte), as `openssl x509 -noout -serial` prints it. */
function formatSerial(forgeHex: string): string {
  let hex = forgeHex.toUpperCase().replace(/^(00)+(?=[0-9A-F]{2})/, '');
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return hex;
}

/** Issued by itself: issuer equals subject and its own key verifies its signature. */
export function isSelfSigned(certificate: LoadedCertificate): boolean {
  return issuedBy(certificate, certificate);
}

/** Whether `issuer`'s subject is `child`'s issuer and `issuer`'s key verifies `child`'s signature. */
export function issuedBy(child: LoadedCertificate, issuer: LoadedCertificate): boolean {
  const childX509 = new X509Certificate(child.der);
  if (childX509.issuer !== new X509Certificate(issuer.der).subject) return false;
  try {
    return childX509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function parseCertificate(pem: string): CertificateInfo {
  return describeCertificate(loadCertificate(pem));
}

export function parseCertificateChain(pem: string): CertificateInfo[] {
  return loadCertificates(pem).map(describeCertificate);
}

/** SHA-256 of the certificate's DER, `AB:CD:...`. */
export function certificateFingerprint(certPem: string): string {
  return sha256Fingerprint(loadCertificate(certPem).der);
}

/** The certificate's public key as an SPKI `-----BEGIN PUBLIC KEY-----` PEM. */
export function publicKeyPemOf(certPem: string): string {
  return spkiPem(loadCertificate(certPem).publicKey);
}

/** Throws KEY_MISMATCH unless `privateKeyPem` is the private half of the certificate's key. */
export function assertKeyMatchesCertificate(certPem: string, privateKeyPem: string): void {
  assertKeyMatches(loadCertificate(certPem), loadRsaPrivateKey(privateKeyPem), 'the certificate');
}

export function assertKeyMatches(certificate: LoadedCertificate, privateKey: KeyObject, role: string): void {
  const fromKey = spkiDer(publicKeyOfPrivate(privateKey));
  const fromCert = spkiDer(certificate.publicKey);
  if (!fromKey.equals(fromCert)) {
    const subject = formatName(certificate.forge.subject.attributes);
    const certSpki = sha256Fingerprint(fromCert);
    const keySpki = sha256Fingerprint(fromKey);
    throw new RotationError(
      'KEY_MISMATCH',
      `The private key does not belong to ${role} "${subject}": the certificate's public key has SPKI SHA-256 ${certSpki} but the private key's is ${keySpki}. Pass the private key the certificate was issued for.`,
      { details: { subject, certificateSpkiSha256: certSpki, privateKeySpkiSha256: keySpki } },
    );
  }
}
