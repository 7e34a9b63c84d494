/**
 * Salesforce Unique Names (DeveloperName rules) and the default name of a renewed
 * certificate. Workflow-safe.
 */
import { RotationError } from './errors';

const UNIQUE_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;

export function uniqueNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 80) return `is ${name.length} characters long; the limit is 80`;
  if (!/^[A-Za-z]/.test(name)) return 'must start with a letter';
  if (name.endsWith('_')) return 'must not end with an underscore';
  if (name.includes('__')) return 'must not contain two underscores in a row';
  if (!UNIQUE_NAME.test(name)) return 'may contain only letters, digits and single underscores';
  return null;
}

export function assertUniqueName(name: string, field: string): void {
  const problem = uniqueNameProblem(name);
  if (problem) {
    throw new RotationError(
      'INVALID_INPUT',
      `${field}: "${name}" is not a Salesforce Unique Name: it ${problem}. ` +
        'Use the Unique Name shown in Setup > Certificate and Key Management, not the label.',
    );
  }
}

const DATE_SUFFIX = /_\d{4}_\d{2}_\d{2}$/;

/** `Vendor_Signing` on 2026-11-25 -> `Vendor_Signing_2026_11_25` (an old date suffix is replaced). */
export function deriveNewUniqueName(current: string, on: Date): string {
  const date = on.toISOString().slice(0, 10).replace(/-/g, '_');
  const base = current.replace(DATE_SUFFIX, '');
  const room = 80 - date.length - 1;
  return `${base.slice(0, room).replace(/_+$/, '')}_${date}`;
}

/** `Vendor Signing` on 2026-11-25 -> `Vendor Signing 2026-11-25` (<= 64 characters). */
export function deriveNewLabel(currentLabel: string, on: Date): string {
  const date = on.toISOString().slice(0, 10);
  const base = currentLabel.replace(/\s*\d{4}-\d{2}-\d{2}$/, '');
  return `${base.slice(0, 64 - date.length - 1)} ${date}`;
}

/**
 * The default Unique Name of the replacement: `deriveNewUniqueName`, but never the current
 * name itself (rotating `X_2026_12_01` on 2026-12-01 gives `X_2026_12_01_2`, not the
 * certificate being replaced). Names are compared case-insensitively, as Salesforce does.
 */
export function replacementUniqueName(current: string, on: Date): string {
  const derived = deriveNewUniqueName(current, on);
  if (derived.toLowerCase() !== current.toLowerCase()) return derived;
  if (derived.length + 2 <= 80) return `${derived}_2`;
  // At the 80-character limit, shorten the base, not the date: cutting the date could leave
  // `_2026_12__2`, which is no Unique Name (two underscores in a row).
  const date = derived.slice(-11);
  const base = derived.slice(0, -11).slice(0, 80 - date.length - 2).replace(/_+$/, '');
  return `${base}${date}_2`;
}
