/**
 * The reader's language in the browser, chosen one way for the page and the help desk console:
 * `?lang=`, then the server's pick for a stored result (`<html data-served-lang>`), then the
 * browser's languages (`navigator.languages`, what it sends as Accept-Language), then English
 * (src/protocol/lang.ts). Light: the console's first load carries it.
 */
import { pageLang, pickLang, type Lang } from '../protocol/lang.js';

/** The language this page's reader asked for, as the URL, the server and the browser name it. */
export function readerLang(): Lang {
  const asked = pickLang([new URLSearchParams(location.search).get('lang') ?? '']);
  return pageLang(asked, document.documentElement.dataset['servedLang'] ?? null, navigator.languages);
}
