/**
 * Where `serve --workers 2` (and more) puts a new test, and what admission reads then. The first
 * plane's relay holds the listeners, so every test's allocations start there before they move to
 * the test's plane. A test goes to the plane with the least work by count: the tests open there,
 * and on the first plane also RELAY_SHARE of a test for every test open anywhere. So a burst of
 * tests (all placed before any plane reports its CPU) is shared as well as a steady stream. Where the counts are
 * equal, a reflector plane before the relay's, then the plane whose CPU was least used over its
 * last report (CONSTANTS.admission.reportMs). A plane whose loop runs late (./admission.ts) takes
 * none while another does not; a plane that is down takes none. Pure: the planes' states are
 * handed in.
 */
import type { LoopLateReport } from './admission.js';

export interface PlaneLoad {
  /** Up, and taking commands. */
  up: boolean;
  /** Its loop runs late now (admission's judgement of its own report). */
  busy: boolean;
  /** CPU time in its last report's period (null: no report yet). */
  cpuMs: number | null;
  /** Tests open there now. */
  open: number;
}

/**
 * The first plane's work for one test anywhere, as a share of a test's own work on its plane: its
 * relay makes every test's allocations and answers their set-up before they move to the test's
 * plane (../turn/core/move.ts), and it keeps the port checks' allocations and every TCP and TLS one.
 */
export const RELAY_SHARE = 0.1;

/**
 * The plane a new test goes to (its index; 0 is the relay's), or null when none is up.
 * `relayShare`: 0 when the relay is not the first plane's (`--external-turn`).
 */
export function placeTest(planes: readonly PlaneLoad[], relayShare: number = RELAY_SHARE): number | null {
  const total = planes.reduce((n, p) => n + p.open, 0);
  let best: number | null = null;
  let bestKey: number[] = [];
  planes.forEach((p, i) => {
    if (!p.up) return;
    const work = p.open + (i === 0 ? relayShare * total : 0);
    const key = [p.busy ? 1 : 0, work, i === 0 ? 1 : 0, p.cpuMs ?? 0];
    if (best === null || before(key, bestKey)) {
      best = i;
      bestKey = key;
    }
  });
  return best;
}

/** Whether `a` sorts before `b`, element by element. */
function before(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/**
 * What admission reads for a test that would go to `plane`: its loop and the relay's, bin by bin
 * the worse (both are on its packets' path). Reports are aligned from their newest bin; the result
 * is as old as the older of the two. Null when neither has reported.
 */
export function laterOf(relay: LoopLateReport | null, plane: LoopLateReport | null): LoopLateReport | null {
  if (relay === null || plane === null) return relay ?? plane;
  const n = Math.max(relay.lateMs.length, plane.lateMs.length);
  const at = (r: LoopLateReport, i: number): number => r.lateMs[r.lateMs.length - n + i] ?? 0;
  const lateMs = Array.from({ length: n }, (_, i) => Math.max(at(relay, i), at(plane, i)));
  return { lateMs, atMs: Math.min(relay.atMs, plane.atMs) };
}
