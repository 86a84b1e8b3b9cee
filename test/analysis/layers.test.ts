/**
 * Layers inside the analysis unit: measure -> schema -> grade -> site -> alert -> present -> report. A file
 * imports only its own layer or lower ones, so grading never depends on how it is worded
 * (present) and the words never depend on how the report is assembled (report).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../kit/paths.js';

const LAYERS = ['measure', 'schema', 'grade', 'site', 'alert', 'present', 'report'] as const;
const root = join(repoRoot, 'src/analysis');

function layerOf(file: string): number {
  return LAYERS.indexOf(relative(root, file).split('/')[0] as (typeof LAYERS)[number]);
}

describe('analysis layers', () => {
  const edges: Array<{ from: string; to: string }> = [];
  for (const layer of LAYERS) {
    for (const name of readdirSync(join(root, layer)).filter((n) => n.endsWith('.ts'))) {
      const file = join(root, layer, name);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)) {
        const to = normalize(join(dirname(file), m[1] ?? ''));
        if (to.startsWith(root)) edges.push({ from: file, to });
      }
    }
  }

  it('has a layer for every folder of the unit', () => {
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...LAYERS].sort());
  });

  it('finds the imports it checks', () => {
    expect(edges.some((e) => layerOf(e.from) === LAYERS.indexOf('report') && layerOf(e.to) === LAYERS.indexOf('present'))).toBe(true);
    expect(edges.some((e) => layerOf(e.from) === LAYERS.indexOf('present') && layerOf(e.to) === LAYERS.indexOf('grade'))).toBe(true);
  });

  it('never imports upward', () => {
    const upward = edges.filter((e) => layerOf(e.to) > layerOf(e.from)).map((e) => `${relative(root, e.from)} -> ${relative(root, e.to)}`);
    expect(upward).toEqual([]);
    expect(edges.every((e) => layerOf(e.from) >= 0 && layerOf(e.to) >= 0)).toBe(true);
  });
});
