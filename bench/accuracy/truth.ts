/**
 * The truth side of the accuracy comparison: what the impairment proxy did to the probe
 * datagrams of the test's flow, turned into the same metrics callprobe reports, computed by
 * the SAME functions the product uses (src/measure/direction.ts) on the proxy's own arrival
 * times and applied delays. Nothing here is measured by the tool under test.
 */
import { analyzeDirection } from '../../src/analysis/measure/direction.js';
import { percentile } from '../../src/analysis/measure/percentile.js';
import type { ArrivalRecord, DirectionRecords, SentRecord } from '../../src/analysis/measure/records.js';
import type { FlowTruth, ProbeRecord, Truth } from '../impair/truth-types.js';

/** The worst 200 ms window: its loss %, start (ms after the direction's first probe), lost and probes in it. */
export interface BurstWindow {
  valuePct: number;
  startMs: number;
  lost: number;
  packets: number;
}

/** Truth metrics of one direction. */
interface DirectionTruthMetrics {
  /** Probe-class datagrams that reached the proxy (pending at stop excluded). */
  probes: number;
  lost: number;
  lossPct: number | null;
  /** Mean RFC 3550 J over the run (the product's jitter function on the applied delays). */
  jitterMeanMs: number | null;
  meanAbsIpdvMs: number | null;
  /** RFC 4737 reordered probes (arrival order at the proxy is the sequence). */
  reordered: number;
  duplicated: number;
  worstBurst200ms: BurstWindow | null;
  /** When each dropped probe reached the proxy, ms after the direction's first probe. */
  lostAtMs: number[];
  /** Applied delay of forwarded probes, in forwarding order. */
  appliedDelaysMs: number[];
}

export interface FlowTruthMetrics {
  flow: string;
  up: DirectionTruthMetrics;
  down: DirectionTruthMetrics;
  /** p50 of (up applied delay + down applied delay), pairing the k-th forwarded probe each way. */
  addedRttMsP50: number | null;
  /** The proxy's own release error (actual minus intended), p99, over every copy it sent. */
  proxyTimingErrorMsP99: number | null;
}

/** The flow that carried the test: the one with the most probe-class datagrams. */
export function testFlow(truth: Truth): FlowTruth {
  let best: FlowTruth | null = null;
  const count = (f: FlowTruth): number => (f.up.probes?.packets.length ?? 0) + (f.down.probes?.packets.length ?? 0);
  for (const f of truth.flows) if (!best || count(f) > count(best)) best = f;
  if (!best) throw new Error('the proxy saw no flow');
  return best;
}

/** The probes of one direction as the product's records: sequence = arrival order at the proxy. */
export function truthRecords(packets: readonly ProbeRecord[], intervalMs: number): DirectionRecords {
  const probes = packets.filter((p) => p.fate !== 'pending');
  const sent: SentRecord[] = probes.map((p, i) => ({ seq: i, sendMs: p.arrivalMs }));
  const forwarded = probes
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.fate === 'forwarded' && p.forwardIndex !== null && p.appliedDelayMs !== null)
    .sort((a, b) => (a.p.forwardIndex ?? 0) - (b.p.forwardIndex ?? 0));
  const arrivals: ArrivalRecord[] = forwarded.map(({ p, i }) => ({ seq: i, sendMs: p.arrivalMs, recvMs: p.arrivalMs + (p.appliedDelayMs ?? 0) }));
  return { sent, arrivals, intervalMs, suspect: [] };
}

function lostTimes(records: DirectionRecords): number[] {
  const arrived = new Set(records.arrivals.map((a) => a.seq));
  const origin = records.sent[0]?.sendMs ?? 0;
  return records.sent.filter((s) => !arrived.has(s.seq)).map((s) => s.sendMs - origin);
}

/**
 * The tool found the burst where the proxy put it: its worst 200 ms window is over a probe
 * the proxy dropped, and its loss % is the truth's within one probe of resolution
 * (100 / probes in the smaller window). Send-time noise moves probes across window edges
 * differently on the tool's clock and the proxy's, and where the other direction's losses
 * left holes (downstream echoes exist only for probes that arrived) windows hold fewer
 * probes, so the percentages may differ by one probe, not by a burst.
 */
export function sameWorstBurst(tool: BurstWindow | null, truth: BurstWindow | null, lostAtMs: readonly number[]): boolean {
  if (!tool || !truth) return tool === truth;
  if (truth.lost === 0) return tool.lost === 0;
  const oneProbePct = 100 / Math.max(1, Math.min(tool.packets, truth.packets));
  return Math.abs(tool.valuePct - truth.valuePct) <= oneProbePct + 1e-9 && windowHoldsTruthLoss(tool.startMs, lostAtMs);
}

/**
 * Whether a window [startMs, startMs + 200) on the tool's clock (ms after its first probe)
 * holds a probe the proxy dropped: the burst was found where it was put. `slopMs` absorbs the
 * send-to-proxy timing noise between the two clocks.
 */
export function windowHoldsTruthLoss(startMs: number, lostAtMs: readonly number[], windowMs = 200, slopMs = 5): boolean {
  return lostAtMs.some((t) => t >= startMs - slopMs && t < startMs + windowMs + slopMs);
}

function directionMetrics(packets: readonly ProbeRecord[], intervalMs: number): DirectionTruthMetrics {
  const records = truthRecords(packets, intervalMs);
  // Nothing the proxy forwards is "late": every forwarded probe arrived.
  const a = analyzeDirection(records, Number.MAX_SAFE_INTEGER, { burstMs: 200, sustainedMs: 15_000 });
  const n = records.sent.length;
  const worst = a.windows.burst.worstAny;
  return {
    probes: n,
    lost: a.loss.lost,
    lossPct: n > 0 ? (100 * a.loss.lost) / n : null,
    jitterMeanMs: a.jitter.meanMs,
    meanAbsIpdvMs: a.ipdv.meanAbsMs,
    reordered: a.reorder.reordered,
    duplicated: packets.filter((p) => p.duplicateAppliedDelayMs !== null).length,
    worstBurst200ms:
      worst && a.originMs !== null ? { valuePct: worst.value, startMs: worst.startMs - a.originMs, lost: worst.lost, packets: worst.packets } : null,
    appliedDelaysMs: records.arrivals.map((r) => r.recvMs - r.sendMs),
    lostAtMs: lostTimes(records),
  };
}

export function flowTruthMetrics(truth: Truth, intervalMs: number): FlowTruthMetrics {
  const f = testFlow(truth);
  const up = directionMetrics(f.up.probes?.packets ?? [], intervalMs);
  const down = directionMetrics(f.down.probes?.packets ?? [], intervalMs);
  const pairs = Math.min(up.appliedDelaysMs.length, down.appliedDelaysMs.length);
  const sums = Array.from({ length: pairs }, (_, k) => (up.appliedDelaysMs[k] ?? 0) + (down.appliedDelaysMs[k] ?? 0));
  return {
    flow: `${f.client} -> ${f.target}`,
    up,
    down,
    addedRttMsP50: sums.length > 0 ? percentile(sums, 50) : null,
    proxyTimingErrorMsP99: truth.timing.errorMs.count > 0 ? truth.timing.errorMs.p99 : null,
  };
}
