/**
 * The message catalogue: every user-facing sentence of the answer layer and the page's main path,
 * by key, in each language we ship. English (`messages/en.ts`) is the source of truth: its keys
 * are the keys, its `{name}` placeholders are a message's parameters (checked by `tsc` at every
 * call), and each other language is a module typed as a complete `Catalogue`, loaded only when
 * asked for (`loadMessages`), so a missing key fails the build and the page's first load carries
 * English alone. Numbers keep format.ts's rules and precision; only their decimal and group
 * marks (read from `Intl.NumberFormat`), their units and lists (`Intl.ListFormat`) follow the
 * language. Pure: no clock, no I/O beyond the dynamic import of a catalogue module.
 */
import { en } from './messages/en.js';
import * as format from './format.js';

/** The languages we ship, as BCP 47 tags (RFC 5646); `en` first. */
export const LANGS = ['en', 'de', 'fr', 'es', 'ja', 'zh-Hans'] as const;
export type Lang = (typeof LANGS)[number];

export type MessageKey = keyof typeof en;
/** A language's catalogue: every key of English, none more. */
export type Catalogue = { readonly [K in MessageKey]: string };

/** The `{name}` placeholders of a message text. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
/** What `t(key, ...)` takes after the key: nothing, or one value per placeholder of the English text. */
type ParamArgs<K extends MessageKey> = [Placeholders<(typeof en)[K]>] extends [never] ? [] : [Record<Placeholders<(typeof en)[K]>, string | number>];

/** The placeholder names of a message text, in order of first appearance (the key test compares them). */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([A-Za-z0-9]+)\}/g)].map((m) => m[1] ?? ''))];
}

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
  portSpan(ports: readonly number[]): string;
}

export interface Messages {
  readonly lang: Lang;
  /** The message `key` with its placeholders filled. */
  t<K extends MessageKey>(key: K, ...params: ParamArgs<K>): string;
  /** The message's text with its placeholders unfilled (for a reader that sets each value apart). */
  template(key: MessageKey): string;
  /** `one` when `n` is 1, else `other` (the catalogue's two plural forms; languages without plurals give both the same). */
  plural<K extends MessageKey>(n: number, one: K, other: K, ...params: ParamArgs<K>): string;
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
function localFormat(lang: Lang, cat: Catalogue): Formatter {
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
    portSpan: (ports) => andList(format.portSpan(ports).split(/, | and /)),
  };
}

/** The messages of `lang` from its catalogue. */
export function messagesOf(lang: Lang, cat: Catalogue): Messages {
  const t = <K extends MessageKey>(key: K, ...params: ParamArgs<K>): string => fill(cat[key], params[0]);
  return {
    lang,
    t,
    template: (key) => cat[key],
    plural: (n, one, other, ...params) => t(n === 1 ? one : other, ...params),
    fmt: lang === 'en' ? ENGLISH_FORMAT : localFormat(lang, cat),
  };
}

/** English, always at hand: the default of every function that takes messages. */
export const EN: Messages = messagesOf('en', en);

/** Each other language's catalogue, loaded when first asked for (one module each). */
const LOADERS: Readonly<Record<Exclude<Lang, 'en'>, () => Promise<Catalogue>>> = {
  de: async () => (await import('./messages/de.js')).de,
  fr: async () => (await import('./messages/fr.js')).fr,
  es: async () => (await import('./messages/es.js')).es,
  ja: async () => (await import('./messages/ja.js')).ja,
  'zh-Hans': async () => (await import('./messages/zh-Hans.js')).zhHans,
};

/** The messages of `lang`, its catalogue loaded on first use. */
export async function loadMessages(lang: Lang): Promise<Messages> {
  return lang === 'en' ? EN : messagesOf(lang, await LOADERS[lang]());
}

/**
 * The shipped language that best serves a reader who asked for `wanted`, most wanted first
 * (BCP 47 tags, any case): the first whose language we ship, Chinese only when Simplified
 * (zh-Hans, or zh with CN, SG or no region; Traditional is not shipped). Null when none fits.
 */
export function pickLang(wanted: readonly string[]): Lang | null {
  for (const raw of wanted) {
    const tag = raw.trim().toLowerCase();
    const [primary = '', ...rest] = tag.split(/[-_]/);
    if (primary === 'zh') {
      if (rest.includes('hant') || rest.some((s) => s === 'tw' || s === 'hk' || s === 'mo')) continue;
      return 'zh-Hans';
    }
    const found = LANGS.find((l) => l === primary);
    if (found !== undefined) return found;
  }
  return null;
}

/** Most bytes of an Accept-Language header we read, and most entries. */
const ACCEPT_LANGUAGE_MAX_CHARS = 512;
const ACCEPT_LANGUAGE_MAX_ENTRIES = 16;

/** An Accept-Language header's tags, most preferred first (RFC 9110 §12.5.4); q=0 and `*` left out. */
export function acceptLanguageTags(header: string | undefined): string[] {
  if (header === undefined) return [];
  const entries = header
    .slice(0, ACCEPT_LANGUAGE_MAX_CHARS)
    .split(',')
    .slice(0, ACCEPT_LANGUAGE_MAX_ENTRIES)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((e) => e.tag !== '' && e.tag !== '*' && e.q > 0);
  return entries.sort((a, b) => b.q - a.q || a.i - b.i).map((e) => e.tag);
}

/** The language of a server answer: `?lang=` when it names one we ship, else the best of Accept-Language, else English. */
export function langOfRequest(queryLang: string | undefined, acceptLanguage: string | undefined): Lang {
  return pickLang(queryLang === undefined ? [] : [queryLang]) ?? pickLang(acceptLanguageTags(acceptLanguage)) ?? 'en';
}
