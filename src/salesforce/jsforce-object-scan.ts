/**
 * Reads every text field of the objects where certificate names are usually kept — every
 * custom setting and Custom Metadata Type that describeGlobal lists, plus the configured
 * objects — and says which values each field holds, whether it can be written, and which
 * objects could not be read at all. Discovery (new targets) and the search for unswitchable
 * references both start from this one scan.
 *
 * An object the integration user cannot describe or query (a managed package's protected
 * setting, an object without read access) is listed as unreadable, never an error: a
 * rotation must name it, not crash on it. A protected setting that describeGlobal does not
 * even list cannot be found by any API; only a configured target can name it.
 */
import type { ReferenceTargetKind } from '../domain/reference';
import { isCertificateField } from './certificate-fields';
import { queryRows, type OrgSession } from './jsforce-session';
import { SchemaCache, isCustomMetadataObject, notReadableCode, notWritableReason, textFields, type FieldFacts, type ObjectFacts, type Unreadable } from './jsforce-schema';
import { soqlString } from './names-and-escaping';
import { describeGlobalSchema, parseWire, stringField } from './wire-records';

/** Rows read per object when a whole object is scanned (custom settings and metadata types are small). */
export const MAX_SCANNED_ROWS = 50_000;

export interface ObjectToScan {
  readonly name: string;
  /** Listed by describeGlobal as a custom setting (null: not listed there at all). */
  readonly customSetting: boolean | null;
}

export interface ScannedField {
  readonly object: string;
  readonly field: string;
  readonly kind: ReferenceTargetKind;
  /** Why no API update can write the field, or null. */
  readonly notWritable: string | null;
  /** Its API name or label says it holds a certificate name (certificate-fields.ts): every value is a reference. */
  readonly certificateField: boolean;
  /** Distinct non-empty values the field holds, as stored. */
  readonly values: readonly string[];
}

export interface UnreadableObject extends Unreadable {
  readonly customSetting: boolean | null;
}

export interface ScanResult {
  readonly fields: ScannedField[];
  readonly unreadable: UnreadableObject[];
}

/** Every custom setting and Custom Metadata Type describeGlobal lists, then the configured objects. */
export async function objectsToScan(session: OrgSession, configured: readonly string[]): Promise<ObjectToScan[]> {
  const global = parseWire(describeGlobalSchema, await session.call('listing objects', (conn) => conn.describeGlobal()), 'describeGlobal');
  const listed = new Map(global.sobjects.map((s) => [s.name.toLowerCase(), s]));
  const objects = new Map<string, ObjectToScan>();
  for (const s of global.sobjects) {
    if (s.customSetting === true || isCustomMetadataObject(s.name)) objects.set(s.name.toLowerCase(), { name: s.name, customSetting: s.customSetting === true });
  }
  for (const name of configured) {
    const entry = listed.get(name.toLowerCase());
    if (!objects.has(name.toLowerCase())) objects.set(name.toLowerCase(), { name: entry?.name ?? name, customSetting: entry ? entry.customSetting === true : null });
  }
  return [...objects.values()];
}

/**
 * `names` given (the Unique Name and label of the certificates wanted): only the rows whose
 * field holds one of them are read, one `WHERE field IN (...)` query per filterable text
 * field, so the cost follows the schema and not the number of rows; the fields that cannot
 * be filtered (a Long Text Area) are read whole, in one query, and matched by the caller as
 * before. The values of a field are then those of its own matching rows only. Salesforce
 * stores no leading or trailing whitespace in a text field ("sObject String field values
 * follow the same rules as in the SOAP API: they can never be empty (only null), and they
 * can never include leading and trailing whitespace", Apex Developer Guide, Primitive Data
 * Types: developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/langCon_apex_primitives.htm),
 * and SOQL compares text case-insensitively, so `IN` finds what a whole read matched.
 */
export async function scanObjects(session: OrgSession, schema: SchemaCache, objects: readonly ObjectToScan[], names?: readonly string[]): Promise<ScanResult> {
  const result: ScanResult = { fields: [], unreadable: [] };
  const wanted = names === undefined ? null : [...new Map(names.filter((n) => n.trim() !== '').map((n) => [n.trim().toLowerCase(), n.trim()])).values()];
  for (const object of objects) {
    const described = await schema.describe(object.name);
    if (!described.readable) {
      result.unreadable.push({ ...described, customSetting: object.customSetting });
      continue;
    }
    const fields = textFields(described);
    if (fields.length === 0) continue;
    let rowsOf: (field: FieldFacts) => readonly Record<string, unknown>[];
    try {
      rowsOf = await readRows(session, described, fields, wanted);
    } catch (err) {
      const code = notReadableCode(err);
      if (code === null) throw err;
      result.unreadable.push({ readable: false, object: described.name, code, reason: `the query answered ${code}`, customSetting: object.customSetting ?? described.customSetting });
      continue;
    }
    const kind: ReferenceTargetKind = described.customMetadata ? 'custom-metadata' : described.hierarchy ? 'hierarchy-setting' : 'custom-object';
    for (const field of fields) {
      const values = new Set<string>();
      for (const row of rowsOf(field)) {
        const value = stringField(row, field.name);
        if (value !== null && value.trim() !== '') values.add(value);
      }
      result.fields.push({
        object: described.name,
        field: field.name,
        kind,
        notWritable: notWritableReason(described, field),
        certificateField: isCertificateField(field.name, field.label),
        values: [...values].sort(),
      });
    }
  }
  return result;
}

/** The rows to look at for each field: all of them (no `names`), or those a filter can pick. */
async function readRows(
  session: OrgSession,
  object: ObjectFacts,
  fields: readonly FieldFacts[],
  names: readonly string[] | null,
): Promise<(field: FieldFacts) => readonly Record<string, unknown>[]> {
  const whole = names === null ? fields : fields.filter((f) => !f.filterable);
  // no WHERE: a Long Text Area cannot be filtered (and without `names` every value is wanted)
  const wholeRows =
    whole.length === 0
      ? []
      : await session.call(`reading ${object.name}`, (conn) => queryRows(conn, `SELECT Id, ${whole.map((f) => f.name).join(', ')} FROM ${object.name} LIMIT ${MAX_SCANNED_ROWS}`));
  if (names === null) return () => wholeRows;
  const filtered = new Map<string, Record<string, unknown>[]>();
  if (names.length > 0) {
    const inList = names.map(soqlString).join(', ');
    for (const field of fields.filter((f) => f.filterable)) {
      const soql = `SELECT Id, ${field.name} FROM ${object.name} WHERE ${field.name} IN (${inList}) LIMIT ${MAX_SCANNED_ROWS}`;
      filtered.set(field.name, await session.call(`searching ${object.name}.${field.name}`, (conn) => queryRows(conn, soql)));
    }
  }
  return (field) => (field.filterable ? (filtered.get(field.name) ?? []) : wholeRows);
}
