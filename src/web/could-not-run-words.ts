/**
 * What failed and where to look, for a test that could not run, in the words of a page
 * catalogue (./messages/): the page's (./could-not-run.ts) and the help desk console's record of
 * it. The same words as src/analysis/present/could-not-test-text.ts in English.
 */
import type { CouldNotTestSide } from '../protocol/api-console.js';
import type { Translator } from '../analysis/present/i18n.js';
import type { en } from './messages/en.js';

const FAILURE_REASONS = [
  'config-unavailable',
  'signaling-failed',
  'relay-unreachable',
  'relay-refused',
  'ice-failed',
  'channel-not-lossy',
  'reflector-error',
  'version-mismatch',
  'connection-lost',
  'server-busy',
  'browser-unsupported',
  'internal-error',
  'bad-parameters',
] as const;
const isFailureReason = (r: string): r is (typeof FAILURE_REASONS)[number] => (FAILURE_REASONS as readonly string[]).includes(r);

/** What failed, in words, by the session's reason codes; an unknown code gets a general sentence. */
export function failureWordsIn(m: Translator<typeof en>, reason: string): string {
  return isFailureReason(reason) ? m.t(`fail.${reason}`) : m.t('fail.other', { reason });
}

/** Where to look, for the side a could-not-test reason points to (src/analysis/present/could-not-test-text.ts). */
export const whereWordsIn = (m: Translator<typeof en>, side: CouldNotTestSide): string => m.t(`where.${side}`);
