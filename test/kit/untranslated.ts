/**
 * What the language tests accept as English: the messages a language's catalogues mark
 * `untranslated('...')` (scripts/untranslated.js reads them from the source).
 */
import { untranslatedMessages } from '../../scripts/untranslated.js';

/** Text written from an English message: its placeholders may have been filled with anything. */
function patternOf(english: string): RegExp {
  const parts = english.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('.*?'), 'g');
}

/** `text` less every part an untranslated message of `lang` wrote (`marked` defaults to the catalogues' marks). */
export function withoutUntranslated(text: string, lang: string, marked: ReadonlyArray<{ lang: string; english: string }> = untranslatedMessages()): string {
  return marked
    .filter((m) => m.lang === lang)
    .sort((a, b) => b.english.length - a.english.length)
    .reduce((t, m) => t.replace(patternOf(m.english), ''), text);
}
