/**
 * Tooling API `ApexClass` and `ApexTrigger` in the sandbox org, as a subscriber org shows
 * them: `Body` is a Long Text Area (not filterable), and the code of an installed managed
 * package (a NamespacePrefix) reads as `(hidden)`.
 */
import { standardField, type FieldDef, type OrgState, type Row, type SandboxApexCode } from './org-state';

const HIDDEN = '(hidden)';

const field = (name: string, type: string, length: number): FieldDef => standardField({ name, label: name, type, length, updateable: false });

const COMMON: FieldDef[] = [
  field('Id', 'id', 18),
  field('Name', 'string', 255),
  field('NamespacePrefix', 'string', 15),
  field('Status', 'picklist', 40),
  { ...field('Body', 'textarea', 1_000_000), filterable: false },
  field('LengthWithoutComments', 'int', 0),
];

export interface ToolingTable {
  table: { name: string; fields: FieldDef[] };
  rows: Row[];
}

function rowOf(code: SandboxApexCode): Row {
  const hidden = code.namespacePrefix !== null;
  return {
    Id: code.id,
    Name: code.name,
    NamespacePrefix: code.namespacePrefix,
    Status: code.status,
    Body: hidden ? HIDDEN : code.body,
    LengthWithoutComments: hidden ? -1 : code.body.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '').length,
  };
}

/** The Tooling table for `object` (ApexClass, ApexTrigger), or null for another object. */
export function toolingApexTable(state: OrgState, object: string): ToolingTable | null {
  switch (object.toLowerCase()) {
    case 'apexclass':
      return { table: { name: 'ApexClass', fields: COMMON }, rows: state.apexClasses.map(rowOf) };
    case 'apextrigger':
      return {
        table: { name: 'ApexTrigger', fields: [...COMMON, field('TableEnumOrId', 'string', 40)] },
        rows: state.apexTriggers.map((t) => ({ ...rowOf(t), TableEnumOrId: t.object })),
      };
    default:
      return null;
  }
}
