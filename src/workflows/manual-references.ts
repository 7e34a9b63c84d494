/**
 * Places certrot cannot switch through an API (Apex code, protected settings, read-only
 * fields) that the request acknowledged: a person switches them. The rotation accepts them
 * at backing-up, keeps the old certificate at clean-up until an operator confirms
 * (`confirmManualSteps`), and on a rollback says what to switch back.
 *
 * Workflow code.
 */
import { condition, patched } from '@temporalio/workflow';
import type { CertificateSummary } from '../domain/certificate';
import { unswitchableProblem, type UnswitchableReference } from '../domain/unswitchable-reference';
import type { RotationInput } from '../domain/rotation';
import { RotationStopped } from './rotation-stopped';
import type { RotationState } from './rotation-state';

/** Marks rotations that may wait at clean-up for the manual steps' confirmation. */
export const MANUAL_REFERENCES_PATCH = 'manual-references';

/** Refuses (nothing changed yet) unless every place is acknowledged; then lists them. */
export function acceptUnswitchable(state: RotationState, input: RotationInput, found: readonly UnswitchableReference[], oldName: string, newName: string): void {
  if (found.length === 0) return;
  const problem = unswitchableProblem(found, input.references.acknowledge ?? [], oldName);
  if (problem) throw new RotationStopped(problem);
  state.acknowledged(found, oldName, newName);
}

/**
 * Clean-up may delete the old certificate (and retire its key) only once an operator
 * confirmed the manual references name the new one. Waits as long as for an approval
 * (`approval.timeout`: how long certrot waits for people), and never past the old
 * certificate's expiry; false when nobody confirmed by then (the old certificate is kept,
 * and the steps are listed).
 */
export async function manualStepsConfirmed(state: RotationState, input: RotationInput, old: CertificateSummary, created: CertificateSummary): Promise<boolean> {
  const places = state.status.manualReferences ?? [];
  if (places.length === 0 || state.manualStepsConfirmed) return true;
  if (!patched(MANUAL_REFERENCES_PATCH)) return true;
  const expiry = old.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(old.expiresAt);
  const until = Math.min(expiry, Date.now() + input.approval.timeoutMs);
  state.note(
    `the old certificate ${old.uniqueName} is kept until an operator confirms that ${places.length} manual reference(s) name ${created.uniqueName} ` +
      `(confirmManualSteps; certrot confirm-manual-steps --workflow-id ${state.workflowId} --by NAME), waiting until ${new Date(Math.max(until, Date.now())).toISOString()}`,
  );
  if (until > Date.now()) await condition(() => state.manualStepsConfirmed, until - Date.now());
  if (state.manualStepsConfirmed) return true;
  for (const place of places) state.manualStep(`${place.where}: ${place.fix}.`);
  state.manualStep(`Then delete the old certificate ${old.uniqueName} (nobody confirmed the manual references in time, so certrot kept it).`);
  return false;
}

/** After a rollback: a place a person already switched to the new certificate must go back. */
export function afterRollback(state: RotationState, old: CertificateSummary | null, created: CertificateSummary | null): void {
  if (old === null || created === null) return;
  for (const place of state.status.manualReferences ?? []) {
    const text = `${place.where}: if it was already switched to ${created.uniqueName}, switch it back to ${old.uniqueName} (the new certificate was deleted in the rollback).`;
    if (state.manualStepsConfirmed) state.manualStep(text);
    else state.note(text);
  }
}
