/**
 * format.ts's printers in one language: the same rules and precision (a figure never printed
 * equal to a limit it differs from), with that language's decimal and group marks (read from
 * `Intl.NumberFormat`), its units (the catalogue's `unit.*`) and its lists (`Intl.ListFormat`).
 * English is format.ts itself, byte for byte. Pure.
 */
import * as format from './format.js';
import type { Lang } from '../../protocol/lang.js';
import type { UnitMessages } from './i18n.js';

const fill = (text: string, n: string): string => text.replace('{n}', n);

/** format.ts's printers, in one language: the same precision, that language's marks, units and lists. */
export interface Formatter {
  num(v: number, threshold?: number): string;
  fixed(v: number, decimals: number): string;
  ms(v: number, threshold?: number): string;
  pct(v: number, threshold?: number): string;
  count(n: number): string;
  seconds(msValue: number): string;
  figure(v: number | null | undefined, unit: format.FigureUnit, threshold?: number): string;
  figureMs(v: number | null | undefined, threshold?: number): string;
  figurePct(v: number | null | undefined, threshold?: number): string;
  figureCount(v: number | null | undefined): string;
  limitValue(threshold: number, unit: 'ms' | '%'): string;
  andList(items: readonly string[]): string;
  /** "a or b": in English as the words join them, elsewhere `Intl.ListFormat`'s disjunction. */
  orList(items: readonly string[]): string;
  portSpan(ports: readonly number[]): string;
}

/** English: format.ts itself, byte for byte. */
const ENGLISH_FORMAT: Formatter = {
  num: format.num,
  fixed: format.fixed,
  ms: format.ms,
  pct: format.pct,
  count: format.count,
  seconds: format.seconds,
  figure: format.figure,
  figureMs: format.figureMs,
  figurePct: format.figurePct,
  figureCount: format.figureCount,
  limitValue: format.limitValue,
  andList: format.andList,
  orList: (items) => items.join(' or '),
  portSpan: format.portSpan,
};

/** A language's decimal and group marks, as `Intl.NumberFormat` writes them. */
function marksOf(lang: Lang): { decimal: string; group: string } {
  const parts = new Intl.NumberFormat(lang, { useGrouping: true }).formatToParts(12345.6);
  return { decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.', group: parts.find((p) => p.type === 'group')?.value ?? ',' };
}

/** format.ts's printers with `lang`'s marks, units (the catalogue's `unit.*`) and lists. */
function localFormat(lang: Lang, cat: UnitMessages): Formatter {
  const { decimal, group } = marksOf(lang);
  // format.ts writes "," between thousands and "." for decimals: swap both marks at once.
  const marks = (s: string): string => s.replace(/[.,]/g, (c) => (c === '.' ? decimal : group));
  const unit = (text: string, n: string): string => fill(text, n);
  const list = new Intl.ListFormat(lang, { type: 'conjunction' });
  const figure = (v: number | null | undefined, u: format.FigureUnit, threshold?: number): string => {
    const bare = format.figure(v, u, threshold);
    if (bare === format.MISSING) return bare;
    const n = marks(bare.replace(/ ms$|%$/, ''));
    return u === 'ms' ? unit(cat['unit.ms'], n) : u === '%' ? unit(cat['unit.pct'], n) : n;
  };
  const ms = (v: number, threshold?: number): string => unit(cat['unit.ms'], marks(format.num(v, threshold)));
  const pct = (v: number, threshold?: number): string => unit(cat['unit.pct'], marks(format.num(v, threshold)));
  const andList = (items: readonly string[]): string => list.format(items);
  return {
    num: (v, threshold) => marks(format.num(v, threshold)),
    fixed: (v, decimals) => marks(format.fixed(v, decimals)),
    ms,
    pct,
    count: (n) => marks(format.count(n)),
    seconds: (msValue) => unit(cat['unit.s'], marks(format.num(msValue / 1000))),
    figure,
    figureMs: (v, threshold) => figure(v, 'ms', threshold),
    figurePct: (v, threshold) => figure(v, '%', threshold),
    figureCount: (v) => figure(v, 'count'),
    limitValue: (threshold, u) => (u === 'ms' ? ms(threshold) : pct(threshold)),
    andList,
    orList: (items) => new Intl.ListFormat(lang, { type: 'disjunction' }).format(items),
    portSpan: (ports) => andList(format.portSpan(ports).split(/, | and /)),
  };
}

/** The printers of `lang`, its units from its catalogue. */
export function formatterOf(lang: Lang, units: UnitMessages): Formatter {
  return lang === 'en' ? ENGLISH_FORMAT : localFormat(lang, units);
}
