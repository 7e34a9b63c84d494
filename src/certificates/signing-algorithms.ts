/**
 * Signing and checking the signed part of a certificate or CSR with node:crypto (native
 * RSA is far faster than forge's), while forge still builds and encodes the structures.
 */
import { KeyObject, sign, verify } from 'node:crypto';
import forge from 'node-forge';

/** The signature algorithms certrot writes: always SHA-256 with RSA (PKCS#1 v1.5). */
export const SHA256_WITH_RSA_OID = forge.pki.oids.sha256WithRSAEncryption as string;

/** forge builds the to-be-signed structures with these; they are public but not in its typings. */
const pkiInternals = forge.pki as unknown as {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
  getCertificationRequestInfo(csr: forge.pki.CertificateSigningRequest): forge.asn1.Asn1;
};

const HASH_BY_SIGNATURE_OID: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

/** node's hash name for a PKCS#1 v1.5 RSA signature OID, or undefined (e.g. RSASSA-PSS). */
export function hashForSignatureOid(oid: string | null): string | undefined {
  return oid === null ? undefined : HASH_BY_SIGNATURE_OID[oid];
}

export function verifyPkcs1(hash: string, signedBytes: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  try {
    return verify(hash, signedBytes, publicKey, signature);
  } catch {
    return false;
  }
}

/** Signs a forge certificate in place with SHA-256/RSA, as forge's `cert.sign` would. */
export function signCertificate(cert: forge.pki.Certificate, privateKey: KeyObject): void {
  cert.signatureOid = SHA256_WITH_RSA_OID;
  cert.siginfo.algorithmOid = SHA256_WITH_RSA_OID;
  cert.tbsCertificate = pkiInternals.getTBSCertificate(cert);
  cert.signature = signDer(forge.asn1.toDer(cert.tbsCertificate).getBytes(), privateKey);
}

/** Signs a forge CSR in place with SHA-256/RSA, as forge's `csr.sign` would. */
export function signCertificationRequest(csr: forge.pki.CertificateSigningRequest, privateKey: KeyObject): void {
  csr.signatureOid = SHA256_WITH_RSA_OID;
  csr.siginfo.algorithmOid = SHA256_WITH_RSA_OID;
  csr.certificationRequestInfo = pkiInternals.getCertificationRequestInfo(csr);
  csr.signature = signDer(forge.asn1.toDer(csr.certificationRequestInfo).getBytes(), privateKey);
}

function signDer(binary: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(binary, 'binary'), privateKey).toString('binary');
}
