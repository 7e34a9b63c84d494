/**
 * What operators see of a running rotation outside its status query: the search attributes
 * (filter in the Temporal UI and `certrot list`) and the UI's "current details" (Markdown).
 * Search attributes are upserted only when a value changes; outside text in the details is
 * escaped (src/domain/display-text.ts).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { markdownText } from '../domain/display-text';
import { formatDuration } from '../domain/durations';
import { SEARCH_ATTRIBUTE_KEYS } from '../domain/search-attributes';
import type { RotationState } from './rotation-state';

export function presentRotation(state: RotationState, requested: string): () => void {
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
  if (s.approval) lines.push(`Approved by ${markdownText(s.approval.approver)} at ${s.approval.at}`);
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
