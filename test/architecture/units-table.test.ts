/** docs/ARCHITECTURE.md's table of units is the unit graph of scripts/lint/units.js, row for row. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNITS } from '../../scripts/lint/units.js';
import { repoRoot } from '../kit/paths.js';

describe('the table of units in docs/ARCHITECTURE.md', () => {
  it('lists every unit with its folder, environment and allowed imports', () => {
    const text = readFileSync(join(repoRoot, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const block = /<!-- units:start -->([\s\S]*?)<!-- units:end -->/.exec(text)?.[1] ?? '';
    const rows = block.trim().split('\n').slice(2);
    const expected = UNITS.map((u) => `| ${u.name} | \`${u.dir}/\` | ${u.env} | ${u.imports.join(', ') || '–'} | ${u.about} |`);
    expect(rows).toEqual(expected);
  });
});
