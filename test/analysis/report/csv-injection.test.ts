/**
 * The CSV export guards every text cell against formula injection (OWASP "CSV Injection"): a
 * cell a spreadsheet could run as a formula gets a leading apostrophe, whatever white space,
 * line break or full-width spelling hides its first sign, and whatever column it is in.
 */
import { describe, expect, it } from 'vitest';
import { csvField, csvLine, EXPORT_COLUMNS, looksLikeFormula } from '../../../src/analysis/report/export.js';

const FORMULAS = [
  '=1+1',
  '+1+1',
  '-1+1',
  '@SUM(A1)',
  '\t=1+1',
  '\r=1+1',
  '\n=1+1',
  ' =1+1',
  '   +cmd',
  '\u00a0=1+1',
  '\u00a0\u00a0@x',
  '\uff1d1+1', // full-width equals sign
  '\uff0b1', // full-width plus
  '\uff201', // full-width commercial at
  ';=1+1',
  '|calc',
  ' ;x',
  '\n|x',
  '\u3000=1', // ideographic space, then =
];

const PLAIN = ['HD-42', 'Paris office', 'Chromium 131', '1-2', 'a=b', 'x@y', '', "it's fine", '42'];

describe('CSV formula guard (OWASP CSV Injection)', () => {
  it('marks every formula spelling, with white space, line breaks or full-width signs first', () => {
    for (const f of FORMULAS) expect(looksLikeFormula(f), JSON.stringify(f)).toBe(true);
    for (const p of PLAIN) expect(looksLikeFormula(p), JSON.stringify(p)).toBe(false);
  });

  it('writes such a cell with a leading apostrophe, quoted when it must be, and leaves plain text alone', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('\uff1d1+1')).toBe("'\uff1d1+1");
    expect(csvField(' =1+1')).toBe("' =1+1");
    expect(csvField('\n=1+1')).toBe(`"'\n=1+1"`);
    expect(csvField(';=1,2')).toBe(`"';=1,2"`);
    expect(csvField('HD-42')).toBe('HD-42');
    expect(csvField(-3)).toBe('-3');
  });

  it('guards every column of a row, not only the ticket', () => {
    const row = Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, '\u00a0=HYPERLINK("http://x")']));
    const cells = csvLine(row)
      .trimEnd()
      .split(/,(?=")/);
    expect(cells).toHaveLength(EXPORT_COLUMNS.length);
    for (const c of cells) expect(c.startsWith(`"'`)).toBe(true);
  });
});
