/**
 * The message catalogue: every user-facing sentence of the answer layer and the page's main path,
 * by key, in each language we ship. Two catalogues: the answer layer's (`catalogue.ts`,
 * `messages/*.ts`) and the page's chrome (`src/web/messages/*.ts`), each with English as the
 * source of truth: its keys are the keys, its `{name}` placeholders are a message's parameters
 * (checked by `tsc` at every call), and each other language is a module typed as a complete
 * catalogue, loaded only when asked for, so a missing key fails the build and the page's first
 * load carries English alone. This module is the machinery both share; the languages and how one is chosen are
 * src/protocol/lang.ts. Numbers keep format.ts's rules and precision; only their decimal and group
 * marks (read from `Intl.NumberFormat`), their units and lists (`Intl.ListFormat`) follow the
 * language. Pure: no clock, no I/O beyond the dynamic import of a catalogue module.
 */
import * as format from './format.js';
import type { Lang } from '../../protocol/lang.js';

/** A catalogue's source: English, its keys every language's keys, its `{name}` placeholders every language's parameters. */
export type Source = Readonly<Record<string, string>> & UnitMessages;
/** The units every catalogue words (format.ts's rules; the number goes in `{n}`). */
interface UnitMessages {
  readonly 'unit.ms': string;
  readonly 'unit.pct': string;
  readonly 'unit.s': string;
}
/** A language's catalogue of a source: every key of English, none more. */
export type CatalogueOf<S extends Source> = { readonly [K in keyof S]: string };

/** The `{name}` placeholders of a message text. */
type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
/** What `t(key, ...)` takes after the key: nothing, or one value per placeholder of the English text. */
type ParamArgs<S extends Source, K extends keyof S> = [Placeholders<S[K] & string>] extends [never]
  ? []
  : [Record<Placeholders<S[K] & string>, string | number>];

/** The placeholder names of a message text, in order of first appearance (the key test compares them). */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([A-Za-z0-9]+)\}/g)].map((m) => m[1] ?? ''))];
}

/** format.ts's printers, in one language: the same precision, that language's marks, units and lists. */
interface Formatter {
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

/** A catalogue in one language: its messages and its number printers. */
export interface Translator<S extends Source> {
  readonly lang: Lang;
  /** The message `key` with its placeholders filled. */
  t<K extends keyof S & string>(key: K, ...params: ParamArgs<S, K>): string;
  /** The message's text with its placeholders unfilled (for a reader that sets each value apart). */
  template(key: keyof S & string): string;
  /** `one` when `n` is 1, else `other` (the catalogue's two plural forms; languages without plurals give both the same). */
  plural<K extends keyof S & string>(n: number, one: K, other: K, ...params: ParamArgs<S, K>): string;
  readonly fmt: Formatter;
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

function fill(text: string, params: Readonly<Record<string, string | number>> | undefined): string {
  if (params === undefined) return text;
  return text.replace(/\{([A-Za-z0-9]+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

/** format.ts's printers with `lang`'s marks, units (the catalogue's `unit.*`) and lists. */
function localFormat(lang: Lang, cat: UnitMessages): Formatter {
  const { decimal, group } = marksOf(lang);
  // format.ts writes "," between thousands and "." for decimals: swap both marks at once.
  const marks = (s: string): string => s.replace(/[.,]/g, (c) => (c === '.' ? decimal : group));
  const unit = (text: string, n: string): string => fill(text, { n });
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

/** The translator of `lang` from its catalogue of source `S`. */
export function translatorOf<S extends Source>(lang: Lang, cat: CatalogueOf<S>): Translator<S> {
  const text = (key: keyof S & string): string => cat[key];
  const t = <K extends keyof S & string>(key: K, ...params: ParamArgs<S, K>): string => fill(text(key), params[0]);
  const units = cat as unknown as UnitMessages;
  return {
    lang,
    t,
    template: text,
    plural: (n, one, other, ...params) => t(n === 1 ? one : other, ...params),
    fmt: lang === 'en' ? ENGLISH_FORMAT : localFormat(lang, units),
  };
}

/** A language's catalogue module, loaded when first asked for. */
export type CatalogueLoaders<S extends Source> = Readonly<Record<Exclude<Lang, 'en'>, () => Promise<CatalogueOf<S>>>>;
