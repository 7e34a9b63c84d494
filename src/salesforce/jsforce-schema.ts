/**
 * What describe says about the objects whose fields may name a certificate, read once per
 * operation: which fields may be filtered in a SOQL WHERE (a Long Text Area may not), which
 * can be written (a formula cannot; a field the integration user may only read cannot), and
 * which objects the integration user cannot see or read at all (a managed package's
 * protected custom setting, an object without read access).
 *
 *   const schema = new SchemaCache(session);
 *   const facts = await schema.describe('csam__AsyncMessOptions__c'); // ObjectFacts | Unreadable
 *
 * Custom Metadata Type records (`X__mdt`) are never written by DML, so describe reports
 * their fields not updateable; they are written through the Metadata API instead, and only
 * a formula among them counts as not writable.
 */
import { RotationError, isRotationError } from '../domain/errors';
import type { ReferenceChange } from '../domain/reference';
import type { OrgSession } from './jsforce-session';
import { describeSchema, parseWire } from './wire-records';

export interface FieldFacts {
  readonly name: string;
  /** The field's label (null when describe gives none): certificate-fields.ts reads it too. */
  readonly label: string | null;
  readonly type: string;
  readonly custom: boolean;
  readonly filterable: boolean;
  readonly calculated: boolean;
  readonly updateable: boolean;
}

export interface ObjectFacts {
  readonly readable: true;
  readonly name: string;
  readonly customSetting: boolean;
  readonly customMetadata: boolean;
  /** A hierarchy custom setting: its records have a SetupOwnerId. */
  readonly hierarchy: boolean;
  readonly fields: readonly FieldFacts[];
}

/** An object the integration user cannot describe or query; `code` is what Salesforce answered. */
export interface Unreadable {
  readonly readable: false;
  readonly object: string;
  readonly code: string;
  readonly reason: string;
}

/** Answers meaning "this user cannot see or read that object" (not an outage, not a bug). */
const NOT_READABLE = new Set(['NOT_FOUND', 'INVALID_TYPE', 'INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'INSUFFICIENT_PRIVILEGES']);

/** The Salesforce answer of a failed call when it says the object is not readable, else null. */
export function notReadableCode(err: unknown): string | null {
  if (!isRotationError(err)) return null;
  const code = err.details.salesforceCode;
  return typeof code === 'string' && NOT_READABLE.has(code) ? code : null;
}

export function isCustomMetadataObject(object: string): boolean {
  return /__mdt$/i.test(object);
}

/** `csam` for `csam__AsyncMessOptions__c`; null for an object of the org's own (no namespace). */
export function namespaceOf(object: string): string | null {
  return /^([A-Za-z][A-Za-z0-9]*)__[A-Za-z0-9_]+__(?:c|mdt)$/i.exec(object)?.[1] ?? null;
}

export function fieldOf(object: ObjectFacts, name: string): FieldFacts | undefined {
  const wanted = name.toLowerCase();
  return object.fields.find((f) => f.name.toLowerCase() === wanted);
}

/** Why a field cannot be switched by an API update, or null when it can. */
export function notWritableReason(object: ObjectFacts, field: FieldFacts): string | null {
  if (field.calculated) return 'it is a formula field (calculated)';
  if (!object.customMetadata && !field.updateable) return 'it is not updateable for the integration user (read-only)';
  return null;
}

/** Text fields of custom objects and settings, where a Unique Name can be stored. */
export function textFields(object: ObjectFacts): FieldFacts[] {
  return object.fields.filter((f) => f.custom && (f.type === 'string' || f.type === 'textarea'));
}

export class SchemaCache {
  private readonly described = new Map<string, Promise<ObjectFacts | Unreadable>>();

  constructor(private readonly session: OrgSession) {}

  describe(object: string): Promise<ObjectFacts | Unreadable> {
    const key = object.toLowerCase();
    let found = this.described.get(key);
    if (!found) {
      found = this.load(object);
      this.described.set(key, found);
    }
    return found;
  }

  private async load(object: string): Promise<ObjectFacts | Unreadable> {
    let raw: unknown;
    try {
      raw = await this.session.call(`describing ${object}`, (conn) => conn.describe(object));
    } catch (err) {
      const code = notReadableCode(err);
      if (code === null) throw err;
      return { readable: false, object, code, reason: `describe answered ${code}` };
    }
    const described = parseWire(describeSchema, raw, `describe(${object})`);
    const customMetadata = isCustomMetadataObject(described.name);
    return {
      readable: true,
      name: described.name,
      customSetting: described.customSetting === true,
      customMetadata,
      hierarchy: described.fields.some((f) => f.name === 'SetupOwnerId'),
      // A flag Salesforce leaves out is read as the safe answer: not filterable, not writable.
      fields: described.fields.map((f) => ({
        name: f.name,
        label: f.label ?? null,
        type: f.type,
        custom: f.custom === true,
        filterable: f.filterable === true,
        calculated: f.calculated === true,
        updateable: f.updateable === true,
      })),
    };
  }

  /**
   * Refuses, before anything is written, changes to fields no API update can write (formula,
   * read-only) or that do not exist: a batch of switches never half-applies for that reason.
   */
  async requireWritable(changes: readonly ReferenceChange[]): Promise<void> {
    for (const change of changes) {
      if (change.object === 'NamedCredential') continue;
      const object = await this.describe(change.object);
      if (!object.readable) {
        throw new RotationError(
          'CONFIG_INVALID',
          `Cannot switch ${change.object}.${change.field}: the integration user cannot read ${change.object} (${object.reason}). Grant it read and edit access, or switch it by hand.`,
          { details: { object: change.object, field: change.field, salesforceCode: object.code } },
        );
      }
      const field = fieldOf(object, change.field);
      const why = field ? notWritableReason(object, field) : `${object.name} has no field ${change.field}`;
      if (why !== null) {
        throw new RotationError(
          'CONFIG_INVALID',
          `Cannot switch ${object.name}.${change.field}: ${why}. No API update can write it: it is an unswitchable reference — switch it where its value comes from and leave it out of the changes.`,
          { details: { object: object.name, field: change.field } },
        );
      }
    }
  }
}
