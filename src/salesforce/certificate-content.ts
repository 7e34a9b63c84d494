/**
 * Reads a Metadata API `Certificate` record into the port's CertificateDetails. Its
 * `content` is the base64 of the PEM public certificate — or, for a CA-signed certificate
 * still waiting for its chain, of the CSR. Some orgs hand back base64 DER instead of PEM;
 * both are accepted.
 */
import { certificateFingerprint, parseCertificate, spkiFingerprint, splitPemBlocks } from '../certificates';
import { RotationError } from '../domain/errors';
import type { CertificateDetails, KeySize } from './org-port';
import type { CertificateMetadata } from './wire-records';

const CSR_TYPES = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

function contentAsPem(content: string): string {
  const decoded = Buffer.from(content, 'base64').toString('utf8');
  if (decoded.includes('-----BEGIN')) return decoded;
  const body = content.replace(/\s+/g, '').match(/.{1,64}/g)?.join('\n') ?? '';
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

export function toKeySize(value: number | null | undefined): KeySize {
  return value === 4096 ? 4096 : 2048;
}

/** ISO-8601 from Salesforce dateTimes ("2026-01-01T00:00:00.000+0000" or "...Z"). */
export function isoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** `createdAt`: when the org says it created the certificate (listMetadata), if known. */
export function certificateDetailsFrom(record: CertificateMetadata & { fullName: string }, createdAt: string | null): CertificateDetails {
  const base = {
    uniqueName: record.fullName,
    label: record.masterLabel ?? record.fullName,
    keySize: toKeySize(record.keySize),
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
    return {
      ...base,
      usable: false,
      expiresAt: null,
      certificatePem: null,
      csrPem: csr.pem,
      fingerprintSha256: null,
      spkiFingerprintSha256: spkiFingerprint(csr.pem),
    };
  }
  const leaf = blocks.find((b) => b.type === 'CERTIFICATE');
  if (!leaf) {
    throw new RotationError('SALESFORCE_ERROR', `The content Salesforce returned for certificate ${record.fullName} holds neither a certificate nor a CSR.`);
  }
  const info = parseCertificate(leaf.pem);
  return {
    ...base,
    usable: true,
    expiresAt: info.notAfter.toISOString(),
    certificatePem: leaf.pem,
    csrPem: null,
    fingerprintSha256: certificateFingerprint(leaf.pem),
    spkiFingerprintSha256: spkiFingerprint(leaf.pem),
  };
}
