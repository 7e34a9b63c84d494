/**
 * What operators see of a running rotation outside its status query: the search attributes
 * (filter in the Temporal UI and `certrot list`) and the UI's "current details" (Markdown).
 * Search attributes are upserted only when a value changes; outside text in the details is
 * escaped (src/domain/display-text.ts).
 *
 * Since 'quiet-presentation' (#15): what was last upserted starts as the attributes the
 * rotation was started with (`certrot rotate` sets name, org and phase), and
 * the changes of one workflow task are upserted once, when the task has done everything
 * else — so a phase entered and left in one task (scheduled → applying on an open window)
 * and the expiry learnt with the next phase cost one event, and no upsert repeats what
 * Temporal already holds. An ended rotation upserts at once (nothing may follow completion).
 * Histories from before replay on `legacyPresentation`.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { CancellationScope, condition, patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { markdownText } from '../domain/display-text';
import { continuityText, howApproved } from '../domain/approval-display';
import { formatDuration } from '../domain/durations';
import { SEARCH_ATTRIBUTE_KEYS } from '../domain/search-attributes';
import type { RotationState } from './rotation-state';

/** The marker of the quieter history (#15): these upserts, and the verify input without the PEM (rotate-certificate.ts). */
export const QUIET_HISTORY_PATCH = 'quiet-presentation';

type Wanted = [value: string, pair: SearchAttributeUpdatePair];

/** The search attributes the status calls for, each with its value as text (comparable). */
function wantedAttributes(state: RotationState, certificate: string): Wanted[] {
  const status = state.status;
  const wanted: Wanted[] = [
    [certificate, { key: SEARCH_ATTRIBUTE_KEYS.CertificateName, value: certificate }],
    [status.org, { key: SEARCH_ATTRIBUTE_KEYS.OrgAlias, value: status.org }],
    [status.phase, { key: SEARCH_ATTRIBUTE_KEYS.RotationPhase, value: status.phase }],
  ];
  if (status.outcome) wanted.push([status.outcome, { key: SEARCH_ATTRIBUTE_KEYS.RotationOutcome, value: status.outcome }]);
  const expiry = (status.outcome === 'completed' || status.outcome === 'completed-with-manual-steps' ? status.newCertificate : status.oldCertificate)?.expiresAt;
  const at = expiry ? Date.parse(expiry) : Number.NaN;
  if (!Number.isNaN(at)) wanted.push([new Date(at).toISOString(), { key: SEARCH_ATTRIBUTE_KEYS.CertificateExpiry, value: new Date(at) }]);
  return wanted;
}

/** The values the execution already holds (set at start), as wantedAttributes spells them. */
function startAttributes(): Map<string, string> {
  const held = new Map<string, string>();
  const attributes = workflowInfo().typedSearchAttributes;
  for (const key of Object.values(SEARCH_ATTRIBUTE_KEYS)) {
    const value: unknown = attributes.get(key);
    if (typeof value === 'string') held.set(key.name, value);
    else if (value instanceof Date) held.set(key.name, value.toISOString());
  }
  return held;
}

export function presentRotation(state: RotationState, requested: string): () => void {
  if (!patched(QUIET_HISTORY_PATCH)) return legacyPresentation(state, requested);
  const published = startAttributes();
  const certificateName = (): string => state.status.oldCertificate?.uniqueName ?? requested;
  const flush = (): void => {
    const changes = wantedAttributes(state, certificateName()).filter(([value, pair]) => published.get(pair.key.name) !== value);
    if (changes.length === 0) return;
    upsertSearchAttributes(changes.map(([, pair]) => pair));
    for (const [value, pair] of changes) published.set(pair.key.name, value);
  };
  let pending = false;
  // Runs once the task's other work is done (conditions are checked when the workflow is blocked).
  void CancellationScope.nonCancellable(async () => {
    for (;;) {
      await condition(() => pending);
      pending = false;
      flush();
    }
  });
  return () => {
    if (state.status.outcome !== null) {
      pending = false;
      flush();
    } else {
      pending = true;
    }
    setCurrentDetails(details(state, certificateName()));
  };
}

