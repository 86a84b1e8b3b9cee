/**
 * The help desk console's language: chosen as the page chooses its own (./reader-lang.ts: `?lang=`,
 * then the browser's languages, then English), with the console's words
 * (./console-messages/) and, for a
 * could-not-test record, the page's words for what failed and where to look. The console asks the
 * server for a result in the same language (`?lang=`), so what the server words from a report
 * (what to tell the user, the culprit, the busy line) follows it. English is in the console's
 * first load; another language's words are fetched only for a reader of it.
 */
import { translatorOf, type CatalogueLoaders, type Source, type Translator } from '../analysis/present/i18n.js';
import type { Lang } from '../protocol/lang.js';
import { en } from './console-messages/en.js';
import type { en as pageEn } from './messages/en.js';
import { PAGE_LOADERS } from './page-catalogues.js';

/** The console's words in one language, its number printers, and the page's words (null in English: the server's are shown). */
export type ConsoleMessages = Translator<typeof en> & { readonly page: Translator<typeof pageEn> | null };

const LOADERS: CatalogueLoaders<typeof en> = {
  de: async () => (await import('./console-messages/de.js')).de,
  fr: async () => (await import('./console-messages/fr.js')).fr,
  es: async () => (await import('./console-messages/es.js')).es,
  ja: async () => (await import('./console-messages/ja.js')).ja,
  'zh-Hans': async () => (await import('./console-messages/zh-Hans.js')).zhHans,
};

/** English, at hand. */
export const CONSOLE_EN: ConsoleMessages = { ...translatorOf<typeof en>('en', en), page: null };

/** The console's words in `lang` (its modules loaded on first use). */
export async function loadConsoleMessages(lang: Lang): Promise<ConsoleMessages> {
  if (lang === 'en') return CONSOLE_EN;
  const [cat, page] = await Promise.all([LOADERS[lang](), PAGE_LOADERS[lang]()]);
  return { ...translatorOf<typeof en>(lang, cat), page: translatorOf<typeof pageEn>(lang, page) };
}

/**
 * A message with values set apart (an element, a link) where its placeholders stand: the text
 * around them, in the language's order, and each value in its place.
 */
export function spliced<S extends Source>(m: Translator<S>, key: keyof S & string, values: Readonly<Record<string, unknown>>): unknown[] {
  return m
    .template(key)
    .split(/\{([A-Za-z0-9]+)\}/)
    .map((part, i) => (i % 2 === 1 ? (values[part] ?? `{${part}}`) : part))
    .filter((part) => part !== '');
}

/** A count as the console prints it: English as the number's own digits (as before), another language with its group marks (`Intl`). */
export const countText = (m: ConsoleMessages, n: number): string => (m.lang === 'en' ? String(n) : new Intl.NumberFormat(m.lang).format(n));
