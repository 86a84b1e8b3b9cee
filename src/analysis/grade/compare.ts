/**
 * Compare mode as facts: one short stream per reachable rung, each reduced to the figures a
 * call feels (loss, jitter, round trip, reorder), and the worst rung by call impact (loss
 * first, then jitter, then round trip). Informs only: the verdict comes from the main stream.
 */
import { analyzeDirection } from '../measure/direction.js';
import type { DirectionRecords, RoundTripRecords } from '../measure/records.js';
import { analyzeRoundTrip } from '../measure/rtt.js';
import type { CompareResult, Family, Transport } from '../schema/report-schema.js';
import { isServerSideRungError } from './connectivity.js';
import { BURST_WINDOW_MS, SUSTAINED_WINDOW_MS } from './targets.js';

export type CompareRow = CompareResult['rungs'][number];

/** The records of one compare stream (reflector: up and down; loopback: loop). */
export interface CompareRecords {
  up: DirectionRecords | null;
  down: DirectionRecords | null;
  loop: DirectionRecords | null;
  roundTrip: RoundTripRecords;
}

export interface CompareRung {
  transport: Transport;
  port: number;
  family: Family;
}

const worse = (vals: Array<number | null>): number | null => vals.reduce<number | null>((a, v) => (v === null ? a : a === null || v > a ? v : a), null);

/** One rung's figures: the worse direction for loss, jitter and reorder; the round trip's p50. */
export function compareRow(rung: CompareRung, records: CompareRecords, lossTimeoutMs: number): CompareRow {
  const lengths = { burstMs: BURST_WINDOW_MS, sustainedMs: SUSTAINED_WINDOW_MS };
  const dirs = [records.up, records.down, records.loop]
    .filter((d): d is DirectionRecords => d !== null)
    .map((d) => analyzeDirection(d, lossTimeoutMs, lengths));
  const rtt = analyzeRoundTrip(records.roundTrip, []);
  return {
    ...rung,
    reachable: true,
    rttMsP50: rtt.gradedRttMs?.p50 ?? null,
    jitterMs: worse(dirs.map((d) => d.jitter.meanMs)),
    lossPct: worse(dirs.map((d) => d.loss.lossPct)),
    reorderPct: worse(dirs.map((d) => (d.classified.n > 0 ? (100 * d.reorder.reordered) / d.classified.n : null))),
    packetsSent: rtt.probesSent,
    packetsReceived: rtt.echoes,
    error: null,
  };
}

/** A rung that could not carry a compare stream. */
export function unreachableRow(rung: CompareRung, error: string): CompareRow {
  return { ...rung, reachable: false, rttMsP50: null, jitterMs: null, lossPct: null, reorderPct: null, packetsSent: 0, packetsReceived: 0, error };
}

/** Which figure made a rung the worst, for the words. */
export interface WorstFacts {
  rung: CompareRow;
  by: 'loss' | 'jitter' | 'rtt' | 'unreachable';
  /** The best other rung's value of that figure (null for unreachable). */
  bestOtherValue: number | null;
}

/**
 * The worst rung by call impact, with at least two rungs to compare: an unreachable rung
 * first, then the highest loss, then jitter, then round trip, each only when it stands out
 * (loss by more than 0.5 points, jitter by more than 2 ms, round trip by more than 10 ms and
 * 20 %) from the best other rung. Null when no rung stands out. A rung the test server itself
 * refused (isServerSideRungError) is left out of the comparison.
 */
export function worstRung(rows: readonly CompareRow[]): WorstFacts | null {
  // A rung our own server refused (its capacity) says nothing of the network: it is never the worst.
  const judged = rows.filter((r) => r.reachable || !isServerSideRungError(r.error));
  if (judged.length < 2) return null;
  const down = judged.find((r) => !r.reachable);
  if (down && judged.some((r) => r.reachable)) return { rung: down, by: 'unreachable', bestOtherValue: null };
  const measured = judged.filter((r) => r.reachable);
  const rules: Array<{ by: WorstFacts['by']; value: (r: CompareRow) => number | null; standsOut: (worst: number, best: number) => boolean }> = [
    { by: 'loss', value: (r) => r.lossPct, standsOut: (w, b) => w - b > 0.5 },
    { by: 'jitter', value: (r) => r.jitterMs, standsOut: (w, b) => w - b > 2 },
    { by: 'rtt', value: (r) => r.rttMsP50, standsOut: (w, b) => w - b > 10 && w > 1.2 * b },
  ];
  for (const rule of rules) {
    const valued = measured.filter((r) => rule.value(r) !== null);
    if (valued.length < 2) continue;
    const sorted = [...valued].sort((a, b) => (rule.value(b) ?? 0) - (rule.value(a) ?? 0));
    const [worst, ...others] = sorted;
    if (!worst) continue;
    const best = Math.min(...others.map((r) => rule.value(r) ?? 0));
    if (rule.standsOut(rule.value(worst) ?? 0, best)) return { rung: worst, by: rule.by, bestOtherValue: best };
  }
  return null;
}
