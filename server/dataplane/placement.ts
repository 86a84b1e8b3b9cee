/**
 * Where `serve --workers 2` (and more) puts a new test, and what admission reads then. The first
 * plane holds the relay, so every test's packets cross it; the others hold reflector sessions
 * alone. A test goes to the plane whose CPU was least used over its last report (every
 * DEFAULTS.admission.reportMs), counting each test opened there since that report at
 * `newTestMsPerS` (its cost is not in the report yet): the relay's plane, which also carries
 * every other test's relayed packets, takes fewer tests of its own. CPU is compared in steps of
 * half a test (an idle plane's own ticks are noise); within a step, the plane with fewer tests
 * open, then a reflector plane before the relay's. A plane whose loop runs late (./admission.ts)
 * takes none while another does not; a plane that is down takes none. Pure: the planes' states
 * are handed in.
 */
import type { LoopLateReport } from '../http/admission.js';

export interface PlaneLoad {
  /** Up, and taking commands. */
  up: boolean;
  /** Its loop runs late now (admission's judgement of its own report). */
  busy: boolean;
  /** CPU time in its last report's period (null: no report yet). */
  cpuMs: number | null;
  /** Tests opened there since that report. */
  openedSinceReport: number;
  /** Tests open there now. */
  open: number;
}

/**
 * A test's CPU in ms per second of the report's period, counted for a test not yet in a report:
 * a test's first seconds (set-up, then the stream while its code warms up) cost a plane about
 * 50 ms of CPU a second (docs/benchmarks.md, "What a test costs besides its streaming").
 */
export const NEW_TEST_CPU_MS = 50;

/** The plane a new test goes to (its index; 0 is the relay's), or null when none is up. */
export function placeTest(planes: readonly PlaneLoad[], newTestMsPerS: number = NEW_TEST_CPU_MS): number | null {
  let best: number | null = null;
  let bestKey: number[] = [];
  planes.forEach((p, i) => {
    if (!p.up) return;
    const cpu = (p.cpuMs ?? 0) + p.openedSinceReport * newTestMsPerS;
    const key = [p.busy ? 1 : 0, Math.floor(cpu / (newTestMsPerS / 2)), p.open, i === 0 ? 1 : 0, cpu];
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
