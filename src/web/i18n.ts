/**
 * The page's language: chosen once when the page starts (`?lang=`, then the server's pick for a
 * stored result, then the browser's languages, then English: src/protocol/lang.ts), set on
 * `<html lang>`, with the page's own words (./messages/) and, when a result is shown, the
 * answer layer's (src/analysis/present/catalogue.ts) in that language. English is in the first
 * load; another language's catalogues are fetched only for a reader of it.
 */
import { translatorOf, type Translator } from '../analysis/present/i18n.js';
import type { Messages } from '../analysis/present/catalogue.js';
import { en } from './messages/en.js';
import { readerLang } from './reader-lang.js';
import { PAGE_LOADERS } from './page-catalogues.js';

export type PageMessages = Translator<typeof en>;

let current: PageMessages = translatorOf<typeof en>('en', en);
let answer: Promise<Messages> | null = null;

/** The page's words in its language. */
export const pageMessages = (): PageMessages => current;

/** Chooses the page's language and loads its words (English when they cannot be loaded, said on the console). */
export async function startLanguage(): Promise<void> {
  const lang = readerLang();
  if (lang !== 'en') {
    try {
      current = translatorOf<typeof en>(lang, await PAGE_LOADERS[lang]());
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
