/**
 * docs/ARCHITECTURE.md's table of units is the unit graph of scripts/lint/units.js, row for row
 * (`npm run regen` writes it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { UNITS } from '../../scripts/lint/units.js';
import { repoRoot } from '../kit/paths.js';
import { checkGenerated } from '../kit/regen.js';

const FILE = join(repoRoot, 'docs', 'ARCHITECTURE.md');
const START = '<!-- units:start -->';
const END = '<!-- units:end -->';

describe('the table of units in docs/ARCHITECTURE.md', () => {
  it('lists every unit with its folder, environment and allowed imports', () => {
    const text = readFileSync(FILE, 'utf8');
    const rows = UNITS.map((u) => `| ${u.name} | \`${u.dir}/\` | ${u.env} | ${u.imports.join(', ') || '–'} | ${u.about} |`);
    const table = ['| unit | folder | environment | may import | what |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
    const i = text.indexOf(START);
    const j = text.indexOf(END);
    const want = i >= 0 && j > i ? `${text.slice(0, i + START.length)}\n${table}\n${text.slice(j)}` : `${text.trimEnd()}\n\n${START}\n${table}\n${END}\n`;
    checkGenerated(FILE, want);
  });
});
