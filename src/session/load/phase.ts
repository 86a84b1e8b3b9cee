/**
 * The busy-line phase in the page: after the idle window, while the probes keep running,
 * parallel uploads to the server's load sink until the stop rule (stop-rule.ts), the time cap
 * or the byte budget ends them; a pause for the queue they filled to drain; then parallel
 * downloads from its source the same way. Up to DEFAULTS.load.flowsPerDirection flows per
 * direction over HTTP/1.1 (Chromium's connections per origin), each a loop of fixed-size
 * requests. Returns the evidence the analysis grades (schema/load-input.ts); never throws for
 * what the server or the line does: a refusal or a failure is evidence too.
 */
import { LOAD_DOWN_PATH, LOAD_GRANT_PATH, LOAD_UP_PATH, type LoadGrant, type LoadRefusal } from '../../protocol/api-load.js';
import { DEFAULTS } from '../../protocol/defaults.js';
import type { LoadDirectionEvidence, LoadEvidence, LoadStop } from '../../analysis/schema/load-input.js';
import { goodputBitsPerS, type ProgressPoint } from '../../analysis/measure/load.js';
import { median, StopRule } from './stop-rule.js';
import { loadDrainMs } from './plan.js';
import type { FlowResult, LoadTransport } from './transport.js';

export interface LoadPhaseSetup {
  baseUrl: string;
  transport: LoadTransport;
  signal: AbortSignal;
  now(): number;
  /** Wall-clock ms since the Unix epoch of a `now()` reading (for the report's startedAt). */
  wallMs(nowMs: number): number;
  /** Round trips of the probes that came back since the last call (ms). */
  rttSince(): number[];
  /** What the page says while it loads the line. */
  phase(detail: string): void;
  /** Tests: shorter limits. */
  limits?: Partial<typeof DEFAULTS.load>;
}

const MAX_ERRORS = 4;

/** The live rate is taken over the last this many ms of a direction... */
const LIVE_WINDOW_MS = 2_000;
/** ...never over its first this many ms: there the browser and the system fill their send buffers at this device's speed, not the line's. */
const LIVE_SKIP_MS = 1_000;

/**
 * What the line carried lately in a loaded direction, bits per second: the transfers' progress
 * over the last LIVE_WINDOW_MS, once that window lies past the direction's first LIVE_SKIP_MS
 * (null before: an upload's progress counts the bytes handed to the system, which at first fills
 * its buffers far faster than the line drains them). The same estimator as the report's goodput.
 */
