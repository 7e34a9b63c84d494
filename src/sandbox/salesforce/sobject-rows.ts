/**
 * sObject Rows update (`PATCH /sobjects/{type}/{id}`), on its own or as a Composite
 * subrequest: field checks as Salesforce makes them, If-Unmodified-Since compared with the
 * record's LastModifiedDate (412 PRECONDITION_FAILED), and the switch log told of every
 * text value the write changed. The caller decides when what is logged counts (a Composite
 * request rolled back logs nothing).
 */
import type { OrgState, Row, Table, FieldValue } from './org-state';
import { isCustomMetadataTable } from './org-state';
import { noContent, restError, type Reply } from './replies';
import type { SwitchEntry } from './switch-log';

/** What Salesforce answers a user without access to an object (a protected setting, say). */
export function insufficientAccess(table: Table): Reply {
  return restError(403, 'INSUFFICIENT_ACCESS', `insufficient access rights on object ${table.name}`);
}

export function rowById(table: Table, id: string): Row | undefined {
  return table.rows.find((r) => typeof r.Id === 'string' && r.Id.slice(0, 15) === id.slice(0, 15));
}

type Logged = Omit<SwitchEntry, 'at' | 'from' | 'to'> & { from: FieldValue | undefined; to: FieldValue | undefined };

export interface RecordUpdate {
  reply: Reply;
  /** The row as it was before this write (only when the write applied): a rollback restores it. */
  before: { row: Row; values: Row } | null;
}

/** One record's update; `body` is the JSON text, or the already-parsed value of a Composite subrequest. */
export function updateRecord(state: OrgState, table: Table, id: string, body: unknown, ifUnmodifiedSince: string | undefined, log: (entry: Logged) => void): RecordUpdate {
  const refused = (reply: Reply): RecordUpdate => ({ reply, before: null });
  if (table.access === 'hidden') return refused(restError(404, 'NOT_FOUND', `sObject type '${table.name}' is not supported.`));
  if (table.access !== 'readable') return refused(insufficientAccess(table));
  // DML on Custom Metadata Type records is refused: only the Metadata API writes them
  if (isCustomMetadataTable(table)) return refused(restError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type ${table.name} does not support update`));
  const row = rowById(table, id);
  if (!row) return refused(restError(404, 'NOT_FOUND', 'The requested resource does not exist'));
  let changes: unknown = body;
  if (typeof body === 'string') {
    try {
      changes = JSON.parse(body);
    } catch {
      return refused(restError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON'));
    }
  }
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) return refused(restError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object'));
  const updates: Row = {};
  for (const [name, value] of Object.entries(changes as Record<string, unknown>)) {
    const field = table.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!field) return refused(restError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${table.name}`, [name]));
    if (!field.updateable) return refused(restError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${field.name}.`, [field.name]));
    if (value !== null && (field.type === 'string' || field.type === 'textarea') && typeof value !== 'string') {
      return refused(restError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of string from ${typeof value} value for ${field.name}`, [field.name]));
    }
    if (typeof value === 'string' && value.length > field.length) {
      return refused(restError(400, 'STRING_TOO_LONG', `${field.label}: data value too large: ${value.slice(0, 40)} (max length=${field.length})`, [field.name]));
    }
    updates[field.name] = value as FieldValue;
  }
  if (ifUnmodifiedSince !== undefined) {
    const since = Date.parse(ifUnmodifiedSince);
    const modified = Date.parse(String(row.LastModifiedDate));
    // HTTP dates carry whole seconds; whether Salesforce also drops LastModifiedDate's milliseconds is unconfirmed
    const later = state.behaviour.ifUnmodifiedSincePrecision === 'second' ? Math.floor(modified / 1000) > Math.floor(since / 1000) : modified > since;
    if (!Number.isNaN(since) && later) {
      return refused(restError(412, 'PRECONDITION_FAILED', 'The requested record has been modified since the given If-Unmodified-Since time.'));
    }
  }
  const before = { row, values: { ...row } };
  const now = new Date().toISOString();
  for (const [field, to] of Object.entries(updates)) {
    if (typeof to === 'string' || to === null) log({ object: table.name, recordId: String(row.Id), field, from: row[field], to });
  }
  Object.assign(row, updates, { LastModifiedDate: now, SystemModstamp: now });
  return { reply: noContent(), before };
}
