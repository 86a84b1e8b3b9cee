/**
 * The languages callprobe speaks, and how one is chosen for a reader: the page by `?lang=`, then
 * the server's pick for a stored result, then the browser's languages; `/r/<code>` and the
 * console by `?lang=`, then Accept-Language; English when nothing fits. The words themselves are
 * in the catalogues (src/analysis/present/i18n.ts).
 */

/** The languages we ship, as BCP 47 tags (RFC 5646); English first. */
export const LANGS = ['en', 'de', 'fr', 'es', 'ja', 'zh-Hans'] as const;
export type Lang = (typeof LANGS)[number];

/** Languages whose spreadsheets write a decimal comma (the CSV export's `lang`). */
export const DECIMAL_COMMA_LANGS: ReadonlySet<Lang> = new Set<Lang>(['de', 'fr', 'es']);

/**
 * The shipped language that best serves a reader who asked for `wanted`, most wanted first
 * (BCP 47 tags, any case): the first whose language we ship, Chinese only when Simplified
 * (zh-Hans, or zh with no region or another than TW, HK or MO; Traditional is not shipped).
 * Null when none fits.
 */
export function pickLang(wanted: readonly string[]): Lang | null {
  for (const raw of wanted) {
    const [primary = '', ...rest] = raw.trim().toLowerCase().split(/[-_]/);
    if (primary === 'zh') {
      if (rest.some((s) => s === 'hant' || s === 'tw' || s === 'hk' || s === 'mo')) continue;
      return 'zh-Hans';
    }
    const found = LANGS.find((l) => l === primary);
    if (found !== undefined) return found;
  }
  return null;
}

/** Most characters of an Accept-Language header read, and most entries. */
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
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find((x) => x !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((e) => e.tag !== '' && e.tag !== '*' && e.q > 0);
  return entries.sort((a, b) => b.q - a.q || a.i - b.i).map((e) => e.tag);
}

/** The language of a server answer: `?lang=` when it names one we ship, else the best of Accept-Language, else English. */
export function langOfRequest(queryLang: string | undefined, acceptLanguage: string | undefined): Lang {
  return pickLang(queryLang === undefined ? [] : [queryLang]) ?? pickLang(acceptLanguageTags(acceptLanguage)) ?? 'en';
}

/** The page's language: `?lang=` (already parsed), then the server's pick (a stored result's page), then the browser's, then English. */
export function pageLang(asked: Lang | null, served: string | null, browser: readonly string[]): Lang {
  return asked ?? pickLang(served === null ? [] : [served]) ?? pickLang(browser) ?? 'en';
}
