/**
 * The custom search attributes certrot keeps current on every rotation, so operators can
 * filter rotations in the Temporal UI (`CertificateName = "Vendor_Signing"`). The dev server
 * registers them at start; a production namespace needs them created once (see README).
 *
 * Workflow-safe: no Node APIs.
 */
export const SEARCH_ATTRIBUTES = [
  { name: 'CertificateName', type: 'KEYWORD' },
  { name: 'OrgAlias', type: 'KEYWORD' },
  { name: 'RotationPhase', type: 'KEYWORD' },
  { name: 'CertificateExpiry', type: 'DATETIME' },
] as const;

export type SearchAttributeName = (typeof SEARCH_ATTRIBUTES)[number]['name'];

/** The spelling the Temporal CLI expects in `--search-attribute NAME=Type`. */
export function cliSearchAttributeType(type: (typeof SEARCH_ATTRIBUTES)[number]['type']): string {
  return type === 'KEYWORD' ? 'Keyword' : 'Datetime';
}
