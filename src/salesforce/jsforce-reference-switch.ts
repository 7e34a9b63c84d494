/**
 * Switching references at once (`updateReferences(..., { atOnce: true })`): the record
 * references (custom settings, custom objects) read first and written in one all-or-none
 * request (jsforce-record-collection.ts), and the named credentials and Custom Metadata
 * records — Metadata API components, which no REST request writes — started right beside
 * it, concurrently. Two places of one component are switched one after the other (each is
 * a read-modify-write of the whole component); different components run side by side.
 *
 * The results are the caller's own change objects, in the caller's order, as the one-by-one
 * switch gives them (jsforce-references.ts). `progress` hears after each reference, in the
 * caller's order: an outcome that arrives before an earlier reference's is held back until
 * that one is known, so every report is a prefix — what a resumed attempt may skip. Held
 * back means reported late, never wrongly: a resumed attempt redoes it and compare-and-set
 * finds it done.
 */
import { RotationError } from '../domain/errors';
import type { JsforceCertificates } from './jsforce-certificates';
import { JsforceCustomMetadata } from './jsforce-custom-metadata';
import { JsforceNamedCredentials } from './jsforce-named-credentials';
import { swapRecordFieldsAtOnce, type RecordOutcome } from './jsforce-record-collection';
import { SchemaCache, isCustomMetadataObject } from './jsforce-schema';
import type { OrgSession } from './jsforce-session';
import { isValidApiName } from './names-and-escaping';
import { isSwitchAbandoned, WriteBarrier } from './write-barrier';
import type { ReferenceChange, ReferenceConflict, ReferenceProgress, UpdateReferencesResult } from './org-port';

export class JsforceReferenceSwitch {
  private readonly customMetadata: JsforceCustomMetadata;
  private readonly namedCredentials: JsforceNamedCredentials;

  constructor(
    private readonly session: OrgSession,
    certificates: Pick<JsforceCertificates, 'requireUniqueName'>,
  ) {
    this.customMetadata = new JsforceCustomMetadata(session);
    // only `swap` is used here: it matches no stored value against certificates
    this.namedCredentials = new JsforceNamedCredentials(session, certificates, () => null);
  }

  /** `atSwitchInstant`: called once every participant has read and compared, before any write. */
  async update(changes: readonly ReferenceChange[], progress?: ReferenceProgress, atSwitchInstant?: () => void): Promise<UpdateReferencesResult> {
    for (const c of changes) {
      if (c.object === 'NamedCredential') continue; // a named-credential place is checked by its own swap
      if (!isValidApiName(c.object) || !isValidApiName(c.field)) {
        throw new RotationError('CONFIG_INVALID', `Reference target ${c.object}.${c.field} is not a valid object/field API name`, { details: { object: c.object, field: c.field } });
      }
    }
    await new SchemaCache(this.session).requireWritable(changes);

    const outcomes: (RecordOutcome | undefined)[] = changes.map(() => undefined);
    let reported = 0;
    const heard = (index: number, outcome: RecordOutcome) => {
      outcomes[index] = outcome;
      while (reported < changes.length && outcomes[reported] !== undefined) {
        reported += 1;
        progress?.(collect(changes, outcomes, reported));
      }
    };

    const records = changes.flatMap((c, i) => (c.object !== 'NamedCredential' && !isCustomMetadataObject(c.object) ? [i] : []));
    const components = new Map<string, number[]>();
    changes.forEach((c, i) => {
      if (records.includes(i)) return;
      const key = `${c.object.toLowerCase()}#${c.recordId.toLowerCase()}`;
      components.set(key, [...(components.get(key) ?? []), i]);
    });
    // the records' request and each component read first; the writes start together (write-barrier.ts)
    const barrier = new WriteBarrier((records.length > 0 ? 1 : 0) + components.size, atSwitchInstant);
    const work: Promise<void>[] = [];
    if (records.length > 0) {
      const subset = records.map((i) => changes[i]!);
      const ticket = barrier.ticket();
      work.push(
        swapRecordFieldsAtOnce(this.session, subset, (found) => found.forEach((o, j) => heard(records[j]!, o)), ticket)
          .then((all) => all.forEach((o, j) => heard(records[j]!, o)))
          .then(() => ticket.leave(), (error: unknown) => {
            ticket.fail();
            throw error;
          }),
      );
    }
    for (const indexes of components.values()) {
      const ticket = barrier.ticket();
      work.push(
        (async () => {
          try {
            for (const i of indexes) {
              const change = changes[i]!;
              const actual = change.object === 'NamedCredential' ? await this.namedCredentials.swap(change, ticket) : await this.customMetadata.swap(change, ticket);
              heard(i, actual === undefined ? { applied: true } : { applied: false, actual });
            }
            ticket.leave();
          } catch (error) {
            ticket.fail();
            throw error;
          }
        })(),
      );
    }
    // every side runs to its end before a failure is thrown: nothing is left writing behind a failed call
    const settled = await Promise.allSettled(work);
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s): unknown => s.reason);
    // the cause, not a participant that stopped because of it
    const failure = failures.find((reason) => !isSwitchAbandoned(reason)) ?? failures[0];
    if (failures.length > 0) throw failure;
    return collect(changes, outcomes, changes.length);
  }
}

function collect(changes: readonly ReferenceChange[], outcomes: readonly (RecordOutcome | undefined)[], upTo: number): UpdateReferencesResult {
  const applied: ReferenceChange[] = [];
  const conflicts: ReferenceConflict[] = [];
  for (let i = 0; i < upTo; i += 1) {
    const change = changes[i]!;
    const outcome = outcomes[i];
    if (outcome?.applied) applied.push(change);
    else if (outcome) conflicts.push({ ...change, actual: outcome.actual });
  }
  return { applied, conflicts };
}
