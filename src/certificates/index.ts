/**
 * The certificate toolkit: plain data in, plain data out (PEM strings, Dates, fingerprints
 * as `AB:CD:...`). node-forge for X.509, CSR and PKCS#12 structures; node:crypto for keys,
 * signatures and hashes. Bad input raises RotationError with a certificate error code.
 */
export { splitPemBlocks } from './pem';
export type { PemBlock } from './pem';
export { normalizeFingerprint, fingerprintsEqual } from './fingerprint';
export type { SubjectFields } from './names';
export { generateRsaKeyPair, RSA_KEY_SIZES } from './keys';
export type { RsaKeyPair, RsaKeySize } from './keys';
export {
  parseCertificate,
  parseCertificateChain,
  certificateFingerprint,
  publicKeyPemOf,
  assertKeyMatchesCertificate,
} from './x509';
export type { CertificateInfo } from './x509';
export { spkiFingerprint, spkiFingerprintOfPrivateKey } from './public-key';
export { validityAt, assertValidAt } from './validity';
export type { Validity } from './validity';
export { createCsr, parseCsr } from './csr';
export type { CsrInfo, CsrSubject } from './csr';
export { createSelfSignedCertificate, signCsr, createCertificateAuthority } from './issuance';
export type { ExtendedKeyUsage, SelfSignedOptions, SignCsrOptions } from './issuance';
export { exportPkcs12, readPkcs12 } from './pkcs12';
export type { Pkcs12Contents } from './pkcs12';
export { findLeaf, verifyChain } from './chain';
export type { ChainVerification } from './chain';
export { signRsaSha256, verifyRsaSha256 } from './signature';
