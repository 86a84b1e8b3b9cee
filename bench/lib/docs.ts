import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The page every bench's section lives in, relative to the repository root. */
const BENCHMARKS_DOC = 'docs/benchmarks.md';

/**
 * Replaces the section between `<!-- name:start -->` and `<!-- name:end -->` in
 * docs/benchmarks.md (appending it when missing), so each bench keeps its own summary current.
 * Benches call it through publishResults, only with --write-docs.
 */
export function updateBenchmarksDoc(name: string, markdown: string, doc: string = BENCHMARKS_DOC): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const text = existsSync(doc) ? readFileSync(doc, 'utf8') : '# Benchmarks\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(doc, next);
}

/** A markdown table from a header and rows. */
export function mdTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
