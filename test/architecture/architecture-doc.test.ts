/**
 * docs/ARCHITECTURE.md draws the unit graph of scripts/lint/units.js: its drawing has every unit
 * and exactly one arrow per allowed import, so the picture a newcomer reads is the graph lint
 * enforces (its table: units-table.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNITS } from '../../scripts/lint/units.js';
import { repoRoot } from '../kit/paths.js';

const text = readFileSync(join(repoRoot, 'docs/ARCHITECTURE.md'), 'utf8');

describe('docs/ARCHITECTURE.md', () => {
  it('names only unit folders that exist', () => {
    for (const u of UNITS) expect(existsSync(join(repoRoot, u.dir)), u.dir).toBe(true);
  });

  it('draws every unit and exactly the arrows of the allowed imports', () => {
    const drawing = /```mermaid\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    const nodes = new Set([...drawing.matchAll(/^\s+(\w+)\[/gm)].map((m) => m[1]));
    const arrows = [...drawing.matchAll(/^\s+(\w+)(?:\["[^"]*"\])?\s*-->\s*(\w+)\s*$/gm)].map((m) => `${m[1]} -> ${m[2]}`);
    expect([...nodes].sort()).toEqual(UNITS.map((u) => u.name).sort());
    expect(arrows.sort()).toEqual(UNITS.flatMap((u) => u.imports.map((i) => `${u.name} -> ${i}`)).sort());
  });
});
