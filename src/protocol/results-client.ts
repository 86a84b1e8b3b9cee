/**
 * The one client of the results store, for the page, `callprobe run` and the scheduler alike:
 * POST /api/results to save a finished test (or a could-not-test record) and GET /api/r/:code
 * to read a shared one. Everything of the platform is injected (`fetch`, `sleep`, the per-try
 * timeout's signal) and so is the retry policy (tries, first wait, per-try timeout, operator
 * token), so one retry rule serves every caller and is tested once against a real server.
 */
import { RESULTS_PATH, SHARED_RESULT_API, type ResultAck, type SharedResult } from './api.js';
import { DEFAULTS } from './defaults.js';
import { ApiError } from './typed-error.js';
import type { Lang } from './lang.js';

/** What this client hands to `fetch`; `S` is the platform's abort signal (AbortSignal). */
interface FetchInit<S> {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal?: S;
  cache?: 'no-store';
}

/** The part of a fetch answer this client reads. */
interface FetchAnswer {
  status: number;
  ok: boolean;
  text(): Promise<string>;
}

/** The part of `fetch` this client uses (the browser's, Node's, or a test's). */
export type FetchLike<S = unknown> = (url: string, init: FetchInit<S>) => Promise<FetchAnswer>;

export interface ResultsClientOptions<S = unknown> {
  /** The server's URL; its origin is used (e.g. location.origin, or `run --server`). */
  baseUrl: string;
  fetch: FetchLike<S>;
  /** Waits between tries (setTimeout; tests pass one that records the waits). */
  sleep: (ms: number) => Promise<void>;
  /** A signal that aborts after `ms`: the per-try timeout (AbortSignal.timeout). */
  timeout: (ms: number) => S;
  /** Tries in all (default DEFAULTS.resultSaveAttempts). */
  attempts?: number;
  /** Wait before the first retry, doubled each time (default DEFAULTS.resultSaveBackoffMs). */
  backoffMs?: number;
  /** Per-try timeout (default DEFAULTS.resultSaveTimeoutMs). */
  timeoutMs?: number;
  /** The operator token, sent as `Authorization: Bearer` (a result with a site needs it); null or absent: none. */
  token?: string | null;
  /** The language the result was shown in, sent as `Accept-Language` (what the server words it in for a result webhook); absent: the platform's. */
  lang?: Lang;
}

/**
 * Why a result was not saved or read: `unreachable` (no HTTP answer after every try, or 5xx each
 * time), `refused` (the server answered 4xx: `serverReason` is its reason, e.g. "no-store",
 * "site-needs-operator"), `bad-answer` (2xx that is not the contract's JSON). `status` and
 * `serverReason` are those of the last answer, null when none came or it named no reason.
 */
export class ResultsError extends ApiError {
  override readonly name = 'ResultsError';
}

/** An upload stored: the acknowledgement, and whether this try stored it (201) or found it stored under its sampleId (200). */
export interface Uploaded {
  ack: ResultAck;
  created: boolean;
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

/** `path` on the origin of `baseUrl` (scheme://authority), as `new URL(path, baseUrl)` resolves an absolute path. */
function urlOf(baseUrl: string, path: string): string {
  const origin = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i.exec(baseUrl)?.[0] ?? baseUrl.replace(/\/+$/, '');
  return `${origin}${path}`;
}

/** A status worth another try: the server or a proxy in front of it is briefly unwell. */
const retryable = (status: number): boolean => status === 502 || status === 503 || status === 504 || status === 500;

/**
 * POSTs `body` with `sampleId` to /api/results: 201 stored, 200 already stored under this
 * sampleId, so a retry never stores twice. Retries on a network error or a 5xx with doubling
 * waits; a 4xx is final. Throws ResultsError.
 */
export async function uploadResult<S>(body: object, sampleId: string, o: ResultsClientOptions<S>): Promise<Uploaded> {
  const attempts = o.attempts ?? DEFAULTS.resultSaveAttempts;
  const timeoutMs = o.timeoutMs ?? DEFAULTS.resultSaveTimeoutMs;
  let waitMs = o.backoffMs ?? DEFAULTS.resultSaveBackoffMs;
  const url = urlOf(o.baseUrl, RESULTS_PATH);
  const payload = JSON.stringify({ ...body, sampleId });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.token !== undefined && o.token !== null) headers['authorization'] = `Bearer ${o.token}`;
  if (o.lang !== undefined) headers['accept-language'] = o.lang;
  let last = '';
  let lastStatus: number | null = null;
  let lastReason: string | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      await o.sleep(waitMs);
      waitMs *= 2;
    }
    let res: FetchAnswer;
    let text: string;
    try {
      res = await o.fetch(url, { method: 'POST', headers, body: payload, signal: o.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      last = `could not reach the server: ${(err as Error).message}`;
      lastStatus = null;
      lastReason = null;
      continue;
    }
    if (res.ok) {
      const ack = parseJson(text, `POST ${RESULTS_PATH}`, res.status);
      if (!isAck(ack)) throw new ResultsError('bad-answer', `POST ${RESULTS_PATH} answered ${res.status} without {id, code, url}`, res.status);
      return { ack, created: res.status === 201 };
    }
    const refusal = readRefusal(text);
    if (retryable(res.status)) {
      last = `the server answered ${res.status}${refusal.message ? `: ${refusal.message}` : ''}`;
      lastStatus = res.status;
      lastReason = refusal.reason;
      continue;
    }
    throw new ResultsError('refused', refusal.message ?? `the server answered ${res.status}`, res.status, refusal.reason);
  }
  throw new ResultsError('unreachable', `${last} (${attempts} tries)`, lastStatus, lastReason);
}

/** uploadResult's acknowledgement alone (the page's save). Throws ResultsError. */
export async function saveResult<S>(body: object, sampleId: string, o: ResultsClientOptions<S>): Promise<ResultAck> {
  return (await uploadResult(body, sampleId, o)).ack;
}

/** GET /api/r/:code once: the stored result, `unknown` on 404, else ResultsError. */
export async function loadShared<S>(code: string, o: Pick<ResultsClientOptions<S>, 'baseUrl' | 'fetch' | 'timeout' | 'timeoutMs'>): Promise<SharedLookup> {
  const url = urlOf(o.baseUrl, `${SHARED_RESULT_API}/${encodeURIComponent(code)}`);
  let res: FetchAnswer;
  let text: string;
  try {
    res = await o.fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      cache: 'no-store',
      signal: o.timeout(o.timeoutMs ?? DEFAULTS.resultSaveTimeoutMs),
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
