/**
 * Values that end up inside SOQL or Apex source are either validated against a strict
 * shape (Unique Names, API names) or escaped as string literals — never pasted raw.
 */

const MAX_UNIQUE_NAME_LENGTH = 80;

/**
 * Why `value` is not a valid Salesforce developer name (Unique Name), or null when it is.
 * Rules: letters, digits and underscores; starts with a letter; no double or trailing
 * underscore; at most 80 characters.
 */
export function uniqueNameProblem(value: string): string | null {
  if (value.length === 0) return 'it is empty';
  if (value.length > MAX_UNIQUE_NAME_LENGTH) return `it is longer than ${MAX_UNIQUE_NAME_LENGTH} characters`;
  if (!/^[A-Za-z]/.test(value)) return 'it must start with a letter';
  if (!/^[A-Za-z0-9_]+$/.test(value)) return 'it may contain only letters, digits and underscores';
  if (value.includes('__')) return 'it must not contain two underscores in a row';
  if (value.endsWith('_')) return 'it must not end with an underscore';
  return null;
}

export function isValidUniqueName(value: string): boolean {
  return uniqueNameProblem(value) === null;
}

/**
 * Object and field API names (`csam__AsyncMessOptions__c`, `Name`): namespaces and the
 * `__c` suffix bring double underscores, so these follow their own, looser shape.
 */
export function isValidApiName(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]{0,79}$/.test(value) && !value.endsWith('_');
}

/** Escapes a value for a single-quoted SOQL string literal. */
export function soqlString(value: string): string {
  return `'${escapeQuoted(value)}'`;
}

/** Escapes a value for a single-quoted Apex string literal. */
export function apexString(value: string): string {
  return `'${escapeQuoted(value)}'`;
}

/** SOQL and Apex share the backslash escapes for quoted strings. */
function escapeQuoted(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/"/g, '\\"');
}
