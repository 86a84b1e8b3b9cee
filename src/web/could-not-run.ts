/**
 * A test that could not run, in the page's language: its title, what failed and where to look
 * (the same words as src/analysis/present/could-not-test-text.ts in English).
 */
import { couldNotTestSide } from '../analysis/present/could-not-test-text.js';
import { pageMessages } from './i18n.js';

/** The title of a test that could not run: a browser that cannot run it is named as the cause, never the network. */
export function couldNotRunTitle(reason: string): string {
  return pageMessages().t(reason === 'browser-unsupported' ? 'fail.titleBrowser' : 'fail.title');
}

const FAILURE_REASONS = [
  'config-unavailable',
  'signaling-failed',
  'relay-unreachable',
  'relay-refused',
  'ice-failed',
  'channel-not-lossy',
  'reflector-error',
  'version-mismatch',
  'server-busy',
  'browser-unsupported',
  'internal-error',
  'bad-parameters',
] as const;
const isFailureReason = (r: string): r is (typeof FAILURE_REASONS)[number] => (FAILURE_REASONS as readonly string[]).includes(r);

/** What failed, in words, by the session's reason codes; an unknown code gets a general sentence. */
export function failureWords(reason: string): string {
  const m = pageMessages();
  return isFailureReason(reason) ? m.t(`fail.${reason}`) : m.t('fail.other', { reason });
}

/** Where to look, for a could-not-test reason. */
export const whereWords = (reason: string): string => pageMessages().t(`where.${couldNotTestSide(reason)}`);
