/**
 * The benchmark report: tables with their goal and whether it was met, printed to stdout
 * and written to docs/performance.md with the commit measured and the machine.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';

export interface BenchTable {
  readonly id: string;
  readonly title: string;
  /** The goal in words (from issue #15 / DESIGN). */
  readonly goal: string;
  /** true met, false not met, null not decided (e.g. a quick pass with too few repetitions). */
  readonly met: boolean | null;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes?: readonly string[];
}

export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly loadAverage: readonly number[];
}

export interface ReportMeta {
  readonly commit: string;
  readonly date: string;
  readonly machine: Machine;
  readonly quick: boolean;
  readonly repetitions: number;
  readonly command: string;
  readonly durationSeconds?: number;
}

export function machineNow(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** `git rev-parse --short HEAD`, plus ` (dirty)` when the work tree has changes; `unknown` outside a repository. */
export function commitMeasured(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' }).trim();
    return status ? `${head} (dirty)` : head;
  } catch {
    return 'unknown';
  }
}

export function goalWord(met: boolean | null): string {
  return met === true ? 'met' : met === false ? 'NOT met' : 'not decided';
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function renderTable(table: BenchTable): string {
  const lines = [`### ${table.id.toUpperCase()} — ${table.title}`, '', `Goal: ${table.goal} — **${goalWord(table.met)}**`, ''];
  lines.push(`| ${table.header.map(cell).join(' | ')} |`);
  lines.push(`|${table.header.map(() => '---').join('|')}|`);
  for (const row of table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  for (const note of table.notes ?? []) lines.push('', note);
  return lines.join('\n');
}

export function renderReport(meta: ReportMeta, tables: readonly BenchTable[]): string {
  const m = meta.machine;
  const lines = [
    '# certrot performance',
    '',
    `Written by \`${meta.command}\` (bench/run.ts). Figures are min / median / max over ${meta.repetitions} repetition(s)` +
      (meta.quick ? ' — a **quick** pass (`--quick`): fewer repetitions and smaller sizes, for checking the bench runs, not final figures' : '') +
      '; speeds are ratios measured within one run.',
    '',
    `- commit measured: ${meta.commit}`,
    `- date: ${meta.date}`,
    `- machine: ${m.cpus} CPU(s) ${m.model}, ${m.memoryGiB} GiB memory, node ${m.node}, load average at start ${m.loadAverage.join(' / ')}`,
    ...(meta.durationSeconds !== undefined ? [`- bench duration: ${Math.round(meta.durationSeconds)} s`] : []),
    '',
    '| benchmark | goal | met |',
    '|---|---|---|',
    ...tables.map((t) => `| ${t.id.toUpperCase()} ${cell(t.title)} | ${cell(t.goal)} | ${goalWord(t.met)} |`),
    '',
    ...tables.flatMap((t) => [renderTable(t), '']),
    '## How to reproduce',
    '',
    '`npm run bench` (every benchmark, ≥ 3 repetitions; `-- --quick` for a short pass; `-- p2` for one benchmark, names p1..p5). ' +
      'It starts a Temporal dev server on free ports, the sandbox org and vendor, and a worker in-process, and stops them at the end. ' +
      'The machine is usually shared: read the load average above before comparing runs.',
    '',
  ];
  return lines.join('\n');
}

export async function writeReport(path: string, meta: ReportMeta, tables: readonly BenchTable[]): Promise<void> {
  await writeFile(path, renderReport(meta, tables));
}