/** Before 'quiet-presentation': an upsert at every change of a value, start attributes not counted. */
function legacyPresentation(state: RotationState, requested: string): () => void {
  const published = new Map<string, string>();
  return () => {
    const status = state.status;
    // The Unique Name as Salesforce spells it once known (Keyword search is case-sensitive).
    const certificate = status.oldCertificate?.uniqueName ?? requested;
    const wanted: [string, SearchAttributeUpdatePair][] = [
      [`name:${certificate}`, { key: SEARCH_ATTRIBUTE_KEYS.CertificateName, value: certificate }],
      [`org:${status.org}`, { key: SEARCH_ATTRIBUTE_KEYS.OrgAlias, value: status.org }],
      [`phase:${status.phase}`, { key: SEARCH_ATTRIBUTE_KEYS.RotationPhase, value: status.phase }],
    ];
    if (status.outcome) wanted.push([`outcome:${status.outcome}`, { key: SEARCH_ATTRIBUTE_KEYS.RotationOutcome, value: status.outcome }]);
    const expiry = (status.outcome === 'completed' || status.outcome === 'completed-with-manual-steps' ? status.newCertificate : status.oldCertificate)?.expiresAt;
    if (expiry) wanted.push([`expiry:${expiry}`, { key: SEARCH_ATTRIBUTE_KEYS.CertificateExpiry, value: new Date(expiry) }]);
    const changes = wanted.filter(([value, pair]) => published.get(pair.key.name) !== value);
    if (changes.length > 0) {
      upsertSearchAttributes(changes.map(([, pair]) => pair));
      for (const [value, pair] of changes) published.set(pair.key.name, value);
    }
    setCurrentDetails(details(state, certificate));
  };
}

function details(state: RotationState, certificate: string): string {
  const s = state.status;
  const lines = [
    `**${s.phase}**${s.outcome ? ` (${s.outcome})` : ''} — ${s.org} / ${certificate} → ${s.newCertificate?.uniqueName ?? '(new certificate)'} (${s.strategy}, vendor ${s.vendor})`,
  ];
  if (s.newCertificate && (s.phase === 'awaiting-approval' || state.windowMissed)) {
    lines.push(`Waiting for the provisioning team to approve SPKI fingerprint \`${s.newCertificate.spkiFingerprint}\`.`);
  }
  if (s.window) lines.push(`Window: ${s.window.start} → ${s.window.end}`);
  if (s.approvalMode && s.approvalMode !== 'manual') lines.push(`Approval mode: ${s.approvalMode} (a person can still decide through the signed link or the CLI)`);
  if (s.approval) lines.push(`Approved by ${markdownText(s.approval.approver)} at ${s.approval.at} — ${markdownText(howApproved(s.approval.via, s.approval.authentication))}`);
  if (s.rejection?.via) lines.push(`Rejected by ${markdownText(s.rejection.approver)} — ${markdownText(howApproved(s.rejection.via, s.rejection.authentication))}`);
  if (s.continuity) lines.push(`Continuity statement: ${markdownText(continuityText(s.continuity), 600)}`);
  if (s.vendorConfirmation) lines.push(`The provisioning team reported the new key active${s.vendorConfirmation.by ? ` (${markdownText(s.vendorConfirmation.by)})` : ''} at ${s.vendorConfirmation.at}`);
  if (s.mismatchWindowMs !== null) lines.push(`Measured mismatch window: ${formatDuration(s.mismatchWindowMs)}`);
  if (s.restored?.length) lines.push(`Restored ${s.restored.length} reference(s) to ${s.oldCertificate?.uniqueName ?? 'the old certificate'}.`);
  if (s.reason) lines.push(`Reason: ${markdownText(s.reason, 1_000)}`);
  if (s.manualSteps.length) lines.push('Manual steps needed:', ...s.manualSteps.map((step) => `- ${markdownText(step, 1_000)}`));
  if (s.manualReferences?.length) {
    const confirmed = s.manualStepsConfirmed;
    lines.push(
      `Places certrot cannot switch (acknowledged; ${confirmed ? `confirmed by ${markdownText(confirmed.by, 200)}` : 'send the confirmManualSteps update once they are switched'}):`,
      ...s.manualReferences.slice(0, 20).map((m) => `- ${markdownText(m.where, 300)}: ${markdownText(m.fix, 500)}`),
    );
  }
  return lines.join('\n\n');
}
