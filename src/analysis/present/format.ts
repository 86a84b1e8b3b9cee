/**
 * The one place numbers become text, for the report's sentences, the page, the CLI and the
 * aggregate alike. One set of rules:
 *
 * 1. Deterministic, no locale: "." for decimals, "," between thousands, "-" for negatives,
 *    never "-0". A missing figure (null, undefined, NaN, infinite) is a dash, "–".
 * 2. Units: "12 ms", "3.2 s" (a space), "0.25%" (none).
 * 3. Precision. A value compared with a threshold never prints equal to it when it differs:
 *    it gets as many more decimals as needed ("99.96 ms" against 100 ms, not "100 ms").
 *    Beyond that there are two styles, one per place a number appears:
 *    - prose (in a sentence): about two significant digits, trailing zeros trimmed
 *      ("42.1 ms", "0.067%", "143 ms");
 *    - figure (a table cell or key figure, read down a column): fixed decimals per unit,
 *      zeros kept (ms 1, % 2, MOS 2, counts 0), and a value that is not zero never prints
 *      as zero ("0.004%", not "0.00%").
 * 4. Limits (thresholds) print as given, in prose style ("< 0.05%", "< 67.5 ms").
 */

/** What a missing figure prints as. */
export const MISSING = '–';

/** Thousands separators on an unsigned integer string. */
const group = (intPart: string): string => intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `v` with exactly `decimals` decimals (zeros kept), thousands separated, no "-0". */
function digits(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return String(v);
  const s = Math.abs(v).toFixed(decimals);
  const [intPart = '0', fracPart = ''] = s.split('.');
  const negative = v < 0 && Number(s) !== 0;
  return `${negative ? '-' : ''}${group(intPart)}${fracPart === '' ? '' : `.${fracPart}`}`;
}

/** `v` with `decimals` decimals, trailing zeros trimmed, thousands separated. */
export function fixed(v: number, decimals: number): string {
  const s = digits(v, decimals);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Prose precision: about two significant digits. */
function autoDecimals(v: number): number {
  const a = Math.abs(v);
  if (a === 0 || a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  return Math.min(6, 1 - Math.floor(Math.log10(a)));
}

/** Most decimals a number is widened to, to tell it apart from a threshold or from zero. */
const MAX_DECIMALS = 9;

/** The fewest decimals from `d` on at which `print(v)` differs from `print(threshold)` (rule 3). */
function apart(v: number, d: number, print: (x: number, d: number) => string, threshold: number | undefined): number {
  if (threshold === undefined) return d;
  while (d < MAX_DECIMALS && v !== threshold && print(v, d) === print(threshold, d)) d++;
  return d;
}

const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || !Number.isFinite(v);

// ---- Prose: numbers inside sentences ----

/** A number for a sentence; distinct from `threshold` whenever it differs from it. */
export function num(v: number, threshold?: number): string {
  return fixed(v, apart(v, autoDecimals(v), fixed, threshold));
}

export const ms = (v: number, threshold?: number): string => `${num(v, threshold)} ms`;
export const pct = (v: number, threshold?: number): string => `${num(v, threshold)}%`;
export const count = (n: number): string => fixed(n, 0);
/** Seconds from milliseconds, e.g. "3.2 s". */
export const seconds = (msValue: number): string => `${num(msValue / 1000)} s`;
/** "1 packet" / "3 packets". */
export const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

// ---- Figures: numbers in tables and key figures ----

/** The units a figure can have, with their fixed decimals. */
export type FigureUnit = 'ms' | '%' | 'mos' | 'count';
const FIGURE_DECIMALS: Record<FigureUnit, number> = { ms: 1, '%': 2, mos: 2, count: 0 };

function withUnit(text: string, unit: FigureUnit): string {
  if (unit === 'ms') return `${text} ms`;
  if (unit === '%') return `${text}%`;
  return text;
}

/** A figure: fixed decimals for its unit, widened as rule 3 says; a dash when missing. */
export function figure(v: number | null | undefined, unit: FigureUnit, threshold?: number): string {
  if (missing(v)) return MISSING;
  let d = FIGURE_DECIMALS[unit];
  if (unit !== 'count') {
    while (d < MAX_DECIMALS && v !== 0 && Number(digits(v, d)) === 0) d++;
    d = apart(v, d, digits, threshold);
  }
  return withUnit(digits(v, d), unit);
}

export const figureMs = (v: number | null | undefined, threshold?: number): string => figure(v, 'ms', threshold);
export const figurePct = (v: number | null | undefined, threshold?: number): string => figure(v, '%', threshold);
export const figureCount = (v: number | null | undefined): string => figure(v, 'count');

/** A limit as the grades state it: "< 100 ms", "< 0.05%". */
export function limit(threshold: number, unit: 'ms' | '%'): string {
  return `< ${unit === 'ms' ? ms(threshold) : pct(threshold)}`;
}
