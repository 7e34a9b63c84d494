/**
 * References: the places in an org that name a certificate by its Unique Name. One
 * vocabulary for the workflow, the activities and the org port alike (the port's adapter
 * keeps its wire details, such as a hierarchy record's SetupOwnerId, to itself).
 * Plain data, workflow-safe.
 */

/**
 * How a target field is searched: hierarchy custom setting rows, records of a custom object,
 * or Custom Metadata Type records (`X__mdt`: read by SOQL, written only through the Metadata
 * API's `CustomMetadata` type).
 */
export type ReferenceTargetKind = 'hierarchy-setting' | 'custom-object' | 'custom-metadata';

/** A text field that may hold a certificate's Unique Name (configured, or discovered). */
export interface ReferenceTarget {
  /** API name of the custom setting or custom object, e.g. `csam__AsyncMessOptions__c`. */
  readonly object: string;
  /** API name of the text field, e.g. `csam__Certificate__c`. */
  readonly field: string;
  readonly kind: ReferenceTargetKind;
}

/**
 * Who a record applies to: a hierarchy setting's org default or override, a plain record, a
 * named credential, a Custom Metadata Type record.
 */
export type ReferenceScope = 'org-default' | 'profile' | 'user' | 'record' | 'named-credential' | 'metadata-record';

/** One record that names a certificate, as found. */
export interface Reference {
  /** Object API name; `NamedCredential` for named credentials. */
  readonly object: string;
  /**
   * Field API name. For a named credential, the place that names the certificate:
   * `certificate` (legacy model: the client certificate), `jwtSigningCertificate` (legacy
   * model, JWT protocols) or `namedCredentialParameters.ClientCertificate` (current model,
   * API 56+: the `ClientCertificate` parameter). One Reference per place.
   */
  readonly field: string;
  /** Record Id; the named credential's fullName for named credentials. */
  readonly recordId: string;
  readonly scope: ReferenceScope;
  /** Profile name, username, record Name or named credential label, for people to read. */
  readonly owner: string | null;
  /** The value the record holds (the Unique Name, or — a configuration error — the label). */
  readonly value: string;
  /** Whether the record names the certificate by its Unique Name or (wrongly) by its label. */
  readonly matchedBy: 'unique-name' | 'label';
}

/** Compare-and-set on one reference: applied only while the record still holds `expected`. */
export interface ReferenceChange {
  readonly object: string;
  readonly field: string;
  readonly recordId: string;
  readonly scope: ReferenceScope;
  readonly owner: string | null;
  readonly expected: string;
  readonly value: string;
}

/** A change that was not applied: the record held `actual` (null: record or field gone). */
export interface ReferenceConflict extends ReferenceChange {
  readonly actual: string | null;
}

/** How a reference reads after a rollback (status shows each one as it is now). */
export interface RestoredReference extends ReferenceChange {
  /** What the record holds now, read back after the restore (null: gone). */
  readonly now: string | null;
}

/** `Object.field on recordId (scope owner)`: one reference, for people and error messages. */
export function describeReference(r: { object: string; field: string; recordId: string; scope: ReferenceScope; owner: string | null }): string {
  return `${r.object}.${r.field} on ${r.recordId} (${r.scope}${r.owner ? ` ${r.owner}` : ''})`;
}

const SALESFORCE_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

/**
 * A record's identity: a Salesforce Id on its 15-character form (as Salesforce compares
 * them); a name (a named credential's or a metadata record's fullName) whole and, as
 * Salesforce compares developer names, case-insensitively.
 */
function recordKey(recordId: string): string {
  return SALESFORCE_ID.test(recordId) ? recordId.slice(0, 15) : recordId.toLowerCase();
}

/** Same record and field. */
export function sameReference(a: { object: string; field: string; recordId: string }, b: { object: string; field: string; recordId: string }): boolean {
  return referenceKey(a) === referenceKey(b);
}

export function referenceKey(r: { object: string; field: string; recordId: string }): string {
  return `${r.object.toLowerCase()}.${r.field.toLowerCase()}#${recordKey(r.recordId)}`;
}
