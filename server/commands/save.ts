/**
 * `callprobe run` saves its result once, from the CLI (the page it drives runs with ?save=0):
 * one POST /api/results with a fresh sampleId, retried once with the same sampleId when the
 * answer was lost (the server stores it once either way).
 */
import { randomUUID } from 'node:crypto';
import { RESULTS_PATH, type ResultAck } from '../../src/protocol/api.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';

export type SaveOutcome =
  | { ok: true; ack: ResultAck; /** The share link, absolute. */ link: string; created: boolean }
  | { ok: false; reason: string; message: string; /** The HTTP status, or null when no answer came. */ status: number | null };

/** How long one POST may take. */
const SAVE_TIMEOUT_MS = 10_000;
/** Tries of one save: the second only when no answer (or a 5xx) came. */
const SAVE_TRIES = 2;

export interface SaveOptions {
  /** The callprobe server's base URL (what run tested against). */
  server: string;
  adminToken: string | null;
  /** Injected for tests and by the scheduler: defaults to a fresh UUID. */
  sampleId?: string;
}

function isAck(v: unknown): v is ResultAck {
  const a = v as Partial<ResultAck> | null;
  return typeof a === 'object' && a !== null && typeof a.id === 'string' && typeof a.code === 'string' && typeof a.url === 'string';
}

/** POSTs the report (or could-not-test record) as it is, plus a sampleId. Never throws. */
export async function saveResult(record: Report | CouldNotTest, o: SaveOptions): Promise<SaveOutcome> {
  const endpoint = new URL(RESULTS_PATH, o.server);
  const body = JSON.stringify({ ...record, sampleId: o.sampleId ?? randomUUID() });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.adminToken !== null) headers['authorization'] = `Bearer ${o.adminToken}`;
  let last: SaveOutcome = { ok: false, reason: 'not-tried', message: 'not tried', status: null };
  for (let attempt = 0; attempt < SAVE_TRIES; attempt++) {
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(SAVE_TIMEOUT_MS) });
    } catch (err) {
      last = { ok: false, reason: 'unreachable', message: `${endpoint.origin} did not answer: ${(err as Error).message}`, status: null };
      continue;
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch (err) {
      last = { ok: false, reason: 'bad-answer', message: `HTTP ${res.status}, not JSON (${(err as Error).message})`, status: res.status };
      if (res.status >= 500) continue;
      return last;
    }
    if ((res.status === 201 || res.status === 200) && isAck(json)) {
      return { ok: true, ack: json, link: new URL(json.url, o.server).toString(), created: res.status === 201 };
    }
    const refusal = json as { reason?: unknown; message?: unknown } | null;
    last = {
      ok: false,
      reason: typeof refusal?.reason === 'string' ? refusal.reason : `http-${res.status}`,
      message: `HTTP ${res.status}${typeof refusal?.message === 'string' ? `: ${refusal.message}` : ''}`,
      status: res.status,
    };
    if (res.status < 500) return last;
  }
  return last;
}
