/**
 * The page's language: chosen once when the page starts (`?lang=`, then the server's pick for a
 * stored result, then the browser's languages, then English: src/protocol/lang.ts), set on
 * `<html lang>`, with the page's own words (./messages/) and, when a result is shown, the
 * answer layer's (src/analysis/present/catalogue.ts) in that language. English is in the first
 * load; another language's catalogues are fetched only for a reader of it.
 */
import { pageLang, pickLang, type Lang } from '../protocol/lang.js';
import { translatorOf, type CatalogueLoaders, type Translator } from '../analysis/present/i18n.js';
import type { Messages } from '../analysis/present/catalogue.js';
import { en } from './messages/en.js';

export type PageMessages = Translator<typeof en>;

const LOADERS: CatalogueLoaders<typeof en> = {
  de: async () => (await import('./messages/de.js')).de,
  fr: async () => (await import('./messages/fr.js')).fr,
  es: async () => (await import('./messages/es.js')).es,
  ja: async () => (await import('./messages/ja.js')).ja,
  'zh-Hans': async () => (await import('./messages/zh-Hans.js')).zhHans,
};

let current: PageMessages = translatorOf<typeof en>('en', en);
let answer: Promise<Messages> | null = null;

/** The page's words in its language. */
export const pageMessages = (): PageMessages => current;

/** The page's language as the URL, the server and the browser ask for it. */
function chosenLang(): Lang {
  const asked = pickLang([new URLSearchParams(location.search).get('lang') ?? '']);
  return pageLang(asked, document.documentElement.dataset['servedLang'] ?? null, navigator.languages);
}

/** Chooses the page's language and loads its words (English when they cannot be loaded, said on the console). */
export async function startLanguage(): Promise<void> {
  const lang = chosenLang();
  if (lang !== 'en') {
    try {
      current = translatorOf<typeof en>(lang, await LOADERS[lang]());
    } catch (err) {
      console.warn(`callprobe: the ${lang} words could not be loaded (${err instanceof Error ? err.message : String(err)}): the page stays in English`);
    }
  }
  document.documentElement.lang = current.lang;
  document.title = current.t('page.docTitle');
  const tagline = document.querySelector('.tagline');
  if (tagline !== null) tagline.textContent = current.t('page.tagline');
}

/** The answer layer's words in the page's language, loaded on first use (with the verdict's code). */
export function answerMessages(): Promise<Messages> {
  answer ??= import('../analysis/present/catalogue.js').then((c) => c.loadMessages(current.lang));
  return answer;
}
