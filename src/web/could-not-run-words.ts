/**
 * What failed and where to look, for a test that could not run, in the words of a page
 * catalogue (./messages/): the page's (./could-not-run.ts) and the help desk console's record of
 * it. Every reason of the one list (src/protocol/could-not-finish.ts) has its key, checked by
 * `tsc`; the same words as src/analysis/present/could-not-test-text.ts in English.
 */
import { finishReasonOf, type Side } from '../protocol/could-not-finish.js';
import type { Translator } from '../analysis/present/i18n.js';
import type { en } from './messages/en.js';

/** What failed, in words, by reason; a code this release does not know gets a general sentence. */
export function failureWordsIn(m: Translator<typeof en>, reason: string): string {
  const known = finishReasonOf(reason);
  return known === null ? m.t('fail.other', { reason }) : m.t(`fail.${known}`);
}

/** Where to look, for the side a could-not-test record points to (src/protocol/could-not-finish.ts). */
export const whereWordsIn = (m: Translator<typeof en>, side: Side): string => m.t(`where.${side}`);
