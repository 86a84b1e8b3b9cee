/**
 * Number formatting for the plain sentences: deterministic (no locale), thousands
 * separated with ",", trailing zeros trimmed, about two significant digits below 1.
 * When a value is compared with a threshold, the value gets as many decimals as needed
 * so that it never prints equal to a threshold it differs from ("99.96 ms", not "100 ms").
 */

/** `v` with `decimals` decimals, trailing zeros trimmed, thousands separated. */
export function fixed(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return String(v);
  const s = Math.abs(v).toFixed(decimals);
  const [intPart = '0', fracPart = ''] = s.split('.');
  const frac = fracPart.replace(/0+$/, '');
  const int = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negative = v < 0 && Number(s) !== 0;
  return `${negative ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`;
}

function autoDecimals(v: number): number {
  const a = Math.abs(v);
  if (a === 0 || a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  return Math.min(6, 1 - Math.floor(Math.log10(a)));
}

/** A number for a sentence; distinct from `threshold` whenever it differs from it. */
export function num(v: number, threshold?: number): string {
  let d = autoDecimals(v);
  if (threshold !== undefined) {
    while (d < 9 && v !== threshold && fixed(v, d) === fixed(threshold, d)) d++;
  }
  return fixed(v, d);
}

export const ms = (v: number, threshold?: number): string => `${num(v, threshold)} ms`;
export const pct = (v: number, threshold?: number): string => `${num(v, threshold)}%`;
export const count = (n: number): string => fixed(n, 0);
/** Seconds from milliseconds, e.g. "3.2 s". */
export const seconds = (msValue: number): string => `${num(msValue / 1000)} s`;
/** "1 packet" / "3 packets". */
export const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
