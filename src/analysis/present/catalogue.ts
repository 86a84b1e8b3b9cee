/**
 * The answer layer's catalogue (i18n.ts has the machinery, numbers.ts the printers): English at
 * hand, the default of every function here that words a report, and each other language loaded
 * when first asked for.
 */
import { en } from './messages/en.js';
import { translatorOf, type CatalogueLoaders, type Translator } from './i18n.js';
import { formatterOf, type Formatter } from './numbers.js';
import type { Lang } from '../../protocol/lang.js';

export type MessageKey = keyof typeof en & string;
/** The answer layer's words in one language, and its number printers. */
export type Messages = Translator<typeof en> & { readonly fmt: Formatter };

/** The messages of `lang` from its catalogue. */
const messagesOf = (lang: Lang, cat: Parameters<typeof translatorOf<typeof en>>[1]): Messages => ({
  ...translatorOf<typeof en>(lang, cat),
  fmt: formatterOf(lang, cat),
});

/** English, always at hand (pure: a bundle that does not word a report leaves it out). */
export const EN: Messages = /* @__PURE__ */ messagesOf('en', en);

const LOADERS: CatalogueLoaders<typeof en> = {
  de: async () => (await import('./messages/de.js')).de,
  fr: async () => (await import('./messages/fr.js')).fr,
  es: async () => (await import('./messages/es.js')).es,
  ja: async () => (await import('./messages/ja.js')).ja,
  'zh-Hans': async () => (await import('./messages/zh-Hans.js')).zhHans,
};

/** The answer layer's messages in `lang`, its catalogue loaded on first use. */
export async function loadMessages(lang: Lang): Promise<Messages> {
  return lang === 'en' ? EN : messagesOf(lang, await LOADERS[lang]());
}
