/**
 * Compare-and-set on many custom setting / custom object fields at one instant: read every
 * record first (one SOQL per object, `WHERE Id IN (...)`), compare, then write every record
 * in one all-or-none Composite request (`POST /composite`, `allOrNone: true`), each
 * subrequest an sObject Rows PATCH guarded by its own If-Unmodified-Since.
 *
 * Why Composite and not sObject Collections (`PATCH /composite/sobjects`, 200 records): a
 * collection update carries no per-record precondition — the conditional request headers
 * apply to sObject Rows (developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/intro_rest_conditional_requests.htm)
 * — so a write landing between our read and our update would be overwritten, lost. A
 * Composite subrequest may carry any header its resource supports (`httpHeaders`,
 * .../requests_composite.htm), and with allOrNone one 412 rolls the whole request back
 * (the others answer PROCESSING_HALTED). Its limit is 25 subrequests: more records go in
 * chunks of 25, each all-or-none (jsforce-record-swap.ts explains the one-second HTTP date
 * and the retry with the date rounded up, done here per record too).
 *
 * Two fields of one record go in one PATCH: a second subrequest on the record would meet
 * the first one's new LastModifiedDate and fail its own precondition.
 */
import type { Connection } from 'jsforce';
import { z } from 'zod';
import { RotationError } from '../domain/errors';
import type { ReferenceChange } from '../domain/reference';
import { isoDate } from './certificate-content';
import { queryRows, type OrgSession } from './jsforce-session';
import { soqlString } from './names-and-escaping';
import { parseWire, stringField } from './wire-records';
import { NO_BARRIER, type BarrierTicket } from './write-barrier';

/** Subrequests per Composite request (developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html). */
export const COMPOSITE_LIMIT = 25;
const SOQL_IN_BATCH = 100;
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const ATTEMPTS = 3;

/** What became of one change: applied (or already at the new value), or what the record holds (null: gone). */
export type RecordOutcome = { readonly applied: true } | { readonly applied: false; readonly actual: string | null };

interface ReadRecord {
  readonly values: ReadonlyMap<string, string | null>;
  readonly lastModified: string | null;
}

/** One record's PATCH: its changes (by index into the caller's list) and the state they were compared with. */
interface RecordWrite {
  readonly key: string;
  readonly object: string;
  readonly recordId: string;
  readonly changes: readonly number[];
  readonly read: ReadRecord;
}

const compositeAnswerSchema = z.object({
  compositeResponse: z.array(z.object({ body: z.unknown(), httpStatusCode: z.number().int(), referenceId: z.string() }).loose()),
});

const recordKey = (object: string, id: string) => `${object.toLowerCase()}#${id.slice(0, 15)}`;

/**
 * Switches `changes` (custom settings and objects only; writability checked by the caller).
 * `done` hears each chunk's outcomes as soon as Salesforce answered it. Returns one outcome
 * per change, in order. A write Salesforce refuses for another reason than the precondition
 * (a validation rule, a too-long value) throws, naming the record: nothing of that chunk
 * was switched.
 */
export async function swapRecordFieldsAtOnce(
  session: OrgSession,
  changes: readonly ReferenceChange[],
  done?: (outcomes: ReadonlyMap<number, RecordOutcome>) => void,
  barrier: BarrierTicket = NO_BARRIER,
): Promise<RecordOutcome[]> {
  for (const change of changes) if (!RECORD_ID.test(change.recordId)) throw new RotationError('INVALID_INPUT', `"${change.recordId}" is not a Salesforce record Id`);
  return session.call(`switching ${changes.length} record reference(s) in one all-or-none request`, async (conn) => {
    const outcomes = new Map<number, RecordOutcome>();
    const settle = (found: Map<number, RecordOutcome>) => {
      for (const [i, o] of found) outcomes.set(i, o);
      if (found.size > 0) done?.(found);
    };
    const writes = judge(changes, [...changes.keys()], await readRecords(conn, changes, [...changes.keys()]), settle);
    // every record read and compared: wait for the switch instant (write-barrier.ts)
    if (writes.length > 0) await barrier.arrive();
    else barrier.leave();
    for (let start = 0; start < writes.length; start += COMPOSITE_LIMIT) {
      await writeChunk(conn, changes, writes.slice(start, start + COMPOSITE_LIMIT), settle);
    }
    return changes.map((_, i) => outcomes.get(i) ?? { applied: false, actual: null });
  });
}

