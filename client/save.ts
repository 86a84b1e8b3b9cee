/**
 * `callprobe run` and its scheduler save a result from the CLI (the page they drive runs with
 * ?save=0) through the one results client (src/protocol/results-client.ts), with the CLI's
 * policy: one POST /api/results with a fresh sampleId, tried again once at once with the same
 * sampleId when no answer (or a 5xx) came (the server stores it once either way); the
 * scheduler's spool retries later.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ResultAck } from '../src/protocol/api.js';
import { ResultsError, uploadResult } from '../src/protocol/results-client.js';
import type { CouldNotTest } from '../src/analysis/schema/could-not-test-schema.js';
import type { Report } from '../src/analysis/schema/report-schema.js';
import type { Lang } from '../src/protocol/lang.js';

export type SaveOutcome =
  | { ok: true; ack: ResultAck; /** The share link, absolute. */ link: string; created: boolean; /** The sampleId it was stored under. */ sampleId: string }
  | { ok: false; reason: string; message: string; /** The HTTP status, or null when no answer came. */ status: number | null };

/** How long one POST may take. */
const SAVE_TIMEOUT_MS = 10_000;
/** Tries of one save: the second only when no answer (or a 5xx) came, without a wait. */
const SAVE_TRIES = 2;

export interface SaveOptions {
  /** The callprobe server's base URL (what run tested against). */
  server: string;
  adminToken: string | null;
  /** Injected for tests and by the scheduler: defaults to a fresh UUID. */
  sampleId?: string;
  /** The summary's language (run --lang): what the server words the result in for a result webhook; absent: English. */
  lang?: Lang;
}

/** POSTs the report (or could-not-test record) as it is, plus a sampleId. Never throws on a refusal or no answer. */
export async function saveResult(record: Report | CouldNotTest, o: SaveOptions): Promise<SaveOutcome> {
  const sampleId = o.sampleId ?? randomUUID();
  try {
    const { ack, created } = await uploadResult<AbortSignal>(record, sampleId, {
      baseUrl: o.server,
      fetch: (url, init) => fetch(url, init),
      sleep: (ms) => delay(ms),
      timeout: (ms) => AbortSignal.timeout(ms),
      attempts: SAVE_TRIES,
      backoffMs: 0,
      timeoutMs: SAVE_TIMEOUT_MS,
      token: o.adminToken,
      ...(o.lang === undefined ? {} : { lang: o.lang }),
    });
    return { ok: true, ack, link: new URL(ack.url, o.server).toString(), created, sampleId };
  } catch (err) {
    if (!(err instanceof ResultsError)) throw err;
    return {
      ok: false,
      // The server's reason where it gave one (e.g. no-token), else what happened.
      reason: err.serverReason ?? (err.reason === 'refused' && err.status !== null ? `http-${err.status}` : err.reason),
      message: err.status === null ? err.message : `HTTP ${err.status}: ${err.message}`,
      status: err.status,
    };
  }
}
