/**
 * The tables a fixture describes, and back: the standard Organization, Profile and User
 * tables, custom settings (hierarchy or list) and custom objects with their system fields
 * and records, and Custom Metadata Types (custom-metadata-records.ts) — and the same
 * tables written back as the fixture's `customSettings`, `customObjects` and
 * `customMetadataTypes`.
 */
import { customMetadataTable } from './custom-metadata-records';
import type { SandboxFixture } from './fixture-schema';
import { newId } from './org-ids';
import type { OrgState } from './org-state';
import { customField, isCustomMetadataTable, standardField, type FieldDef, type FieldValue, type Table, type TableAccess } from './org-tables';

const SYSTEM_FIELDS = (setting: boolean, hierarchy: boolean): FieldDef[] =>
  [
    { name: 'Id', label: 'Record ID', type: 'id', length: 18, updateable: false },
    { name: 'Name', label: 'Name', type: 'string', length: 80, updateable: !hierarchy },
    ...(setting && hierarchy ? [{ name: 'SetupOwnerId', label: 'Location', type: 'reference', length: 18, updateable: false }] : []),
    { name: 'CreatedDate', label: 'Created Date', type: 'datetime', length: 0, updateable: false },
    { name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', length: 0, updateable: false },
    { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', length: 0, updateable: false },
  ].map(standardField);

function customTable(
  def: { apiName: string; label: string; access: TableAccess; fields: Parameters<typeof customField>[0][] },
  keyPrefix: string,
  setting: 'hierarchy' | 'list' | null,
): Table {
  return {
    name: def.apiName,
    label: def.label,
    keyPrefix,
    custom: true,
    customSetting: setting !== null,
    settingType: setting,
    access: def.access,
    fields: [...SYSTEM_FIELDS(setting !== null, setting === 'hierarchy'), ...def.fields.map(customField)],
    rows: [],
  };
}

/** Organization, Profile and User, from the state's org, profiles and users. */
export function standardTables(state: Pick<OrgState, 'orgId' | 'orgName' | 'profiles' | 'users'>): Table[] {
  return [
    {
      name: 'Organization',
      label: 'Organization',
      keyPrefix: '00D',
      custom: false,
      customSetting: false,
      settingType: null,
      access: 'readable',
      fields: [
        standardField({ name: 'Id', label: 'Organization ID', type: 'id', length: 18, updateable: false }),
        standardField({ name: 'Name', label: 'Name', type: 'string', length: 80, updateable: false }),
      ],
      rows: [{ Id: state.orgId, Name: state.orgName }],
    },
    {
      name: 'Profile',
      label: 'Profile',
      keyPrefix: '00e',
      custom: false,
      customSetting: false,
      settingType: null,
      access: 'readable',
      fields: [
        standardField({ name: 'Id', label: 'Profile ID', type: 'id', length: 18, updateable: false }),
        standardField({ name: 'Name', label: 'Name', type: 'string', length: 255, updateable: false }),
      ],
      rows: state.profiles.map((p) => ({ Id: p.id, Name: p.name })),
    },
    {
      name: 'User',
      label: 'User',
      keyPrefix: '005',
      custom: false,
      customSetting: false,
      settingType: null,
      access: 'readable',
      fields: [
        standardField({ name: 'Id', label: 'User ID', type: 'id', length: 18, updateable: false }),
        standardField({ name: 'Username', label: 'Username', type: 'string', length: 80, updateable: false }),
        standardField({ name: 'Name', label: 'Full Name', type: 'string', length: 121, updateable: false }),
        standardField({ name: 'ProfileId', label: 'Profile ID', type: 'reference', length: 18, updateable: false }),
        standardField({ name: 'IsActive', label: 'Active', type: 'boolean', length: 0, updateable: false }),
      ],
      rows: state.users.map((u) => ({ Id: u.id, Username: u.username, Name: u.name, ProfileId: u.profileId, IsActive: u.active })),
    },
  ];
}

/** The fixture's custom settings (key prefixes a0A, a0B, ...); records without an id get one. */
export function customSettingTables(state: Pick<OrgState, 'nextId'>, settings: SandboxFixture['customSettings'], now: string): Table[] {
  return settings.map((setting, i) => {
    const table = customTable(setting, `a0${String.fromCharCode(65 + (i % 26))}`, setting.settingType);
    for (const record of setting.records) {
      const modified = record.lastModifiedDate ?? now;
      table.rows.push({
        Id: record.id ?? newId(state, table.keyPrefix),
        Name: record.name ?? (setting.settingType === 'hierarchy' ? `${setting.label} (${record.setupOwnerId ?? ''})` : ''),
        ...(setting.settingType === 'hierarchy' ? { SetupOwnerId: record.setupOwnerId ?? null } : {}),
        CreatedDate: modified,
        LastModifiedDate: modified,
        SystemModstamp: modified,
        ...record.values,
      });
    }
    return table;
  });
}

/** The fixture's custom objects (key prefixes a1A, a1B, ...); records without an id get one. */
export function customObjectTables(state: Pick<OrgState, 'nextId'>, objects: SandboxFixture['customObjects'], now: string): Table[] {
  return objects.map((object, i) => {
    const table = customTable(object, `a1${String.fromCharCode(65 + (i % 26))}`, null);
    for (const record of object.records) {
      const modified = record.lastModifiedDate ?? now;
      table.rows.push({
        Id: record.id ?? newId(state, table.keyPrefix),
        Name: record.name,
        CreatedDate: modified,
        LastModifiedDate: modified,
        SystemModstamp: modified,
        ...record.values,
      });
    }
    return table;
  });
}

/** The fixture's Custom Metadata Types (key prefixes m0A, m0B, ...). */
export function customMetadataTypeTables(state: Pick<OrgState, 'nextId'>, types: SandboxFixture['customMetadataTypes']): Table[] {
  return types.map((type, i) => customMetadataTable(state, type, `m0${String.fromCharCode(65 + (i % 26))}`));
}

/** The custom tables as the fixture's `customSettings`, `customObjects` and `customMetadataTypes`, in that order. */
export function customTablesToFixture(tables: Table[]) {
  const customRows = (table: Table) =>
    table.rows.map((row) => {
      const values: Record<string, FieldValue> = {};
      for (const field of table.fields) if (field.custom && row[field.name] !== undefined) values[field.name] = row[field.name] ?? null;
      return { id: row.Id, lastModifiedDate: row.LastModifiedDate, values, row };
    });
  const customFields = (table: Table) =>
    table.fields
      .filter((f) => f.custom)
      .map((f) => ({ name: f.name, label: f.label, type: f.type, length: f.length, ...(f.calculated ? { calculated: true } : !f.updateable && !isCustomMetadataTable(table) ? { updateable: false } : {}) }));
  const access = (table: Table) => (table.access === 'readable' ? {} : { access: table.access });
  return {
    customSettings: tables
      .filter((t) => t.customSetting)
      .map((t) => ({
        apiName: t.name,
        label: t.label,
        settingType: t.settingType ?? 'hierarchy',
        ...access(t),
        fields: customFields(t),
        records: customRows(t).map(({ id, lastModifiedDate, values, row }) => ({
          id,
          ...(t.settingType === 'hierarchy' ? { setupOwnerId: row.SetupOwnerId } : { name: row.Name }),
          lastModifiedDate,
          values,
        })),
      })),
    customObjects: tables
      .filter((t) => t.custom && !t.customSetting && !isCustomMetadataTable(t))
      .map((t) => ({
        apiName: t.name,
        label: t.label,
        ...access(t),
        fields: customFields(t),
        records: customRows(t).map(({ id, lastModifiedDate, values, row }) => ({ id, name: row.Name, lastModifiedDate, values })),
      })),
    customMetadataTypes: tables.filter(isCustomMetadataTable).map((t) => ({
      apiName: t.name,
      label: t.label,
      fields: customFields(t),
      records: customRows(t).map(({ values, row }) => ({ developerName: row.DeveloperName, label: row.MasterLabel, values })),
    })),
  };
}
