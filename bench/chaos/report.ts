/** The chaos run's table: rotations and outcomes, disruptions and faults per part, violations. */
import type { ChaosReport, Part } from './chaos-run';

const OUTCOMES = ['completed', 'completed-with-manual-steps', 'rolled-back', 'failed', 'refused', 'did-not-end'] as const;

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ')).join('\n');
}

export function formatReport(report: ChaosReport): string {
  const header = ['part', 'rotations', ...OUTCOMES, 'worker kills', 'server restarts', 'SF faults before/after', 'vendor faults before/after', 'minutes', 'violations'];
  const rows: string[][] = [header];
  const parts = Object.keys(report.parts) as Part[];
  for (const part of [...parts, 'total' as const]) {
    const rotations = report.rotations.filter((r) => part === 'total' || r.part === part);
    const counts = part === 'total' ? Object.values(report.parts) : [report.parts[part]];
    const sum = (pick: (c: NonNullable<(typeof counts)[number]>) => number): number => counts.reduce((n, c) => n + (c ? pick(c) : 0), 0);
    rows.push([
      part.toUpperCase(),
      String(rotations.length),
      ...OUTCOMES.map((outcome) => String(rotations.filter((r) => r.outcome === outcome).length)),
      String(sum((c) => c.workerKills)),
      String(sum((c) => c.serverRestarts)),
      `${sum((c) => c.faults.salesforceBefore)}/${sum((c) => c.faults.salesforceAfter)}`,
      `${sum((c) => c.faults.vendorBefore)}/${sum((c) => c.faults.vendorAfter)}`,
      (sum((c) => c.durationMs) / 60_000).toFixed(1),
      String(rotations.reduce((n, r) => n + r.violations.length, 0)),
    ]);
  }
  const lines = [`chaos run, seed ${report.seed} (repeat with --seed ${report.seed})`, '', table(rows), ''];
  if (report.workerCrashes.length) {
    // Typically a worker (re)started while the dev server was down: it exits, and is started again.
    const firstError = (c: string): string => c.split('\n').find((line) => /error/i.test(line))?.trim().slice(0, 200) ?? c.slice(0, 200);
    lines.push(`worker exits not caused by a kill (restarted each time): ${report.workerCrashes.length}`, ...report.workerCrashes.map((c) => `  ${firstError(c)}`), '');
  }
  lines.push(report.violations.length === 0 ? 'violations: none' : `violations (${report.violations.length}):`, ...report.violations.map((v) => `  - ${v}`));
  return lines.join('\n');
}
