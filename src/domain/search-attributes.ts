/**
 * The custom search attributes certrot keeps current on every rotation, so operators can
 * filter rotations in the Temporal UI (`CertificateName = "Vendor_Signing"`). The dev server
 * registers them at start; a production namespace needs them created once (see README).
 *
 * Workflow-safe: @temporalio/common is the same module the workflow SDK re-exports.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTE_KEYS = {
  CertificateName: defineSearchAttributeKey('CertificateName', SearchAttributeType.KEYWORD),
  OrgAlias: defineSearchAttributeKey('OrgAlias', SearchAttributeType.KEYWORD),
  RotationPhase: defineSearchAttributeKey('RotationPhase', SearchAttributeType.KEYWORD),
  /** completed, completed-with-manual-steps, rolled-back or failed, once the rotation ends. */
  RotationOutcome: defineSearchAttributeKey('RotationOutcome', SearchAttributeType.KEYWORD),
  CertificateExpiry: defineSearchAttributeKey('CertificateExpiry', SearchAttributeType.DATETIME),
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTE_KEYS;

export const SEARCH_ATTRIBUTES = Object.values(SEARCH_ATTRIBUTE_KEYS);

/** The spelling the Temporal CLI expects in `--search-attribute NAME=Type`. */
export function cliSearchAttributeType(type: SearchAttributeType): string {
  switch (type) {
    case SearchAttributeType.KEYWORD:
      return 'Keyword';
    case SearchAttributeType.DATETIME:
      return 'Datetime';
    case SearchAttributeType.TEXT:
      return 'Text';
    case SearchAttributeType.INT:
      return 'Int';
    case SearchAttributeType.DOUBLE:
      return 'Double';
    case SearchAttributeType.BOOL:
      return 'Bool';
    case SearchAttributeType.KEYWORD_LIST:
      return 'KeywordList';
  }
}