/** Outcomes for what needs no write; the rest grouped by record. */
function judge(changes: readonly ReferenceChange[], indexes: readonly number[], read: ReadonlyMap<string, ReadRecord>, settle: (found: Map<number, RecordOutcome>) => void): RecordWrite[] {
  const found = new Map<number, RecordOutcome>();
  const writes = new Map<string, { object: string; recordId: string; changes: number[]; read: ReadRecord }>();
  for (const i of indexes) {
    const change = changes[i]!;
    const key = recordKey(change.object, change.recordId);
    const record = read.get(key);
    if (!record) {
      found.set(i, { applied: false, actual: null });
      continue;
    }
    const value = record.values.get(change.field.toLowerCase()) ?? null;
    if (value === change.value && change.value !== change.expected) found.set(i, { applied: true });
    else if (value !== change.expected) found.set(i, { applied: false, actual: value });
    else {
      const write = writes.get(key) ?? { object: change.object, recordId: change.recordId, changes: [], read: record };
      write.changes.push(i);
      writes.set(key, write);
    }
  }
  settle(found);
  return [...writes].map(([key, w]) => ({ key, ...w }));
}

/** One chunk, all-or-none; after a refused precondition re-read, re-judge and try again. */
async function writeChunk(conn: Connection, changes: readonly ReferenceChange[], chunk: RecordWrite[], settle: (found: Map<number, RecordOutcome>) => void): Promise<void> {
  const roundUp = new Set<string>();
  let pending = chunk;
  for (let attempt = 0; attempt < ATTEMPTS && pending.length > 0; attempt += 1) {
    const answers = await postComposite(conn, changes, pending, roundUp);
    const failed = answers.filter((a) => a.status < 200 || a.status >= 300);
    if (failed.length === 0) {
      settle(new Map(pending.flatMap((w) => w.changes.map((i): [number, RecordOutcome] => [i, { applied: true }]))));
      return;
    }
    const refused = failed.find((a) => a.status !== 412 && a.code !== 'PROCESSING_HALTED');
    if (refused) {
      const write = pending[refused.index]!;
      const fields = write.changes.map((i) => changes[i]!.field).join(', ');
      throw new RotationError(
        'SALESFORCE_ERROR',
        `Salesforce refused to switch ${write.object}.${fields} on ${write.recordId} (${refused.code ?? `HTTP ${refused.status}`}: ${refused.message ?? 'no message'}); ` +
          `the request was all-or-none, so none of its ${pending.length} record(s) was switched.`,
        { retryable: false, details: { object: write.object, recordId: write.recordId, field: fields, salesforceCode: refused.code ?? `HTTP_${refused.status}` } },
      );
    }
    // a precondition failed: everything was rolled back; read again what is left
    const preconditionFailed = new Set(failed.filter((a) => a.status === 412).map((a) => pending[a.index]!.key));
    const indexes = pending.flatMap((w) => w.changes);
    const fresh = await readRecords(conn, changes, indexes);
    const next: RecordWrite[] = [];
    const conflicts = new Map<number, RecordOutcome>();
    for (const write of judge(changes, indexes, fresh, settle)) {
      const previous = pending.find((p) => p.key === write.key);
      const untouched = previous !== undefined && previous.read.lastModified === write.read.lastModified;
      const modified = write.read.lastModified === null ? null : Date.parse(write.read.lastModified);
      if (preconditionFailed.has(write.key) && untouched) {
        // refused although unchanged: Salesforce compares milliseconds; once, with the date rounded up
        if (modified === null || modified % 1000 === 0 || roundUp.has(write.key)) {
          for (const i of write.changes) conflicts.set(i, { applied: false, actual: write.read.values.get(changes[i]!.field.toLowerCase()) ?? null });
          continue;
        }
        roundUp.add(write.key);
      }
      next.push(write);
    }
    settle(conflicts);
    pending = next;
  }
  if (pending.length > 0) {
    const last = await readRecords(conn, changes, pending.flatMap((w) => w.changes));
    settle(new Map(pending.flatMap((w) => w.changes.map((i): [number, RecordOutcome] => [i, { applied: false, actual: last.get(w.key)?.values.get(changes[i]!.field.toLowerCase()) ?? null }]))));
  }
}

