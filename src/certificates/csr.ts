/**
 * Certificate signing requests: making one for a key, and reading one back with its
 * self-signature checked (a CSR whose signature does not verify was altered on the way).
 */
import { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { RotationError } from '../domain/errors';
import { DerError, signedObjectParts } from './der';
import { loadRsaPrivateKey, publicKeyOfPrivate, rsaKeySize, rsaPublicKeyFromDer, spkiFingerprintOfKey, spkiPem, toForgePublicKey } from './keys';
import { ForgeAltName, SubjectFields, altNameStrings, altNamesFor, commonNameOf, formatName, reencodableAttributes, subjectAttributes } from './names';
import { PemBlock, firstBlockOfType, pemToDer, withUnixNewlines } from './pem';
import { hashForSignatureOid, signCertificationRequest, verifyPkcs1 } from './signing-algorithms';
import { loadCertificate } from './x509';

export type CsrInfo = {
  subject: string;
  commonName: string | null;
  publicKeyPem: string;
  spkiFingerprintSha256: string;
  keySize: number;
  subjectAltNames: string[];
};

export type LoadedCsr = {
  der: Buffer;
  forge: forge.pki.CertificateSigningRequest;
  publicKey: KeyObject;
  /** The SANs the requester asked for (extensionRequest), as forge alt names. */
  requestedAltNames: ForgeAltName[];
};

const CSR_TYPES = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const;

/** Reads a CSR block without checking its signature (see verifyCsrSignature). */
export function loadCsrBlock(block: PemBlock): LoadedCsr {
  const der = pemToDer(block);
  let spki: Buffer;
  try {
    spki = signedObjectParts(der, 'csr').spki;
  } catch (error) {
    throw parseFailure(error);
  }
  const publicKey = rsaPublicKeyFromDer(spki, 'spki', "The CSR's public key", 'CSR_PARSE_FAILED');
  let parsed: forge.pki.CertificateSigningRequest;
  try {
    parsed = forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
  } catch (error) {
    throw parseFailure(error);
  }
  return { der, forge: parsed, publicKey, requestedAltNames: requestedAltNames(parsed) };
}

function parseFailure(error: unknown): RotationError {
  const reason = error instanceof DerError || error instanceof Error ? error.message : String(error);
  return new RotationError(
    'CSR_PARSE_FAILED',
    `The CSR is PEM-wrapped but its contents are not a valid PKCS#10 certification request (${reason}); generate or download the CSR again.`,
    { details: { reason } },
  );
}

function requestedAltNames(csr: forge.pki.CertificateSigningRequest): ForgeAltName[] {
  const request = csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { name?: string; altNames?: ForgeAltName[] }[] } | null;
  const san = request?.extensions?.find((extension) => extension.name === 'subjectAltName');
  return san?.altNames ?? [];
}

/** Throws CSR_SIGNATURE_INVALID unless the CSR's signature verifies with its own public key. */
export function verifyCsrSignature(csr: LoadedCsr): void {
  const { tbs, signature } = signedObjectParts(csr.der, 'csr');
  const hash = hashForSignatureOid(csr.forge.signatureOid);
  let valid: boolean;
  if (hash !== undefined) {
    valid = verifyPkcs1(hash, tbs, signature, csr.publicKey);
  } else {
    // RSASSA-PSS and other rare algorithms: let forge decide from the parsed parameters.
    try {
      valid = csr.forge.verify();
    } catch {
      valid = false;
    }
  }
  if (!valid) {
    const subject = formatName(csr.forge.subject.attributes);
    throw new RotationError(
      'CSR_SIGNATURE_INVALID',
      `The CSR for "${subject}" does not verify with its own public key (signature algorithm ${csr.forge.signatureOid ?? 'unknown'}): it was altered after signing or is corrupt. Request a fresh CSR from its source.`,
      { details: { subject, signatureOid: csr.forge.signatureOid } },
    );
  }
}

/** The first CSR in `csrPem`, with its signature checked. */
export function loadVerifiedCsr(csrPem: string): LoadedCsr {
  const csr = loadCsrBlock(firstBlockOfType(csrPem, CSR_TYPES, 'the CSR (PEM "CERTIFICATE REQUEST")'));
  verifyCsrSignature(csr);
  return csr;
}

export function parseCsr(csrPem: string): CsrInfo {
  const csr = loadVerifiedCsr(csrPem);
  return {
    subject: formatName(csr.forge.subject.attributes),
    commonName: commonNameOf(csr.forge.subject.attributes),
    publicKeyPem: spkiPem(csr.publicKey),
    spkiFingerprintSha256: spkiFingerprintOfKey(csr.publicKey),
    keySize: rsaKeySize(csr.publicKey),
    subjectAltNames: altNameStrings(csr.requestedAltNames),
  };
}

/** A subject given field by field, or copied verbatim from an existing certificate's subject DN. */
export type CsrSubject = SubjectFields | { copiedFromCertificatePem: string };

/** forge attributes for a subject; a copied one keeps the certificate's attributes in their order and string types. */
export function subjectAttributesOf(subject: CsrSubject): forge.pki.CertificateField[] {
  return 'copiedFromCertificatePem' in subject ? reencodableAttributes(loadCertificate(subject.copiedFromCertificatePem).forge.subject.attributes) : subjectAttributes(subject);
}

/**
 * A PKCS#10 CSR (SHA-256/RSA) for the key, asking for the given subject (possibly copied
 * from a certificate, as Salesforce does when a certificate's content is given on create)
 * and SANs.
 */
export function createCsr(opts: { privateKeyPem: string; subject: CsrSubject; subjectAltNames?: string[] }): string {
  const privateKey = loadRsaPrivateKey(opts.privateKeyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = toForgePublicKey(publicKeyOfPrivate(privateKey));
  csr.setSubject(subjectAttributesOf(opts.subject));
  if (opts.subjectAltNames !== undefined && opts.subjectAltNames.length > 0) {
    csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: altNamesFor(opts.subjectAltNames) }] }]);
  }
  signCertificationRequest(csr, privateKey);
  return withUnixNewlines(forge.pki.certificationRequestToPem(csr));
}
