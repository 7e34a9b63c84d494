/** Renders a rotation status for people: a short table, the timeline, checks and problems. */
import { formatDuration } from '../domain/durations';
import type { RotationStatus } from '../domain/rotation';

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}

export function formatStatus(status: RotationStatus): string {
  const rows: [string, string][] = [
    ['workflow', status.workflowId],
    ['phase', status.outcome ? `${status.phase} (${status.outcome})` : status.phase],
    ['org / vendor', `${status.org} / ${status.vendor}`],
    ['strategy', status.strategy],
  ];
  if (status.oldCertificate) {
    rows.push(['old certificate', `${status.oldCertificate.uniqueName} (expires ${status.oldCertificate.expiresAt ?? '?'})`]);
    rows.push(['old key', status.oldCertificate.spkiFingerprint]);
  }
  if (status.newCertificate) {
    rows.push(['new certificate', `${status.newCertificate.uniqueName} (expires ${status.newCertificate.expiresAt ?? '?'})`]);
    rows.push(['new key', status.newCertificate.spkiFingerprint]);
  }
  if (status.window) rows.push(['window', `${status.window.start} -> ${status.window.end}`]);
  if (status.approval) rows.push(['approved', `by ${status.approval.approver} at ${status.approval.at} (${status.approval.via})`]);
  if (status.rejection) rows.push(['rejected', `by ${status.rejection.approver}: ${status.rejection.reason}`]);
  rows.push(['references', `${status.referencesFound.length} found, ${status.referencesChanged.length} switched, ${status.conflicts.length} conflicts`]);
  if (status.mismatchWindowMs !== null) rows.push(['mismatch window', formatDuration(status.mismatchWindowMs)]);
  if (status.reason) rows.push(['reason', status.reason]);

  const parts = [table(rows), '', 'timeline:'];
  for (const entry of status.timeline) parts.push(`  ${entry.at}  ${entry.phase}${entry.note ? `  — ${entry.note}` : ''}`);
  if (status.verification) {
    parts.push('', `verification: ${status.verification.passed ? 'passed' : 'FAILED'}`);
    for (const check of status.verification.checks) parts.push(`  [${check.passed ? 'ok' : 'FAIL'}] ${check.name}: ${check.detail}`);
  }
  if (status.referencesChanged.length) {
    parts.push('', 'references switched:');
    for (const c of status.referencesChanged) parts.push(`  ${c.object}.${c.field} ${c.scope}${c.owner ? ` (${c.owner})` : ''} ${c.recordId}: ${c.expected} -> ${c.value}`);
  }
  if (status.ignoredMessages.length) {
    parts.push('', 'ignored messages:');
    for (const m of status.ignoredMessages) parts.push(`  ${m.at} ${m.message}: ${m.reason}`);
  }
  if (status.errors.length) parts.push('', 'errors:', ...status.errors.map((e) => `  ${e}`));
  if (status.manualSteps.length) parts.push('', 'MANUAL STEPS NEEDED:', ...status.manualSteps.map((s) => `  - ${s}`));
  return parts.join('\n');
}
