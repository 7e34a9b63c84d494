/**
 * Renders a rotation status for people: a short table, the timeline, checks and problems.
 *
 * It says what is true now, not what once happened: after a rollback the references are
 * shown as restored, with the value each holds now, and the verification that passed before
 * is labelled superseded; a check that could not be made reads NOT MADE, never ok; what the
 * provisioning team said it did reads "reported by", not observed. Every value that came
 * from outside (names, reasons, errors, notes, reference values) goes through `printable`.
 */
import { continuityText, howApproved } from '../domain/approval-display';
import { sameUniqueName } from '../domain/certificate';
import { formatDuration } from '../domain/durations';
import type { Outcome, RotationStatus, VerificationCheck } from '../domain/rotation';
import { describeReference } from '../domain/reference';
import { printable as p } from './terminal-text';

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}

const OUTCOME_TEXT: Readonly<Record<Outcome, string>> = {
  completed: 'completed',
  'completed-with-manual-steps': 'COMPLETED WITH MANUAL STEPS: switched and verified, but clean-up is left for a person (see below)',
  'rolled-back': 'rolled back: both sides are on the old certificate again',
  failed: 'FAILED',
};

/** `[ok]`, `[FAIL]` or `[NOT MADE]`: a check that was not made never reads as passed. */
export function checkMark(check: VerificationCheck): string {
  if (check.made === false) return 'NOT MADE';
  return check.passed ? 'ok' : 'FAIL';
}

function formatCheck(check: VerificationCheck): string {
  const observer = check.observedBy ? ` (observed by ${p(check.observedBy)})` : '';
  return `  [${checkMark(check)}] ${p(check.name)}: ${p(check.detail)}${observer}`;
}

function summaryRows(status: RotationStatus): [string, string][] {
  const rows: [string, string][] = [
    ['workflow', p(status.workflowId)],
    ['phase', status.outcome ? `${p(status.phase)} (${p(status.outcome)})` : p(status.phase)],
  ];
  if (status.outcome) rows.push(['outcome', OUTCOME_TEXT[status.outcome] ?? p(status.outcome)]);
  if (status.endedAt) rows.push(['ended', p(status.endedAt)]);
  rows.push(['org / vendor', `${p(status.org)} / ${p(status.vendor)}`], ['strategy', p(status.strategy)]);
  if (status.oldCertificate) {
    rows.push(['old certificate', `${p(status.oldCertificate.uniqueName)} (expires ${p(status.oldCertificate.expiresAt ?? '?')})`]);
    rows.push(['old key', p(status.oldCertificate.spkiFingerprint)]);
  }
  if (status.newCertificate) {
    rows.push(['new certificate', `${p(status.newCertificate.uniqueName)} (expires ${p(status.newCertificate.expiresAt ?? '?')})`]);
    rows.push(['new key', p(status.newCertificate.spkiFingerprint)]);
  }
  if (status.window) rows.push(['window', `${p(status.window.start)} -> ${p(status.window.end)}`]);
  if (status.approvalMode) rows.push(['approval mode', p(status.approvalMode)]);
  if (status.approvalDeadline && !status.approval && !status.outcome) rows.push(['approval due', `by ${p(status.approvalDeadline)}`]);
  if (status.approval) {
    const a = status.approval;
    rows.push(['approved', `by ${p(a.approver)} at ${p(a.at)} (${p(a.via)})`]);
    if (a.authentication) rows.push(['authenticated', p(howApproved(a.via, a.authentication))]);
  }
  if (status.rejection) {
    const r = status.rejection;
    rows.push(['rejected', `by ${p(r.approver)} at ${p(r.at)}${r.via ? ` (${p(r.via)})` : ''}: ${p(r.reason)}`]);
    if (r.authentication) rows.push(['authenticated', p(howApproved(r.via, r.authentication))]);
  }
  if (status.continuity) rows.push(['continuity', p(continuityText(status.continuity))]);
  if (status.vendorConfirmation) {
    const c = status.vendorConfirmation;
    rows.push(['vendor applied', `reported by ${p(c.by ?? 'the provisioning team (unnamed)')} at ${p(c.at)} (${p(c.via)}), key ${p(c.fingerprint)}`]);
  } else if (status.vendorAppliedAt) {
    rows.push(['vendor applied', p(status.vendorAppliedAt)]);
  }
  rows.push(['references', referencesSummary(status)]);
  if (status.mismatchWindowMs !== null) rows.push(['mismatch window', formatDuration(status.mismatchWindowMs)]);
  if (status.reason) rows.push(['reason', p(status.reason)]);
  return rows;
}

