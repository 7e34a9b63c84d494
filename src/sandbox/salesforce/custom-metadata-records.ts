/**
 * Custom Metadata Types in the sandbox org. Their records are a table like any object, so
 * SOQL and describe see them (`Id, DeveloperName, MasterLabel, Label, QualifiedApiName,
 * NamespacePrefix` and the custom fields; describe says no field is updateable, and REST
 * refuses DML on them, as Salesforce does). They are read and written through the Metadata
 * API's `CustomMetadata` type: fullName `<Type without __mdt>.<DeveloperName>`, `label`,
 * `values[] {field, value}`. An update replaces the whole record — a field left out of
 * `values` is cleared — which is the trap the adapter must avoid.
 */
import { customField, isCustomMetadataTable, newId, standardField, type FieldDef, type FieldValue, type OrgState, type Row, type Table } from './org-state';
import { metadataError, type XmlElement, type XmlValue } from './replies';
import { recordSwitch, switchInstant } from './switch-log';

interface CustomMetadataTypeDef {
  apiName: string;
  label: string;
  fields: { name: string; label?: string | undefined; type: string; length: number; calculated?: boolean }[];
  records: { developerName: string; label: string; values: Record<string, FieldValue> }[];
}

const RECORD_FIELDS: FieldDef[] = [
  { name: 'Id', label: 'Custom Metadata Record ID', type: 'id', length: 18, updateable: false },
  { name: 'DeveloperName', label: 'Custom Metadata Record Name', type: 'string', length: 40, updateable: false },
  { name: 'MasterLabel', label: 'Label', type: 'string', length: 40, updateable: false },
  { name: 'Label', label: 'Label', type: 'string', length: 40, updateable: false },
  { name: 'QualifiedApiName', label: 'Qualified API Name', type: 'string', length: 70, updateable: false },
  { name: 'NamespacePrefix', label: 'Namespace Prefix', type: 'string', length: 15, updateable: false },
].map(standardField);

export function customMetadataTable(state: Pick<OrgState, 'nextId'>, def: CustomMetadataTypeDef, keyPrefix: string): Table {
  const fields = def.fields.map((f) => ({ ...customField(f), updateable: false }));
  return {
    name: def.apiName,
    label: def.label,
    keyPrefix,
    custom: true,
    customSetting: false,
    settingType: null,
    access: 'readable',
    fields: [...RECORD_FIELDS, ...fields],
    rows: def.records.map((r) => ({
      Id: newId(state, keyPrefix),
      DeveloperName: r.developerName,
      MasterLabel: r.label,
      Label: r.label,
      QualifiedApiName: r.developerName,
      NamespacePrefix: null,
      ...Object.fromEntries(fields.map((f) => [f.name, f.type === 'boolean' ? false : null])),
      ...r.values,
    })),
  };
}

/** The table and row of `Type.Record`, case-insensitively as Salesforce compares names. */
function recordOf(state: OrgState, fullName: string): { table: Table; row: Row } | null {
  const [type = '', record = '', ...rest] = fullName.split('.');
  if (rest.length > 0) return null;
  const table = state.tables.find((t) => isCustomMetadataTable(t) && t.name.replace(/__mdt$/i, '').toLowerCase() === type.toLowerCase());
  const row = table?.rows.find((r) => typeof r.QualifiedApiName === 'string' && r.QualifiedApiName.toLowerCase() === record.toLowerCase());
  return table && row ? { table, row } : null;
}

const XSD_TYPE: Readonly<Record<string, string>> = { boolean: 'xsd:boolean', double: 'xsd:double' };

/** readMetadata's record: every field, typed values, an empty one as xsi:nil. */
export function readCustomMetadata(state: OrgState, fullName: string): XmlValue {
  const found = recordOf(state, fullName);
  if (!found) return null;
  const { table, row } = found;
  const type = table.name.replace(/__mdt$/i, '');
  return {
    '@type': 'CustomMetadata',
    fullName: `${type}.${String(row.QualifiedApiName)}`,
    label: String(row.MasterLabel),
    protected: false,
    values: table.fields
      .filter((f) => f.custom && !f.calculated)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((f): XmlElement => {
        const value = row[f.name] ?? null;
        return { field: f.name, value: value === null ? null : { '@type': XSD_TYPE[f.type] ?? 'xsd:string', '#text': String(value) } };
      }),
  };
}

type Item = Record<string, unknown>;
type Text = (value: unknown) => string | undefined;

function saveFailed(fullName: string, statusCode: string, message: string, fields: string[] = []): XmlElement {
  return { errors: [metadataError(statusCode, message, fields)], fullName, success: false };
}

function list(value: unknown): Item[] {
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Item) : {}));
}

/** updateMetadata of one CustomMetadata: replaces label and every value (left out: cleared). */
export function updateCustomMetadata(state: OrgState, item: Item, text: Text): XmlElement {
  const fullName = text(item.fullName) ?? '';
  const found = recordOf(state, fullName);
  if (!found) return saveFailed(fullName, 'INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no CustomMetadata named ${fullName} found`, ['fullName']);
  const label = text(item.label);
  if (!label) return saveFailed(fullName, 'REQUIRED_FIELD_MISSING', 'Required field is missing: label', ['label']);
  const { table, row } = found;
  const updates: Row = {};
  for (const field of table.fields.filter((f) => f.custom && !f.calculated)) updates[field.name] = field.type === 'boolean' ? false : null;
  for (const entry of list(item.values)) {
    const name = text(entry.field) ?? '';
    const field = table.fields.find((f) => f.custom && f.name.toLowerCase() === name.toLowerCase());
    if (!field || field.calculated) return saveFailed(fullName, 'INVALID_FIELD', `No such field ${name} on ${table.name}`, ['values']);
    // a value may come typed (xsi:type) or not; xsi:nil (or nothing) empties it
    const raw = text(entry.value);
    if (raw === undefined || raw === '') continue;
    if (field.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', `${field.name}: ${raw} is not a boolean`, ['values']);
      updates[field.name] = raw === 'true';
    } else if (field.type === 'double') {
      if (Number.isNaN(Number(raw))) return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', `${field.name}: ${raw} is not a number`, ['values']);
      updates[field.name] = Number(raw);
    } else {
      if (raw.length > field.length) return saveFailed(fullName, 'STRING_TOO_LONG', `${field.label}: data value too large (max length=${field.length})`, ['values']);
      updates[field.name] = raw;
    }
  }
  const recordName = `${table.name.replace(/__mdt$/i, '')}.${String(row.QualifiedApiName)}`;
  const at = switchInstant(state);
  for (const [field, to] of Object.entries(updates)) recordSwitch(state, { at, object: table.name, recordId: recordName, fullName: recordName, field, from: row[field], to });
  Object.assign(row, updates, { MasterLabel: label, Label: label });
  return { fullName: recordName, success: true };
}
