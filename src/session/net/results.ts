/**
 * The page's side of the results store (issue 10): POST /api/results to save a finished test
 * (or a could-not-test record) and GET /api/r/:code to read a shared one. The network is
 * injected (`fetch`, `sleep`), so the retry and every answer are tested against a real server.
 */
import { RESULTS_PATH, SHARED_RESULT_API, type ResultAck, type SharedResult } from '../../protocol/api.js';
import { DEFAULTS } from '../../protocol/defaults.js';

/** The part of `fetch` this client uses (the browser's, Node's, or a test's). */
export type FetchLike = (
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; signal?: AbortSignal; cache?: RequestCache },
) => Promise<{
  status: number;
  ok: boolean;
  text(): Promise<string>;
}>;

export interface ResultsClientOptions {
  /** The server's origin, e.g. location.origin. */
  baseUrl: string;
  fetch: FetchLike;
  /** Waits between tries (setTimeout in the page; tests pass one that records the waits). */
  sleep: (ms: number) => Promise<void>;
  /** Tries in all (default DEFAULTS.resultSaveAttempts). */
  attempts?: number;
  /** Wait before the first retry, doubled each time (default DEFAULTS.resultSaveBackoffMs). */
  backoffMs?: number;
  /** Per-try timeout (default DEFAULTS.resultSaveTimeoutMs). */
  timeoutMs?: number;
}

/**
 * Why a result was not saved or read: `unreachable` (no HTTP answer after every try, or 5xx each
 * time), `refused` (the server answered 4xx: `serverReason` is its reason, e.g. "no-store",
 * "site-needs-operator"), `bad-answer` (2xx that is not the contract's JSON).
 */
export class ResultsError extends Error {
  override readonly name = 'ResultsError';
  constructor(
    readonly reason: 'unreachable' | 'refused' | 'bad-answer',
    message: string,
    readonly status: number | null = null,
    readonly serverReason: string | null = null,
  ) {
    super(message);
  }
}

/** A could-not-test record (POST /api/results accepts it like a report; the store's schema checks it). */
export interface CouldNotTestRecord {
  kind: 'could-not-test';
  /** A machine code: the session's SetupFailureReason or the page's own (internal-error). */
  reason: string;
  message: string;
  /** When it failed, ms since the Unix epoch. */
  atMs: number;
  meta: CouldNotTestMeta;
}

/** What is known of a test that could not run: where, who, and its settings (to run it again). */
export interface CouldNotTestMeta {
  site: string | null;
  ticket: string | null;
  /** ISO 8601 UTC, when the test began. */
  startedAt: string;
  callprobeVersion: string;
  browser: string;
  server: string;
  profile: { id: string; azureRegion: string | null; from: 'site' | 'edge' | null };
  durationS: number;
  /** The relay pick asked for (`?turn=`), or null for the automatic choice. */
  turn: string | null;
}

/** The answer of GET /api/r/:code: the stored result, or none with that code. */
export type SharedLookup = { kind: 'found'; result: SharedResult } | { kind: 'unknown'; message: string };

interface Refusal {
  reason: string | null;
  message: string | null;
}

function readRefusal(text: string): Refusal {
  try {
    const body = JSON.parse(text) as { reason?: unknown; message?: unknown };
    return {
      reason: typeof body.reason === 'string' ? body.reason : null,
      message: typeof body.message === 'string' ? body.message : null,
    };
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
    return { reason: null, message: null };
  }
}

function isAck(v: unknown): v is ResultAck {
  const a = v as Partial<ResultAck> | null;
  return typeof a === 'object' && a !== null && typeof a.id === 'string' && typeof a.code === 'string' && typeof a.url === 'string' && a.code.length > 0;
}

function isShared(v: unknown): v is SharedResult {
  const s = v as Partial<SharedResult> | null;
  return (
    typeof s === 'object' && s !== null && typeof s.code === 'string' && typeof s.storedAtMs === 'number' && typeof s.report === 'object' && s.report !== null
  );
}

function parseJson(text: string, what: string, status: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ResultsError('bad-answer', `${what} answered ${status} without JSON`, status);
  }
}

/** A status worth another try: the server or a proxy in front of it is briefly unwell. */
const retryable = (status: number): boolean => status === 502 || status === 503 || status === 504 || status === 500;

/**
 * POSTs `body` with `sampleId` to /api/results and returns the acknowledgement (201 stored,
 * 200 already stored under this sampleId, so a retry never stores twice). Retries on a
 * network error or a 5xx with doubling waits; a 4xx is final. Throws ResultsError.
 */
export async function saveResult(body: object, sampleId: string, o: ResultsClientOptions): Promise<ResultAck> {
  const attempts = o.attempts ?? DEFAULTS.resultSaveAttempts;
  const timeoutMs = o.timeoutMs ?? DEFAULTS.resultSaveTimeoutMs;
  let waitMs = o.backoffMs ?? DEFAULTS.resultSaveBackoffMs;
  const url = new URL(RESULTS_PATH, o.baseUrl).href;
  const payload = JSON.stringify({ ...body, sampleId });
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      await o.sleep(waitMs);
      waitMs *= 2;
    }
    let res: Awaited<ReturnType<FetchLike>>;
    let text: string;
    try {
      res = await o.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      last = `could not reach the server: ${(err as Error).message}`;
      continue;
    }
    if (res.ok) {
      const ack = parseJson(text, `POST ${RESULTS_PATH}`, res.status);
      if (!isAck(ack)) throw new ResultsError('bad-answer', `POST ${RESULTS_PATH} answered ${res.status} without {id, code, url}`, res.status);
      return ack;
    }
    const refusal = readRefusal(text);
    if (retryable(res.status)) {
      last = `the server answered ${res.status}${refusal.message ? `: ${refusal.message}` : ''}`;
      continue;
    }
    throw new ResultsError('refused', refusal.message ?? `the server answered ${res.status}`, res.status, refusal.reason);
  }
  throw new ResultsError('unreachable', `${last} (${attempts} tries)`);
}

/** GET /api/r/:code once: the stored result, `unknown` on 404, else ResultsError. */
export async function loadShared(code: string, o: Pick<ResultsClientOptions, 'baseUrl' | 'fetch' | 'timeoutMs'>): Promise<SharedLookup> {
  const url = new URL(`${SHARED_RESULT_API}/${encodeURIComponent(code)}`, o.baseUrl).href;
  let res: Awaited<ReturnType<FetchLike>>;
  let text: string;
  try {
    res = await o.fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULTS.resultSaveTimeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw new ResultsError('unreachable', `could not reach the server: ${(err as Error).message}`);
  }
  if (res.status === 404) {
    const refusal = readRefusal(text);
    return { kind: 'unknown', message: refusal.message ?? 'no result has this code' };
  }
  if (!res.ok) {
    const refusal = readRefusal(text);
    throw new ResultsError(
      retryable(res.status) ? 'unreachable' : 'refused',
      refusal.message ?? `the server answered ${res.status}`,
      res.status,
      refusal.reason,
    );
  }
  const body = parseJson(text, `GET ${SHARED_RESULT_API}`, res.status);
  if (!isShared(body)) throw new ResultsError('bad-answer', `GET ${SHARED_RESULT_API} answered ${res.status} without {code, storedAtMs, report}`, res.status);
  return { kind: 'found', result: body };
}
