/**
 * The answer layer's catalogue (i18n.ts has the machinery): English at hand, the default of every
 * function here that words a report, and each other language loaded when first asked for.
 */
import { en } from './messages/en.js';
import { translatorOf, type CatalogueLoaders, type Translator } from './i18n.js';
import type { Lang } from '../../protocol/lang.js';

export type MessageKey = keyof typeof en & string;
export type Messages = Translator<typeof en>;

/** English, always at hand. */
export const EN: Messages = translatorOf<typeof en>('en', en);

const LOADERS: CatalogueLoaders<typeof en> = {
  de: async () => (await import('./messages/de.js')).de,
  fr: async () => (await import('./messages/fr.js')).fr,
  es: async () => (await import('./messages/es.js')).es,
  ja: async () => (await import('./messages/ja.js')).ja,
  'zh-Hans': async () => (await import('./messages/zh-Hans.js')).zhHans,
};

/** The answer layer's messages in `lang`, its catalogue loaded on first use. */
export async function loadMessages(lang: Lang): Promise<Messages> {
  return lang === 'en' ? EN : translatorOf<typeof en>(lang, await LOADERS[lang]());
}
