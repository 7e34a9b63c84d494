/**
 * Custom Metadata Type records (`Vendor_Setting__mdt`): found by SOQL like any object, but
 * written only through the Metadata API's `CustomMetadata` type — Salesforce refuses DML on
 * them. A reference to one carries the record's Metadata fullName as its recordId
 * (`Vendor_Setting.Default`; namespaced: `ns__Vendor_Setting.ns__Default`), since that is
 * what the read and the update need.
 *
 * A CustomMetadata update replaces the whole component: a value left out is cleared. So the
 * switch reads the record, compares, and sends back every value exactly as read except the
 * one switched (compare-and-set; the Metadata API has no If-Unmodified-Since, so a write
 * landing between our read and our update is the one window left, a few milliseconds wide).
 */
import { RotationError } from '../domain/errors';
import type { ReferenceChange } from '../domain/reference';
import { MetadataOperationFailed } from './errors';
import type { OrgSession } from './jsforce-session';
import { customMetadataSchema, parseWire, saveResultSchema, stringField } from './wire-records';
import { NO_BARRIER, type BarrierTicket } from './write-barrier';

/** The SOQL fields that identify a metadata record besides the searched one. */
export const METADATA_RECORD_FIELDS = 'Id, DeveloperName, MasterLabel, QualifiedApiName';

const RECORD_FULL_NAME = /^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*$/;

/** `Vendor_Setting` for `Vendor_Setting__mdt`. */
function typeName(object: string): string {
  return object.replace(/__mdt$/i, '');
}

/** The record's Metadata fullName and label from a SOQL row, or null when the row lacks them. */
export function metadataRecordOf(object: string, row: Record<string, unknown>): { fullName: string; label: string | null } | null {
  const qualified = stringField(row, 'QualifiedApiName') ?? stringField(row, 'DeveloperName');
  return qualified ? { fullName: `${typeName(object)}.${qualified}`, label: stringField(row, 'MasterLabel') } : null;
}

/** A CustomMetadataValue as xml2js read it: text, `{ _: text, $: {...} }`, or nil. */
function plainValue(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null) {
    const text: unknown = (value as Record<string, unknown>)._;
    if (typeof text === 'string') return text === '' ? null : text;
  }
  return null;
}

export class JsforceCustomMetadata {
  constructor(private readonly session: OrgSession) {}

  /** Compare-and-set on one metadata record's field: undefined when applied, else what it holds (null: gone). */
  /** `barrier`: an at-once switch's instant, awaited after the read, just before the update (write-barrier.ts). */
  async swap(change: ReferenceChange, barrier: BarrierTicket = NO_BARRIER): Promise<string | null | undefined> {
    if (!RECORD_FULL_NAME.test(change.recordId) || change.recordId.split('.')[0]?.toLowerCase() !== typeName(change.object).toLowerCase()) {
      throw new RotationError(
        'INVALID_INPUT',
        `"${change.recordId}" is not the Metadata fullName of a ${change.object} record; it must read "${typeName(change.object)}.<DeveloperName>" as findReferences reports it`,
        { details: { object: change.object, recordId: change.recordId } },
      );
    }
    return this.session.call(`updating custom metadata record ${change.recordId}`, async (conn) => {
      const raw: unknown = await conn.metadata.read('CustomMetadata', [change.recordId]);
      const current = parseWire(customMetadataSchema.array(), raw, 'readMetadata(CustomMetadata)')[0];
      if (!current?.fullName) return null;
      const values = current.values.map((v) => ({ field: v.field, value: plainValue(v.value) }));
      const wanted = change.field.toLowerCase();
      const actual = values.find((v) => v.field.toLowerCase() === wanted)?.value ?? null;
      if (actual === change.value && change.value !== change.expected) return undefined;
      if (actual !== change.expected) return actual;
      // The update replaces the component: everything read goes back, one value changed.
      const updated = {
        fullName: current.fullName,
        label: current.label ?? current.fullName.split('.')[1] ?? current.fullName,
        ...(current.description ? { description: current.description } : {}),
        ...(current.protected !== null && current.protected !== undefined ? { protected: current.protected } : {}),
        values: values.map((v) => (v.field.toLowerCase() === wanted ? { field: v.field, value: change.value } : v)),
      };
      await barrier.arrive();
      const untypedMetadata: { update(type: string, metadata: Record<string, unknown>): Promise<unknown> } = conn.metadata;
      const result = parseWire(saveResultSchema, await untypedMetadata.update('CustomMetadata', updated), 'updateMetadata(CustomMetadata)');
      if (!result.success) {
        throw new RotationError(
          'SALESFORCE_ERROR',
          `Salesforce refused to update custom metadata record ${change.recordId}: ${new MetadataOperationFailed(change.recordId, result.errors).message}`,
          { details: { object: change.object, recordId: change.recordId } },
        );
      }
      return undefined;
    });
  }
}