function referencesSummary(status: RotationStatus): string {
  const found = `${status.referencesFound.length} found`;
  const conflicts = `${status.conflicts.length} conflicts`;
  if (status.restored) return `${found}, ${status.referencesChanged.length} switched then rolled back (${status.restored.length} restored), ${conflicts}`;
  return `${found}, ${status.referencesChanged.length} switched, ${conflicts}`;
}

function referenceLines(status: RotationStatus): string[] {
  const lines: string[] = [];
  if (status.restored) {
    // After a rollback the switches are history: show what each reference holds now.
    lines.push('', 'references after the rollback (value each holds now):');
    for (const r of status.restored) {
      const held = r.now === null ? 'NOW GONE (record or field no longer exists)' : `holds ${p(r.now)}`;
      const problem = r.now !== null && !sameUniqueName(r.now, r.value) ? `  — NOT RESTORED: should hold ${p(r.value)}` : '';
      lines.push(`  ${p(describeReference(r))}: ${held}${problem}`);
    }
  } else if (status.referencesChanged.length) {
    lines.push('', 'references switched:');
    for (const c of status.referencesChanged) lines.push(`  ${p(describeReference(c))}: ${p(c.expected)} -> ${p(c.value)}`);
  }
  if (status.conflicts.length) {
    lines.push('', 'conflicts (not changed: someone else changed the record since the backup):');
    for (const c of status.conflicts) {
      lines.push(`  ${p(describeReference(c))}: expected ${p(c.expected)}, found ${c.actual === null ? 'no record or field' : p(c.actual)}`);
    }
  }
  return lines;
}

function verificationLines(status: RotationStatus): string[] {
  const v = status.verification;
  if (!v) return [];
  const label = v.supersededBy ? `verification (superseded by ${p(v.supersededBy)})` : 'verification';
  const notMade = v.checks.filter((c) => c.made === false).length;
  const result = v.passed ? 'passed' : 'FAILED';
  const lines = ['', `${label}: ${result} at ${p(v.at)}${notMade ? ` (${notMade} check${notMade === 1 ? '' : 's'} NOT MADE)` : ''}`];
  if (v.supersededBy) lines.push('  (describes a state that no longer holds)');
  for (const check of v.checks) lines.push(formatCheck(check));
  return lines;
}

export function formatStatus(status: RotationStatus): string {
  const parts = [table(summaryRows(status)), '', 'timeline:'];
  for (const entry of status.timeline) parts.push(`  ${p(entry.at)}  ${p(entry.phase)}${entry.note ? `  — ${p(entry.note)}` : ''}`);
  parts.push(...verificationLines(status), ...referenceLines(status));
  if (status.ignoredMessages.length) {
    const total = status.refusedCount ?? status.ignoredMessages.length;
    const heading = total > status.ignoredMessages.length ? `refused messages (latest ${status.ignoredMessages.length} of ${total}):` : 'refused messages:';
    parts.push('', heading);
    for (const m of status.ignoredMessages) parts.push(`  ${p(m.at)} ${p(m.message)}: ${p(m.reason)}`);
  }
  if (status.errors.length) parts.push('', 'errors:', ...status.errors.map((e) => `  ${p(e)}`));
  if (status.manualSteps.length) parts.push('', 'MANUAL STEPS NEEDED:', ...status.manualSteps.map((s) => `  - ${p(s)}`));
  if (status.manualReferences?.length) {
    const confirmed = status.manualStepsConfirmed;
    parts.push(
      '',
      `places certrot cannot switch (acknowledged; ${confirmed ? `confirmed by ${p(confirmed.by)} at ${p(confirmed.at)}` : `confirm with: certrot confirm-manual-steps --workflow-id ${p(status.workflowId)} --by NAME`}):`,
      ...status.manualReferences.map((m) => `  - ${p(m.where)}: ${p(m.fix)}`),
    );
  }
  return parts.join('\n');
}
