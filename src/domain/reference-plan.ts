/**
 * From the references found at backup to the compare-and-set changes the rotation makes,
 * and the checks before it may make any. A reference holding the certificate's label (not
 * its Unique Name) is a configuration error: refused with the fix, unless the request opts
 * in to repairing it — then it is switched like the others, and a rollback writes the old
 * Unique Name there, never the label. Pure, workflow-safe.
 */
import { describeReference, type Reference, type ReferenceChange } from './reference';

/** null when every reference names the certificate by its Unique Name (or repair was asked for). */
export function labelProblem(references: readonly Reference[], repairLabels: boolean, certificate: string): string | null {
  const byLabel = references.filter((r) => r.matchedBy === 'label');
  if (byLabel.length === 0 || repairLabels) return null;
  return (
    `${byLabel.length} reference(s) hold the label "${byLabel[0]?.value ?? ''}" instead of the Unique Name ${certificate}: ` +
    byLabel.map(describeReference).join('; ') +
    `. Set them to ${certificate} (Setup > Custom Settings / the record), or start the rotation with references.repairLabels true ` +
    'to have certrot write the new Unique Name there (a rollback then writes the old Unique Name, not the label)'
  );
}

/** Old -> new for every reference found. */
export function forwardChanges(references: readonly Reference[], newUniqueName: string): ReferenceChange[] {
  return references.map((r) => ({
    object: r.object,
    field: r.field,
    recordId: r.recordId,
    scope: r.scope,
    owner: r.owner,
    expected: r.value,
    value: newUniqueName,
  }));
}

/** New -> old for the references that were switched: back to the old Unique Name (never a label). */
export function reverseChanges(applied: readonly ReferenceChange[], oldUniqueName: string): ReferenceChange[] {
  return applied.map((c) => ({ ...c, expected: c.value, value: oldUniqueName }));
}
