/**
 * Places that name a certificate but that certrot cannot switch through an API: Apex code
 * (changed only by a deployment), custom settings a managed package protects (not readable
 * or writable by API), fields that are not writable (formula, read-only), and legacy named
 * credentials holding a secret (a Metadata update would clear it). They are
 * found at backing-up, before anything changes: a rotation refuses with each one named and
 * what to do, unless the request acknowledges them — then each becomes a manual step and
 * clean-up keeps the old certificate until an operator confirms they were done.
 * Plain data, workflow-safe.
 */

export type UnswitchableKind = 'apex-class' | 'apex-trigger' | 'protected-setting' | 'unreadable-object' | 'read-only-field' | 'named-credential';

export interface UnswitchableReference {
  readonly kind: UnswitchableKind;
  /** ApexClass/ApexTrigger name, the object's API name, or the named credential's fullName. */
  readonly name: string;
  /** The field's API name (read-only fields), the named credential's place (`certificate`, ...), else null. */
  readonly field: string | null;
  /** 1-based line in the Apex body, else null. */
  readonly line: number | null;
  /** What was seen there, for people (an Apex line, trimmed to 200 characters; why a setting is unreadable). */
  readonly detail: string;
}

/** `ApexClass Contoso_Callout line 12`, `csam__Options__c (protected setting)`, `Obj__c.Field__c (read-only field)`. */
export function describeUnswitchable(u: UnswitchableReference): string {
  switch (u.kind) {
    case 'apex-class':
      return `ApexClass ${u.name}${u.line !== null ? ` line ${u.line}` : ''}`;
    case 'apex-trigger':
      return `ApexTrigger ${u.name}${u.line !== null ? ` line ${u.line}` : ''}`;
    case 'protected-setting':
      return `${u.name} (protected custom setting)`;
    case 'unreadable-object':
      return `${u.name} (not readable by the integration user)`;
    case 'read-only-field':
      return `${u.name}.${u.field ?? ''} (read-only field)`;
    case 'named-credential':
      return `NamedCredential ${u.name} (${u.field ?? 'certificate'})`;
  }
}

/** What a person must do for one of them, naming the new certificate. */
export function fixFor(u: UnswitchableReference, oldName: string, newName: string): string {
  switch (u.kind) {
    case 'apex-class':
    case 'apex-trigger':
      return `change ${describeUnswitchable(u)} from '${oldName}' to '${newName}' and deploy it (Apex cannot be edited in production without a deployment)`;
    case 'protected-setting':
      return `have the managed package's own setup switch ${u.name} from ${oldName} to ${newName} (a protected setting cannot be read or written by API)`;
    case 'unreadable-object':
      return `check ${u.name} for ${oldName} and switch it to ${newName} by hand, or grant the integration user read access so certrot can`;
    case 'read-only-field':
      return `switch ${describeUnswitchable(u)} from ${oldName} to ${newName} where its value comes from (a formula or a read-only field cannot be written)`;
    case 'named-credential':
      return `switch ${describeUnswitchable(u)} from ${oldName} to ${newName} by hand in Setup > Named Credentials (certrot cannot update it without clearing its secret)`;
  }
}

/**
 * The key a request acknowledges a place with: `apex-class:Contoso_Callout`,
 * `protected-setting:csam__Options__c`, `read-only-field:Obj__c.Field__c`. Line numbers are
 * not part of it (they move with every edit); names compare case-insensitively, as
 * Salesforce compares API names.
 */
export function acknowledgementKey(u: UnswitchableReference): string {
  return `${u.kind}:${u.name}${u.field !== null ? `.${u.field}` : ''}`;
}

/** The places not acknowledged by `acknowledged` (keys compared case-insensitively). */
export function unacknowledged(found: readonly UnswitchableReference[], acknowledged: readonly string[]): UnswitchableReference[] {
  const keys = new Set(acknowledged.map((k) => k.trim().toLowerCase()));
  return found.filter((u) => !keys.has(acknowledgementKey(u).toLowerCase()));
}

/** At most this many places are spelled out in a refusal; the rest are counted. */
const LIST_AT_MOST = 20;

/**
 * Why the rotation refuses at backing-up, or null when every place is acknowledged. Names
 * each place and its fix, and the exact `references.acknowledge` that would let it go on.
 */
export function unswitchableProblem(found: readonly UnswitchableReference[], acknowledged: readonly string[], oldName: string): string | null {
  const open = unacknowledged(found, acknowledged);
  if (open.length === 0) return null;
  const listed = open.slice(0, LIST_AT_MOST).map((u) => `${describeUnswitchable(u)}: ${u.detail}`);
  const more = open.length > LIST_AT_MOST ? `; and ${open.length - LIST_AT_MOST} more` : '';
  const keys = [...new Set(found.map(acknowledgementKey))];
  return (
    `UNSWITCHABLE_REFERENCES: ${open.length} place(s) name ${oldName} where certrot cannot switch it through an API: ${listed.join('; ')}${more}. ` +
    'Nothing was changed. Switch them in a deployment of your own, or start the rotation again acknowledging them ' +
    `(references.acknowledge: ${JSON.stringify(keys)}; CLI: ${keys.map((k) => `--acknowledge ${k}`).join(' ')}) — each becomes a manual step, ` +
    'and clean-up keeps the old certificate until you confirm they were done (certrot confirm-manual-steps)'
  );
}

/**
 * The references an API update can switch: those in read-only fields (formula, not
 * updateable) and in named credentials certrot cannot update without clearing a secret
 * are left out — they are reported among the unswitchable places instead.
 */
export function switchableReferences<R extends { object: string; field: string; recordId: string }>(references: readonly R[], unswitchable: readonly UnswitchableReference[]): R[] {
  const readOnly = new Set(unswitchable.filter((u) => u.kind === 'read-only-field').map((u) => `${u.name}.${u.field ?? ''}`.toLowerCase()));
  const credentials = new Set(unswitchable.filter((u) => u.kind === 'named-credential').map((u) => `${u.name}#${u.field ?? ''}`.toLowerCase()));
  return references.filter((r) => {
    if (r.object === 'NamedCredential') return !credentials.has(`${r.recordId}#${r.field}`.toLowerCase());
    return !readOnly.has(`${r.object}.${r.field}`.toLowerCase());
  });
}
