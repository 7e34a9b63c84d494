/**
 * Reading certificates over one jsforce connection, shared by the certificate operations:
 * the live ones (listMetadata, with createdAt from their FileProperties), Metadata records
 * (readMetadata, in batches), the Tooling rows kept one per name, and the deleted
 * certificate that may still hold a Unique Name.
 */
import type { Connection } from 'jsforce';
import { sameUniqueName } from '../domain/certificate';
import { isoDate } from './certificate-content';
import { queryRows } from './jsforce-session';
import { soqlString } from './names-and-escaping';
import {
  certificateMetadataSchema,
  filePropertiesSchema,
  parseWire,
  stringField,
  type CertificateMetadata,
  type FileProperties,
  type ToolingCertificate,
} from './wire-records';

/** Metadata readMetadata accepts at most 10 names per call. */
export const READ_BATCH = 10;
/** Before this, a FileProperties date is a placeholder (some types report the epoch), not a creation time. */
const EARLIEST_REAL_DATE = Date.UTC(2000, 0, 1);

export type CertificateRecord = CertificateMetadata & { fullName: string };

/**
 * A deleted certificate holding `uniqueName` (the Tooling query returns deleted ones), as
 * stored; null when there is none, i.e. the duplicate is a live certificate after all.
 */
export async function deletedHolderOf(conn: Connection, uniqueName: string): Promise<string | null> {
  const rows = await queryRows(conn, `SELECT Id, DeveloperName FROM Certificate WHERE DeveloperName = ${soqlString(uniqueName)}`, true);
  const row = rows.find((r) => sameUniqueName(stringField(r, 'DeveloperName') ?? '', uniqueName));
  return row ? stringField(row, 'DeveloperName') : null;
}

/**
 * Without Ids, the Tooling rows of a live name may include a deleted certificate of the same
 * name: keep the row that expires first (the safe side for renewals).
 */
export function oneRowPerName(rows: ToolingCertificate[]): ToolingCertificate[] {
  const byName = new Map<string, ToolingCertificate>();
  for (const row of rows) {
    const key = row.DeveloperName.toLowerCase();
    const kept = byName.get(key);
    const expires = (r: ToolingCertificate) => isoDate(r.ExpirationDate) ?? '';
    if (!kept || (expires(row) !== '' && (expires(kept) === '' || expires(row) < expires(kept)))) byName.set(key, row);
  }
  return [...byName.values()];
}

/** Live certificates as listMetadata reports them (fullName as stored, id, createdDate). */
export async function listLive(conn: Connection): Promise<FileProperties[]> {
  return parseWire(filePropertiesSchema.array(), await conn.metadata.list([{ type: 'Certificate' }]), 'listMetadata(Certificate)');
}

export function createdAtOf(properties: FileProperties | undefined): string | null {
  const iso = isoDate(properties?.createdDate);
  return iso !== null && Date.parse(iso) >= EARLIEST_REAL_DATE ? iso : null;
}

export async function readCertificateRecords(conn: Connection, names: string[]): Promise<Map<string, CertificateRecord>> {
  const found = new Map<string, CertificateRecord>();
  for (let i = 0; i < names.length; i += READ_BATCH) {
    // always an array: jsforce crashes reading a single missing name
    const raw: unknown = await conn.metadata.read('Certificate', names.slice(i, i + READ_BATCH));
    for (const record of parseWire(certificateMetadataSchema.array(), raw, 'readMetadata(Certificate)')) {
      if (record.fullName) found.set(record.fullName.toLowerCase(), { ...record, fullName: record.fullName });
    }
  }
  return found;
}

export async function readCertificateRecord(conn: Connection, uniqueName: string): Promise<CertificateRecord | null> {
  return (await readCertificateRecords(conn, [uniqueName])).get(uniqueName.toLowerCase()) ?? null;
}
