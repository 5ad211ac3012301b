/**
 * Shared benchmark reporting: every benchmark prints the machine, the date, the command and its numbers,
 * and appends the same block to bench/RESULTS.md, so results are never quoted without their context.
 *
 * @module
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_PATH = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface BenchReport {
  title: string;
  command: string;
  /** Markdown table: header row, then rows. */
  headers: string[];
  rows: string[][];
  notes?: string[];
}

function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Prints the report and appends it to bench/RESULTS.md. */
export function publish(report: BenchReport): void {
  const m = machineInfo();
  const block = [
    `## ${report.title}`,
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}`,
    `- command: \`${report.command}\``,
    '',
    markdownTable(report.headers, report.rows),
    ...(report.notes && report.notes.length > 0 ? ['', ...report.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  process.stdout.write(`${block}\n`);
  if (!existsSync(RESULTS_PATH)) {
    writeFileSync(
      RESULTS_PATH,
      '# Benchmark results\n\nAppended by the benchmarks in bench/ (newest last). Compare numbers only within one block: whole runs drift 10–20 % on shared machines.\n\n',
    );
  }
  appendFileSync(RESULTS_PATH, `${block}\n`);
}
