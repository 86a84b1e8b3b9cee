/**
 * What a result webhook receives, read when the post is sent (./delivery.ts): the result's code,
 * ticket, site, verdict and times as stored, its one-line answer worded then in the language of
 * the upload (its Accept-Language: the page sends its own), and its share link on `--public-url`.
 */
import { acceptResult, ReportShapeError } from '../../src/analysis/report/accept.js';
import { answerView, couldNotTestAnswer } from '../../src/analysis/present/answer.js';
import { loadMessages } from '../../src/analysis/present/catalogue.js';
import { SHARED_RESULT_PAGE } from '../../src/protocol/api.js';
import type { Lang } from '../../src/protocol/lang.js';
import type { StoredResult } from '../store/results/types.js';

/** What a result webhook receives (JSON; docs/console.md has a ticketing recipe). */
export interface ResultEvent {
  event: 'result';
  code: string;
  ticket: string | null;
  site: string | null;
  kind: 'report' | 'could-not-test';
  /** pass, fail, insufficient; null for a test that could not run. */
  verdict: string | null;
  /** The one-line answer, as the page says it, in `lang`; null for a stored body callprobe cannot read. */
  answer: string | null;
  lang: Lang;
  /** The share link (`--public-url` + /r/CODE). */
  url: string;
  startedAt: string;
  storedAt: string;
}

/** A stored result as its webhook receives it, worded now in `lang`; its share link on `base` (an origin). */
export async function resultEvent(r: StoredResult, lang: Lang, base: string): Promise<ResultEvent> {
  const m = await loadMessages(lang);
  let answer: string | null;
  try {
    const accepted = acceptResult(JSON.parse(r.reportJson) as unknown);
    answer = accepted.kind === 'report' ? answerView(accepted.report, m).sentence : couldNotTestAnswer(accepted.record.reason, m);
  } catch (err) {
    // A body this build cannot read (not JSON, or of no schema it reads): the rest is posted, without a sentence.
    if (!(err instanceof SyntaxError) && !(err instanceof ReportShapeError)) throw err;
    answer = null;
  }
  return {
    event: 'result',
    code: r.code,
    ticket: r.ticket,
    site: r.site,
    kind: r.kind,
    verdict: r.verdict,
    answer,
    lang,
    url: `${base}${SHARED_RESULT_PAGE}/${r.code}`,
    startedAt: new Date(r.startedAtMs).toISOString(),
    storedAt: new Date(r.storedAtMs).toISOString(),
  };
}

/** `callprobe alerts test`'s event for a result webhook: marked `"test": true`, no result behind it; `base` the share links' origin. */
export function testResultEvent(from: string, base: string, atMs: number): ResultEvent & { test: true } {
  const at = new Date(atMs).toISOString();
  return {
    test: true,
    event: 'result',
    code: 'TEST-TEST',
    ticket: null,
    site: null,
    kind: 'report',
    verdict: null,
    answer: `callprobe test event from ${from}: stored results reach this webhook (no result was stored)`,
    lang: 'en',
    url: `${base}${SHARED_RESULT_PAGE}/TEST-TEST`,
    startedAt: at,
    storedAt: at,
  };
}
