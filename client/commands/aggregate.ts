import { readFile } from 'node:fs/promises';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import { acceptReport, ReportShapeError } from '../../src/analysis/report/accept.js';
import { aggregateP90 } from '../../src/analysis/report/aggregate.js';
import type { AggregateReport } from '../../src/analysis/schema/aggregate-schema.js';
import { aggregateView } from '../../src/analysis/present/view.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { exitCodeFor, type ExitCode } from '../exit.js';

/** Reads, checks and upgrades one report file (schema 1 or 2); a bad file is a clear error naming the file and the field. */
async function readReport(file: string): Promise<Report> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('bad-value', `${file}: ${(err as Error).message}`);
  }
  try {
    return acceptReport(value);
  } catch (err) {
    if (err instanceof ReportShapeError) throw new ConfigError('bad-value', `${file} is not a callprobe report: ${err.message}`);
    throw err;
  }
}

/** The human output without --json: the aggregate's view model as plain text. */
function formatAggregate(a: AggregateReport): string {
  const v = aggregateView(a);
  const lines = [`${v.heading}: ${v.verdict.toUpperCase()}`, ...v.explanation.map((e) => `  ${e}`), ''];
  for (const row of v.rows) lines.push(`  ${row.status.toUpperCase().padEnd(12)} ${row.sentence}`);
  return `${lines.join('\n')}\n`;
}

/** `callprobe aggregate FILE...`: the P90 verdict over many reports of one site. */
export async function aggregateCommand(files: string[], json: boolean): Promise<ExitCode> {
  if (files.length === 0) throw new ConfigError('bad-value', 'give at least one report file (callprobe run --json output)');
  const reports = await Promise.all(files.map(readReport));
  const result = aggregateP90(reports);
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatAggregate(result));
  return exitCodeFor({ verdict: result.verdict });
}
