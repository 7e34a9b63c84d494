/**
 * Reads a Metadata API `Certificate` record into the port's CertificateDetails. Its
 * `content` is the base64 of the PEM public certificate; for a CA-signed certificate, the
 * CSR while it waits for its chain, then the chain as it was uploaded — whole, and not
 * necessarily leaf first, so the leaf is found by its key. Some orgs hand back base64 DER
 * instead of PEM; both are accepted.
 *
 * Dates: the Metadata `expirationDate` is a dateTime, the Tooling `ExpirationDate` only a
 * date. The expiry reported here is the certificate's own notAfter whenever the content
 * was read; a bare date (the listing) is taken as that day 00:00Z — earlier, never later,
 * than a UTC reading of it, which is the safe side for renewals.
 */
import { certificateFingerprint, findLeaf, parseCertificate, parseCsr, splitPemBlocks } from '../certificates';
import { RotationError } from '../domain/errors';
import type { CertificateDetails } from './org-port';
import type { CertificateMetadata } from './wire-records';

const CSR_TYPES = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
/** What Salesforce creates when the key size is not given (Metadata API `Certificate.keySize`). */
const DEFAULT_KEY_SIZE = 2048;

function contentAsPem(content: string): string {
  const decoded = Buffer.from(content, 'base64').toString('utf8');
  if (decoded.includes('-----BEGIN')) return decoded;
  const body = content.replace(/\s+/g, '').match(/.{1,64}/g)?.join('\n') ?? '';
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

/**
 * The key size as Salesforce reports it: 2048, 3072 or 4096 for what it creates, anything
 * else (an imported key) as it is. Only a missing value becomes Salesforce's default.
 */
export function toKeySize(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : DEFAULT_KEY_SIZE;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * ISO-8601 from a Salesforce date ("2027-06-20", taken as 00:00Z that day) or dateTime
 * ("2027-06-20T10:00:00.000+0000" or "...Z"); null for anything else.
 */
export function isoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const text = value.trim();
  const date = DATE_ONLY.test(text) ? new Date(`${text}T00:00:00.000Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? new Date(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : null;
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * `createdAt`: when the org says it created the certificate (listMetadata), if known.
 * `leafKey`: the SPKI SHA-256 the leaf must carry (the CSR's key, right after an upload);
 * without it the leaf is the certificate of the chain that issued none of the others.
 */
export function certificateDetailsFrom(record: CertificateMetadata & { fullName: string }, createdAt: string | null, leafKey?: string): CertificateDetails {
  const base = {
    uniqueName: record.fullName,
    label: record.masterLabel ?? record.fullName,
    caSigned: record.caSigned ?? false,
    privateKeyExportable: record.privateKeyExportable ?? true,
    createdAt,
  };
  if (!record.content) {
    throw new RotationError('SALESFORCE_ERROR', `Salesforce returned certificate ${record.fullName} without its content; check the API version (36.0+) and that the user may read certificates.`);
  }
  const pem = contentAsPem(record.content);
  const blocks = splitPemBlocks(pem);
  const csr = blocks.find((b) => CSR_TYPES.has(b.type));
  if (csr) {
    const info = parseCsr(csr.pem);
    return {
      ...base,
      keySize: info.keySize,
      usable: false,
      expiresAt: null,
      certificatePem: null,
      csrPem: csr.pem,
      fingerprintSha256: null,
      spkiFingerprintSha256: info.spkiFingerprintSha256,
    };
  }
  if (!blocks.some((b) => b.type === 'CERTIFICATE')) {
    throw new RotationError('SALESFORCE_ERROR', `The content Salesforce returned for certificate ${record.fullName} holds neither a certificate nor a CSR.`);
  }
  const leafPem = findLeaf(pem, leafKey === undefined ? undefined : { spkiFingerprintSha256: leafKey });
  const info = parseCertificate(leafPem);
  return {
    ...base,
    keySize: info.keySize,
    usable: true,
    expiresAt: info.notAfter.toISOString(),
    certificatePem: leafPem,
    csrPem: null,
    fingerprintSha256: certificateFingerprint(leafPem),
    spkiFingerprintSha256: info.spkiFingerprintSha256,
  };
}
