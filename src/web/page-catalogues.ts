/**
 * The page's own words in each language but English, each module fetched only when its reader
 * asks (the page by its language, the help desk console for a could-not-test record's words).
 */
import type { CatalogueLoaders } from '../analysis/present/i18n.js';
import type { en } from './messages/en.js';

export const PAGE_LOADERS: CatalogueLoaders<typeof en> = {
  de: async () => (await import('./messages/de.js')).de,
  fr: async () => (await import('./messages/fr.js')).fr,
  es: async () => (await import('./messages/es.js')).es,
  ja: async () => (await import('./messages/ja.js')).ja,
  'zh-Hans': async () => (await import('./messages/zh-Hans.js')).zhHans,
};
