/**
 * A test that could not run, in the page's language: its title, what failed and where to look
 * (the same words as src/analysis/present/could-not-test-text.ts in English).
 */
import { sideOf } from '../protocol/could-not-finish.js';
import { failureWordsIn, whereWordsIn } from './could-not-run-words.js';
import { pageMessages } from './i18n.js';

/** The title of a test that could not run: a browser that cannot run it is named as the cause, never the network. */
export function couldNotRunTitle(reason: string): string {
  return pageMessages().t(reason === 'browser-unsupported' ? 'fail.titleBrowser' : 'fail.title');
}

/** What failed, in words, by the session's reason codes; an unknown code gets a general sentence. */
export const failureWords = (reason: string): string => failureWordsIn(pageMessages(), reason);

/** Where to look, for a could-not-test reason (and the side it was stored with, when evidence decided it). */
export const whereWords = (reason: string, side?: string | null): string => whereWordsIn(pageMessages(), sideOf(reason, side));