export function liveRateBitsPerS(progress: readonly ProgressPoint[], startMs: number, nowMs: number): number | null {
  const fromMs = nowMs - LIVE_WINDOW_MS;
  return fromMs < startMs + LIVE_SKIP_MS ? null : goodputBitsPerS(progress, { fromMs, toMs: nowMs });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Asks the server for a grant: the grant, or the outcome that says why there is none. */
async function requestGrant(baseUrl: string, signal: AbortSignal): Promise<LoadGrant | { refused: string }> {
  try {
    const res = await fetch(new URL(LOAD_GRANT_PATH, baseUrl), { method: 'POST', signal, cache: 'no-store' });
    const body = (await res.json()) as LoadGrant | LoadRefusal;
    if (res.status === 201 && 'grant' in body) return body;
    return { refused: 'reason' in body ? `${body.reason}: ${body.message}` : `HTTP ${res.status}` };
  } catch (err) {
    return { refused: `the server did not answer the grant: ${(err as Error).message}` };
  }
}

async function loadDirection(direction: 'up' | 'down', grant: LoadGrant, s: LoadPhaseSetup, L: typeof DEFAULTS.load): Promise<LoadDirectionEvidence> {
  const ctrl = new AbortController();
  const stopAll = (): void => ctrl.abort();
  s.signal.addEventListener('abort', stopAll);
  const startMs = s.now();
  const budget = grant.maxBytesPerDirection;
  const flows = Math.min(L.flowsPerDirection, grant.maxFlowsPerSource);
  const moved = new Array<number>(flows).fill(0);
  const errors: string[] = [];
  let reserved = 0;
  let failed = 0;
  let ended = 0;
  const note = (r: FlowResult): void => {
    const text = r.refusal ? `${r.refusal.reason}: ${r.refusal.message}` : r.error;
    if (text !== null && errors.length < MAX_ERRORS && !errors.includes(text)) errors.push(text);
  };
  const flow = async (i: number): Promise<void> => {
    let done = 0;
    try {
      while (!ctrl.signal.aborted) {
        const size = Math.min(L.requestBytes, budget - reserved);
        if (size <= 0) return;
        reserved += size;
        const q = `grant=${encodeURIComponent(grant.grant)}`;
        const onProgress = (n: number): void => {
          moved[i] = done + n;
        };
        const r =
          direction === 'up'
            ? await s.transport.upload(new URL(`${LOAD_UP_PATH}?${q}`, s.baseUrl).href, size, onProgress, ctrl.signal)
            : await s.transport.download(new URL(`${LOAD_DOWN_PATH}?${q}&bytes=${size}`, s.baseUrl).href, onProgress, ctrl.signal);
        done += r.bytes;
        moved[i] = done;
        // What was reserved but not moved is free again (an aborted or refused request).
        reserved -= size - Math.min(size, r.bytes);
        // The server counts the budget by what it read, the page by what its progress events said: at the end of the
        // budget the server may refuse a last request the page still thought fitted. That is the budget, not a failure.
        if (r.refusal?.reason === 'over-budget') return;
        if (r.refusal !== null || r.error !== null) {
          note(r);
          failed++;
          return;
        }
      }
    } finally {
      ended++;
    }
  };
  const running = Array.from({ length: flows }, (_, i) => flow(i));
  const progress: ProgressPoint[] = [{ atMs: startMs, bytes: 0 }];
  const rule = new StopRule({ intervals: L.stopRuleIntervals, spreadPct: L.stopRuleSpreadPct, delayFloorMs: L.stopRuleDelayFloorMs });
  let stop: LoadStop = 'time-cap';
  s.rttSince();
  for (;;) {
    await sleep(L.stopRuleIntervalMs, s.signal);
    const t = s.now();
    const total = moved.reduce((a, b) => a + b, 0);
    const prev = progress.at(-1) as ProgressPoint;
    progress.push({ atMs: t, bytes: total });
    rule.add(((total - prev.bytes) * 8 * 1000) / Math.max(1, t - prev.atMs), median(s.rttSince()));
    const live = liveRateBitsPerS(progress, startMs, t);
    const doing = direction === 'up' ? 'loading the line with uploads' : 'loading the line with downloads';
    s.phase(live === null ? doing : `${doing}: ${(live / 1e6).toFixed(1)} Mbit/s`);
    if (s.signal.aborted) {
      stop = 'cancelled';
      break;
    }
    if (ended === flows) {
      stop = failed === flows ? 'failed' : 'budget';
      break;
    }
    if (t - startMs >= L.directionMinMs && rule.stable()) {
      stop = 'stable';
      break;
    }
    if (t - startMs >= L.directionCapMs) break;
  }
  const endMs = s.now();
  ctrl.abort();
  await Promise.all(running);
  s.signal.removeEventListener('abort', stopAll);
  const last = progress.at(-1) as ProgressPoint;
  const total = moved.reduce((a, b) => a + b, 0);
  if (total !== last.bytes || last.atMs !== endMs) progress.push({ atMs: endMs, bytes: Math.max(total, last.bytes) });
  return { startMs, endMs, progress, flows, stop, errors };
}

/** Waits until the probes' round trip is back near its idle median, at most `maxMs`. */
async function drain(s: LoadPhaseSetup, idleRttMs: number | null, maxMs: number, intervalMs: number): Promise<void> {
  const until = s.now() + maxMs;
  s.phase('letting the line settle');
  while (s.now() < until && !s.signal.aborted) {
    await sleep(intervalMs, s.signal);
    const m = median(s.rttSince());
    if (idleRttMs !== null && m !== null && m <= idleRttMs + Math.max(10, idleRttMs * 0.2)) return;
  }
}

/** Runs the phase: grant, uploads, drain, downloads. */
export async function runLoadPhase(s: LoadPhaseSetup): Promise<LoadEvidence> {
  const L = { ...DEFAULTS.load, ...s.limits };
  const startMs = s.now();
  const idleRttMs = median(s.rttSince());
  s.phase('asking the server to load the line');
  const grant = await requestGrant(s.baseUrl, s.signal);
  if ('refused' in grant) {
    return { budgetBytes: 0, startedAt: null, startMs, endMs: startMs, up: null, down: null, outcome: { reason: 'refused', detail: grant.refused } };
  }
  s.phase(`loading the line: at most ${grant.maxBytesPerDirection / 1e6} MB each way`);
  const up = await loadDirection('up', grant, s, L);
  if (!s.signal.aborted) await drain(s, idleRttMs, loadDrainMs(L), L.stopRuleIntervalMs);
  const down = s.signal.aborted ? null : await loadDirection('down', grant, s, L);
  return { budgetBytes: grant.maxBytesPerDirection, startedAt: new Date(s.wallMs(startMs)).toISOString(), startMs, endMs: s.now(), up, down, outcome: null };
}
