/**
 * The message catalogue: every user-facing sentence of the answer layer and the page's main path,
 * by key, in each language we ship. Two catalogues: the answer layer's (`catalogue.ts`,
 * `messages/*.ts`) and the page's chrome (`src/web/messages/*.ts`), each with English as the
 * source of truth: its keys are the keys, its `{name}` placeholders are a message's parameters
 * (checked by `tsc` at every call), and each other language is a module typed as a complete
 * catalogue, loaded only when asked for, so a missing key fails the build and the page's first
 * load carries English alone. This module is the machinery both share; the languages and how one is chosen are
 * src/protocol/lang.ts. Numbers are numbers.ts's (format.ts's rules in each language). Pure: no clock, no I/O beyond the dynamic import of a catalogue module.
 */
import type { Lang } from '../../protocol/lang.js';

/** A catalogue's source: English, its keys every language's keys, its `{name}` placeholders every language's parameters. */
export type Source = Readonly<Record<string, string>> & UnitMessages;
/** The units every catalogue words (format.ts's rules; the number goes in `{n}`). */
export interface UnitMessages {
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

/** A catalogue in one language: its messages. */
export interface Translator<S extends Source> {
  readonly lang: Lang;
  /** The message `key` with its placeholders filled. */
  t<K extends keyof S & string>(key: K, ...params: ParamArgs<S, K>): string;
  /** The message's text with its placeholders unfilled (for a reader that sets each value apart). */
  template(key: keyof S & string): string;
  /** `one` when `n` is 1, else `other` (the catalogue's two plural forms; languages without plurals give both the same). */
  plural<K extends keyof S & string>(n: number, one: K, other: K, ...params: ParamArgs<S, K>): string;
}

function fill(text: string, params: Readonly<Record<string, string | number>> | undefined): string {
  if (params === undefined) return text;
  return text.replace(/\{([A-Za-z0-9]+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

/** The translator of `lang` from its catalogue of source `S`. */
export function translatorOf<S extends Source>(lang: Lang, cat: CatalogueOf<S>): Translator<S> {
  const text = (key: keyof S & string): string => cat[key];
  const t = <K extends keyof S & string>(key: K, ...params: ParamArgs<S, K>): string => fill(text(key), params[0]);
  return {
    lang,
    t,
    template: text,
    plural: (n, one, other, ...params) => t(n === 1 ? one : other, ...params),
  };
}

/** A language's catalogue module, loaded when first asked for. */
export type CatalogueLoaders<S extends Source> = Readonly<Record<Exclude<Lang, 'en'>, () => Promise<CatalogueOf<S>>>>;
