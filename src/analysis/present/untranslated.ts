/**
 * A message of a catalogue that is still English in that language: `'key': untranslated('The
 * English text')`. It is the English text as is (no cost on the page); the mark is read from
 * the source, by the language tests (which accept it where they reject English) and by
 * `node scripts/untranslated.js`, which lists every one (docs/translating.md).
 */
export const untranslated = (english: string): string => english;
