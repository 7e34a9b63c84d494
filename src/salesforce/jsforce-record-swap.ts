/**
 * Compare-and-set on one field of a custom setting or custom object record through REST:
 * read the field and LastModifiedDate, compare, PATCH guarded by If-Unmodified-Since.
 */
import type { Connection } from 'jsforce';
import { RotationError } from '../domain/errors';
import type { ReferenceChange } from '../domain/reference';
import { isoDate } from './certificate-content';
import { describeFailure } from './errors';
import { queryRows, type OrgSession } from './jsforce-session';
import { soqlString } from './names-and-escaping';
import { stringField } from './wire-records';

const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

/**
 * Returns undefined when applied (or already at the new value — a retry of an update whose
 * answer was lost), else what the record holds (null: the record is gone). The caller has
 * checked that the field is writable (SchemaCache.requireWritable).
 *
 * The read-compare-write is guarded by If-Unmodified-Since on the LastModifiedDate we read,
 * so a write in between makes Salesforce refuse ours (412) instead of losing it. An HTTP
 * date has one-second resolution; the compare just before it catches the rest. Whether
 * Salesforce compares that date in whole seconds or against the millisecond LastModifiedDate
 * is unconfirmed: in the second case a record modified at 12:00:00.500 refuses a date of
 * 12:00:00. A 412 while the record is still exactly as read can only be that, so the write is
 * tried once more with the date rounded up to the next whole second.
 */
export async function swapRecordField(session: OrgSession, change: ReferenceChange): Promise<string | null | undefined> {
  if (!RECORD_ID.test(change.recordId)) throw new RotationError('INVALID_INPUT', `"${change.recordId}" is not a Salesforce record Id`);
  const read = async (conn: Connection) => {
    const rows = await queryRows(conn, `SELECT Id, ${change.field}, LastModifiedDate FROM ${change.object} WHERE Id = ${soqlString(change.recordId)}`);
    const row = rows[0];
    return row ? { value: stringField(row, change.field), lastModified: stringField(row, 'LastModifiedDate') } : null;
  };
  return session.call(`updating ${change.object}.${change.field} on ${change.recordId}`, async (conn) => {
    const current = await read(conn);
    if (current === null) return null;
    if (current.value === change.value && change.value !== change.expected) return undefined;
    if (current.value !== change.expected) return current.value;
    const since = isoDate(current.lastModified);
    const modified = since === null ? null : Date.parse(since);
    /** false: Salesforce answered 412 Precondition Failed. */
    const write = async (at: number | null): Promise<boolean> => {
      try {
        await conn.sobject(change.object).update(
          { Id: change.recordId, [change.field]: change.value },
          { headers: at !== null ? { 'If-Unmodified-Since': new Date(at).toUTCString() } : {} },
        );
        return true;
      } catch (err) {
        const code = describeFailure(err).salesforceCode;
        if (code === 'PRECONDITION_FAILED' || code === 'ERROR_HTTP_412') return false;
        throw err;
      }
    };
    if (await write(modified)) return undefined;
    const now = await read(conn);
    const untouched = now !== null && now.value === current.value && now.lastModified === current.lastModified;
    if (!untouched || modified === null || modified % 1000 === 0) return now?.value ?? null;
    if (await write(Math.ceil(modified / 1000) * 1000)) return undefined;
    return (await read(conn))?.value ?? null;
  });
}
