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

/** A prose number's value as a number (for a spreadsheet's cell: what `num` prints, without separators). */
export function numValue(v: number): number {
  return Number(fixed(v, autoDecimals(v)).replace(/,/g, ''));
}

export const ms = (v: number, threshold?: number): string => `${num(v, threshold)} ms`;
export const pct = (v: number, threshold?: number): string => `${num(v, threshold)}%`;
export const count = (n: number): string => fixed(n, 0);
/** Seconds from milliseconds, e.g. "3.2 s". */
export const seconds = (msValue: number): string => `${num(msValue / 1000)} s`;
/** "1 packet" / "3 packets". */
export const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** A span of time as a person says it: whole minutes under an hour, hours under a day, else days ("9 minutes", "9.8 hours", "3.5 days"; a tenth at most). */
export function spanWords(msValue: number): string {
  const unit = (v: number, word: string): string => {
    const n = fixed(v, 1);
    return `${n} ${word}${n === '1' ? '' : 's'}`;
  };
  if (msValue < 3_600_000) return plural(Math.round(msValue / 60_000), 'minute');
  if (msValue < 86_400_000) return unit(msValue / 3_600_000, 'hour');
  return unit(msValue / 86_400_000, 'day');
}

// ---- Figures: numbers in tables and key figures ----

/** The units a figure can have, with their fixed decimals. */
export type FigureUnit = 'ms' | '%' | 'mos' | 'count';
const FIGURE_DECIMALS: Record<FigureUnit, number> = { ms: 1, '%': 2, mos: 2, count: 0 };

function withUnit(text: string, unit: FigureUnit): string {
  if (unit === 'ms') return `${text} ms`;
  if (unit === '%') return `${text}%`;
  return text;
}

/** The decimals a figure of `v` prints with: fixed for its unit, widened as rule 3 says. */
function figureDecimals(v: number, unit: FigureUnit, threshold?: number): number {
  let d = FIGURE_DECIMALS[unit];
  if (unit !== 'count') {
    while (d < MAX_DECIMALS && v !== 0 && Number(digits(v, d)) === 0) d++;
    d = apart(v, d, digits, threshold);
  }
  return d;
}

/** A figure: fixed decimals for its unit, widened as rule 3 says; a dash when missing. */
export function figure(v: number | null | undefined, unit: FigureUnit, threshold?: number): string {
  if (missing(v)) return MISSING;
  return withUnit(digits(v, figureDecimals(v, unit, threshold)), unit);
}

/**
 * A figure's value as a number, rounded to the decimals `figure` prints (for a spreadsheet's
 * cell: the same value the page shows, without separators or unit); null when missing.
 */
export function figureValue(v: number | null | undefined, unit: FigureUnit, threshold?: number): number | null {
  if (missing(v)) return null;
  const rounded = Number(Math.abs(v).toFixed(figureDecimals(v, unit, threshold)));
  return v < 0 && rounded !== 0 ? -rounded : rounded;
}

export const figureMs = (v: number | null | undefined, threshold?: number): string => figure(v, 'ms', threshold);
export const figurePct = (v: number | null | undefined, threshold?: number): string => figure(v, '%', threshold);
export const figureCount = (v: number | null | undefined): string => figure(v, 'count');

/** A limit's value as the grades state it: "100 ms", "0.05%". */
export function limitValue(threshold: number, unit: 'ms' | '%'): string {
  return unit === 'ms' ? ms(threshold) : pct(threshold);
}

/** A limit as the grades state it: "< 100 ms", "< 0.05%". */
export function limit(threshold: number, unit: 'ms' | '%'): string {
  return `< ${limitValue(threshold, unit)}`;
}

/**
 * Ports as a person lists them: sorted, each once, a run of three or more as a span
 * ("3478-3481"), the rest one by one ("3478, 3480 and 5349").
 */
export function portSpan(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    const first = sorted[i] ?? 0;
    const last = sorted[j] ?? 0;
    if (j - i >= 2) parts.push(`${String(first)}-${String(last)}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return andList(parts);
}

/** "a", "a and b", "a, b and c". */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** "UDP 3479", "TLS 443", "TCP" (a rung not offered has no port). */
export function rungName(r: { transport: string; port: number | null }): string {
  return `${r.transport.toUpperCase()}${r.port === null ? '' : ` ${String(r.port)}`}`;
}
