/**
 * What `certrot expiring` prints: the inventory by days left, then what a sweep now would
 * start, what it would queue (the org's budget), the certificates it would skip and why,
 * the reference drift (object, field, scope, owner and record of each), and the policies
 * that leave no room for a renewal — in text, and whole in JSON. An org whose own result stops
 * at MAX_ORG_DETAILS of a kind (#15) is named with how many there were. Every text from outside
 * (certificate names, labels, Salesforce values) is escaped for the terminal.
 */
import type { CertificateRow, OrgSweepResult, RenewalSweepResult } from '../domain/renewal/sweep-result';
import { printable } from './terminal-text';

/** The sweep's result with every org's details (the sweep itself keeps only the first ones). */
export type ExpiringReport = RenewalSweepResult;

/** Joins each org's own result into the sweep's: all rows, starts, skips and findings. */
export function completeReport(result: RenewalSweepResult, orgs: readonly OrgSweepResult[]): ExpiringReport {
  if (orgs.length === 0) return result;
  const sweepLevel = result.skipped.filter((s) => s.certificate === '*');
  return {
    ...result,
    started: orgs.flatMap((o) => o.started),
    skipped: [...sweepLevel, ...orgs.flatMap((o) => o.skipped)],
    drift: [...result.drift.filter((f) => !orgs.some((o) => o.org === f.org)), ...orgs.flatMap((o) => o.drift)],
    certificates: orgs.flatMap((o) => o.certificates),
    truncated: orgs.some((o) => o.truncated === true),
  };
}

/** Orgs whose result lists fewer rows, starts, skips or findings than the org's sweep counted. */
function cutShort(report: ExpiringReport): string[] {
  if (!report.truncated) return [];
  const listed = (items: readonly { org: string }[], org: string): number => items.filter((i) => i.org === org).length;
  return report.orgs.flatMap((o) => {
    const rows = listed(report.certificates, o.org);
    const starts = listed(report.started, o.org);
    const findings = listed(report.drift, o.org);
    if (rows >= o.certificates && starts >= o.started && findings >= o.drift) return [];
    return [`  ${text(o.org, 40)}: ${rows} of ${o.certificates} certificates, ${starts} of ${o.started} starts, ${findings} of ${o.drift} findings listed (see the org's sweep ${text(o.workflowId ?? '-', 120)})`];
  });
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const text = (value: unknown, max = 90): string => printable(value, max);

function byDaysLeft(a: CertificateRow, b: CertificateRow): number {
  return (a.daysLeft ?? Number.MAX_SAFE_INTEGER) - (b.daysLeft ?? Number.MAX_SAFE_INTEGER) || a.org.localeCompare(b.org) || a.uniqueName.localeCompare(b.uniqueName);
}

export function formatExpiring(report: ExpiringReport, options: { withinDays?: number } = {}): string {
  const rows = report.certificates.filter((c) => options.withinDays === undefined || (c.daysLeft !== null && c.daysLeft <= options.withinDays)).sort(byDaysLeft);
  const table = [
    ['DAYS LEFT', 'EXPIRES', 'ORG', 'CERTIFICATE', 'KEY', 'VENDOR', 'RENEW AT', 'REFS', 'DECISION'],
    ...rows.map((c) => [
      c.daysLeft === null ? '-' : String(c.daysLeft),
      c.expiresAt ? c.expiresAt.slice(0, 10) : '-',
      text(c.org, 40),
      text(c.uniqueName, 80),
      String(c.keySize),
      text(c.vendor ?? '-', 40),
      c.renewAt ? c.renewAt.slice(0, 16).replace('T', ' ') : '-',
      String(c.references),
      text(c.decision),
    ]),
  ];
  const out = [`Inventory at ${report.sweptAt} (dry run: nothing was started)`, '', rows.length > 0 ? pad(table) : '(no certificates)'];
  const short = cutShort(report);
  if (short.length > 0) out.push('', 'Orgs with more than these lists hold (only counted past the first ones):', ...short);
  const failed = report.orgs.filter((o) => o.error !== null);
  if (failed.length > 0) out.push('', 'Orgs that could not be read:', ...failed.map((o) => `  ${text(o.org, 40)}: ${text(o.error, 300)}`));
  if (report.started.length > 0) {
    out.push('', 'A sweep now would start:', ...report.started.map((s) => `  ${text(s.workflowId, 120)}  ${s.window ? `window ${s.window.start} → ${s.window.end}` : 'URGENT, on approval'}`));
  }
  const queued = report.skipped.filter((s) => s.kind === 'over-budget');
  if (queued.length > 0) out.push('', 'Due, but queued behind the org\'s budget (maxActiveRotations):', ...queued.map((s) => `  ${text(s.org, 40)}/${text(s.certificate, 80)}: ${text(s.reason, 300)}`));
  const skipped = report.skipped.filter((s) => s.kind !== 'over-budget' && s.kind !== 'not-due');
  if (skipped.length > 0) out.push('', 'Skipped:', ...skipped.map((s) => `  ${text(s.org, 40)}/${text(s.certificate, 80)} (${s.kind}): ${text(s.reason, 300)}`));
  if (report.drift.length > 0) {
    out.push('', 'Reference drift (outages waiting to happen):');
    for (const f of report.drift) {
      const r = f.reference;
      const where = r ? ` [object ${text(r.object, 80)}, field ${text(r.field, 80)}, scope ${r.scope}${r.owner ? `, owner ${text(r.owner, 80)}` : ''}, record ${text(r.recordId, 80)}]` : '';
      out.push(`  ${text(f.org, 40)}: ${text(f.detail, 300)}${where}`);
    }
  }
  const cramped = rows.filter((c) => c.room !== null);
  if (report.warnings.length > 0 || cramped.length > 0) {
    out.push('', 'No room for a renewal inside a window:', ...report.warnings.map((w) => `  ${text(w, 400)}`), ...cramped.map((c) => `  ${text(c.org, 40)}/${text(c.uniqueName, 80)}: ${text(c.room, 300)}`));
  }
  return out.join('\n');
}
