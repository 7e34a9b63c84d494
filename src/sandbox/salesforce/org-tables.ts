/**
 * The sandbox org's tables: custom settings, custom objects, Custom Metadata Types,
 * profiles and users are all rows keyed by their canonical field names, so SOQL, describe
 * and PATCH work on them the same way. Here: what a table and a field are, how a field is
 * described, and how a table is found.
 */
import type { OrgState } from './org-state';

export type FieldValue = string | number | boolean | null;
export type Row = Record<string, FieldValue>;

export interface FieldDef {
  name: string;
  label: string;
  /** describe's field type: id, reference, string, textarea, boolean, double, datetime. */
  type: string;
  length: number;
  custom: boolean;
  updateable: boolean;
  /** May appear in a SOQL WHERE (a Long Text Area may not). */
  filterable: boolean;
  /** A formula: never updateable. */
  calculated: boolean;
}

/** What the integration user may do with an object (fixture `access`, FIXTURE.md). */
export type TableAccess = 'readable' | 'hidden' | 'refuses-describe' | 'refuses-query';

export interface Table {
  name: string;
  label: string;
  keyPrefix: string;
  custom: boolean;
  customSetting: boolean;
  settingType: 'hierarchy' | 'list' | null;
  access: TableAccess;
  fields: FieldDef[];
  rows: Row[];
}

/** A standard field: filterable, not a formula. */
export function standardField(f: Omit<FieldDef, 'filterable' | 'calculated' | 'custom'>): FieldDef {
  return { ...f, custom: false, filterable: true, calculated: false };
}

/** A fixture's custom field as describe shows it: a Long Text Area is not filterable, a formula not updateable. */
export function customField(f: { name: string; label?: string | undefined; type: string; length: number; calculated?: boolean; updateable?: boolean }): FieldDef {
  const calculated = f.calculated ?? false;
  return {
    name: f.name,
    label: f.label ?? f.name,
    type: f.type,
    length: f.length,
    custom: true,
    updateable: (f.updateable ?? true) && !calculated,
    filterable: !(f.type === 'textarea' && f.length > 255),
    calculated,
  };
}

export function isCustomMetadataTable(table: Pick<Table, 'name'>): boolean {
  return /__mdt$/i.test(table.name);
}

export function findTable(state: OrgState, name: string): Table | undefined {
  const wanted = name.toLowerCase();
  return state.tables.find((t) => t.name.toLowerCase() === wanted);
}
