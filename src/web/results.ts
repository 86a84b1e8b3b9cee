/**
 * The page saving its result: the browser's fetch and timers handed to the results
 * client, one client-made sampleId per result (a retry or a reload of the same POST stores it
 * once), and the could-not-test record of a test that failed but reached the server.
 */
import { withoutClientAddresses } from '../analysis/report/client-addresses.js';
import type { Report } from '../analysis/schema/report-schema.js';
import type { CouldNotTest } from '../analysis/schema/could-not-test-schema.js';
import { loadShared, ResultsError, saveResult, type ResultsClientOptions, type SharedLookup } from '../protocol/results-client.js';
import type { PageParams } from '../protocol/page-url.js';
import { sideOf } from '../protocol/could-not-finish.js';
import { pageMessages } from './i18n.js';

/**
 * The page's could-not-test record: the schema's (POST /api/results checks it), with every
 * setting the page knows, so the shared page can run the test again.
 */
export type CouldNotTestRecord = CouldNotTest & {
  meta: Required<Pick<CouldNotTest['meta'], 'site' | 'ticket' | 'startedAt' | 'callprobeVersion' | 'browser' | 'server' | 'profile'>> & {
    durationS: number;
    /** The relay pick asked for (`?turn=`), or null for the automatic choice. */
    turn: string | null;
  };
};

/** What the result card shows about saving. `shared`: a stored result opened by its link. */
export type SaveState =
  | { kind: 'off' }
  | { kind: 'saving' }
  | { kind: 'saved'; code: string; url: string }
  | { kind: 'shared'; code: string; url: string }
  | { kind: 'failed'; reason: ResultsError['reason']; message: string };

function pageClient(): ResultsClientOptions<AbortSignal> {
  return {
    baseUrl: location.origin,
    fetch: (url, init) => fetch(url, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    timeout: (ms) => AbortSignal.timeout(ms),
    // The language the page shows: the one a result webhook's answer is worded in.
    lang: pageMessages().lang,
  };
}

/** A sampleId for one result: a UUID where the browser has one (secure contexts), else random hex. */
export function newSampleId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The share link as an absolute URL (the server may answer a path). */
export const absoluteUrl = (url: string): string => new URL(url, location.origin).href;

/** Saves a report or a could-not-test record; resolves with the card's state, never rejects on a save failure. */
export async function save(body: Report | CouldNotTestRecord, sampleId: string): Promise<SaveState> {
  try {
    const ack = await saveResult(body, sampleId, pageClient());
    return { kind: 'saved', code: ack.code, url: absoluteUrl(ack.url) };
  } catch (err) {
    if (err instanceof ResultsError) return { kind: 'failed', reason: err.reason, message: err.message };
    throw err;
  }
}

/** GET /api/r/:code from this page's server. */
export const fetchShared = (code: string): Promise<SharedLookup> => loadShared(code, pageClient());

/** The record of a test that could not run, with its settings so the shared page can run it again. */
export function couldNotTestRecord(p: PageParams, reason: string, message: string, startedAtMs: number, atMs: number): CouldNotTestRecord {
  // The message may quote a browser or server error that names the client's address: scrubbed (client-addresses.ts).
  return withoutClientAddresses<CouldNotTestRecord>({
    kind: 'could-not-test',
    reason,
    message,
    side: sideOf(reason),
    atMs,
    meta: {
      site: p.site,
      ticket: p.ticket,
      startedAt: new Date(startedAtMs).toISOString(),
      callprobeVersion: __CALLPROBE_VERSION__,
      browser: navigator.userAgent,
      server: location.origin,
      profile: { id: p.profile.id, azureRegion: p.profile.azureRegion ?? null, from: p.profile.from ?? null },
      durationS: p.durationS,
      turn: p.turnPick === null ? null : p.turnPick.port === null ? p.turnPick.transport : `${p.turnPick.transport}:${p.turnPick.port}`,
    },
  }).value;
}

/**
 * Whether a failure is worth a could-not-test record: anything but the user's cancel. When the
 * server was not reached (config-unavailable) the save fails too and the card offers the
 * details to copy instead.
 */
export const worthRecording = (reason: string): boolean => reason !== 'cancelled';

/**
 * Why a result was not saved, in words for the person at the page: a refusal in the server's
 * own words, anything else as what it means. The browser's own error text ("Failed to fetch",
 * a retry count) is a developer's detail: it is not shown here.
 */
export function saveFailureWords(reason: ResultsError['reason'], message: string): string {
  switch (reason) {
    case 'refused':
      return `The server did not store it: ${message}`;
    case 'unreachable':
      return 'The server did not answer, even after several tries, so the result is only on this page.';
    case 'bad-answer':
      return 'The server answered something this page could not read, so the result may not be stored.';
  }
}