interface SubAnswer {
  readonly index: number;
  readonly status: number;
  readonly code: string | undefined;
  readonly message: string | undefined;
}

async function postComposite(conn: Connection, changes: readonly ReferenceChange[], writes: readonly RecordWrite[], roundUp: ReadonlySet<string>): Promise<SubAnswer[]> {
  const version = conn.version;
  const compositeRequest = writes.map((w, i) => {
    const since = isoDate(w.read.lastModified);
    const modified = since === null ? null : Date.parse(since);
    const at = modified === null ? null : roundUp.has(w.key) ? Math.ceil(modified / 1000) * 1000 : modified;
    return {
      method: 'PATCH',
      url: `/services/data/v${version}/sobjects/${w.object}/${w.recordId}`,
      referenceId: `r${i}`,
      body: Object.fromEntries(w.changes.map((c) => [changes[c]!.field, changes[c]!.value])),
      ...(at !== null ? { httpHeaders: { 'If-Unmodified-Since': new Date(at).toUTCString() } } : {}),
    };
  });
  const raw = await conn.request({
    method: 'POST',
    url: `${conn._baseUrl()}/composite`,
    body: JSON.stringify({ allOrNone: true, compositeRequest }),
    headers: { 'Content-Type': 'application/json' },
  });
  const answer = parseWire(compositeAnswerSchema, raw, 'the Composite request');
  return writes.map((_, i) => {
    const sub = answer.compositeResponse.find((r) => r.referenceId === `r${i}`);
    if (!sub) throw new RotationError('SALESFORCE_ERROR', `Salesforce answered the Composite request without subrequest r${i}; check the API version and any proxy in between.`);
    // an error body is a list of { errorCode, message }; a 412 may come without one
    const first: unknown = Array.isArray(sub.body) ? sub.body[0] : undefined;
    const error = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
    return {
      index: i,
      status: sub.httpStatusCode,
      code: typeof error.errorCode === 'string' ? error.errorCode : undefined,
      message: typeof error.message === 'string' ? error.message : undefined,
    };
  });
}

/** The changed fields and LastModifiedDate of the records `indexes` name: one query per object (per 100 Ids). */
async function readRecords(conn: Connection, changes: readonly ReferenceChange[], indexes: readonly number[]): Promise<Map<string, ReadRecord>> {
  const byObject = new Map<string, { object: string; fields: Set<string>; ids: Set<string> }>();
  for (const i of indexes) {
    const change = changes[i]!;
    const entry = byObject.get(change.object.toLowerCase()) ?? { object: change.object, fields: new Set<string>(), ids: new Set<string>() };
    entry.fields.add(change.field);
    entry.ids.add(change.recordId);
    byObject.set(change.object.toLowerCase(), entry);
  }
  const read = new Map<string, ReadRecord>();
  const queries = [...byObject.values()].flatMap(({ object, fields, ids }) => {
    const all = [...ids];
    const batches: string[][] = [];
    for (let start = 0; start < all.length; start += SOQL_IN_BATCH) batches.push(all.slice(start, start + SOQL_IN_BATCH));
    return batches.map(async (batch) => {
      const soql = `SELECT Id, ${[...fields].join(', ')}, LastModifiedDate FROM ${object} WHERE Id IN (${batch.map(soqlString).join(', ')})`;
      for (const row of await queryRows(conn, soql)) {
        const id = stringField(row, 'Id');
        if (id === null) continue;
        const values = new Map([...fields].map((f) => [f.toLowerCase(), stringField(row, f)]));
        read.set(recordKey(object, id), { values, lastModified: stringField(row, 'LastModifiedDate') });
      }
    });
  });
  await Promise.all(queries);
  return read;
}
