/**
 * Side-by-side rows: truth, callprobe and irtt for each metric, each tool against the truth of
 * its own flow through the same impairment, with the tolerances of the accuracy targets:
 *   RTT p50 within 1 ms + 2 % of the truth; jitter (RFC 3550 J, mean) and mean |IPDV| within
 *   1 ms + 15 %; loss and reorder per direction exactly equal to the proxy's counts (it
 *   attributes every probe datagram); the worst 200 ms burst window within one probe of the
 *   truth's, placed over probes the proxy dropped (see sameWorstBurst).
 */
import type { IrttSummary } from '../impair/irtt.js';
import type { CallprobeFigures } from './harness.js';
import { sameWorstBurst, type FlowTruthMetrics } from './truth.js';

type Verdict = 'ok' | 'out' | 'n/a';

export interface MetricRow {
  metric: 'rtt-p50' | 'loss-count' | 'jitter-mean' | 'ipdv-mean' | 'reorder-count' | 'duplicates' | 'burst-200ms';
  direction: 'up' | 'down' | 'round-trip';
  unit: 'ms' | 'packets' | '%';
  truth: number | null;
  callprobe: number | null;
  callprobeError: number | null;
  callprobeVerdict: Verdict;
  irttTruth: number | null;
  irtt: number | null;
  irttError: number | null;
  irttVerdict: Verdict;
  tolerance: string;
  note?: string;
}

export interface Bases {
  /** Median RTT p50 of the clean runs (the unimpaired path), per tool. */
  callprobeRttMs: number;
  irttRttMs: number;
}

type Check = (measured: number, truth: number) => boolean;
const within =
  (absMs: number, rel: number): Check =>
  (m, t) =>
    Math.abs(m - t) <= absMs + rel * Math.abs(t);
const exact: Check = (m, t) => m === t;

function row(base: Omit<MetricRow, 'callprobeError' | 'callprobeVerdict' | 'irttError' | 'irttVerdict'>, check: Check | null): MetricRow {
  const judge = (m: number | null, t: number | null): { error: number | null; verdict: Verdict } => {
    if (m === null || t === null) return { error: null, verdict: 'n/a' };
    return { error: m - t, verdict: check === null ? 'n/a' : check(m, t) ? 'ok' : 'out' };
  };
  const c = judge(base.callprobe, base.truth);
  const i = judge(base.irtt, base.irttTruth);
  return { ...base, callprobeError: c.error, callprobeVerdict: c.verdict, irttError: i.error, irttVerdict: i.verdict };
}

export function compare(
  cp: CallprobeFigures,
  cpTruth: FlowTruthMetrics,
  irtt: IrttSummary | null,
  irttTruth: FlowTruthMetrics | null,
  bases: Bases,
): MetricRow[] {
  const rows: MetricRow[] = [];
  rows.push(
    row(
      {
        metric: 'rtt-p50',
        direction: 'round-trip',
        unit: 'ms',
        truth: cpTruth.addedRttMsP50 === null ? null : bases.callprobeRttMs + cpTruth.addedRttMsP50,
        callprobe: cp.rttMsP50,
        irttTruth: irttTruth?.addedRttMsP50 === undefined || irttTruth.addedRttMsP50 === null ? null : bases.irttRttMs + irttTruth.addedRttMsP50,
        irtt: irtt?.rtt.medianMs ?? null,
        tolerance: '1 ms + 2 %',
        note: 'truth = clean-path RTT p50 (same tool, same run) + p50 of the delay the proxy added each way',
      },
      within(1, 0.02),
    ),
  );
  for (const d of ['up', 'down'] as const) {
    const c = cp[d];
    const t = cpTruth[d];
    const it = irttTruth?.[d] ?? null;
    const irttLost = irtt ? (d === 'up' ? irtt.lostUpSeqnos.length : irtt.lostDownSeqnos.length) : null;
    rows.push(
      row(
        {
          metric: 'loss-count',
          direction: d,
          unit: 'packets',
          truth: t.lost,
          callprobe: c.packetsLost,
          irttTruth: it?.lost ?? null,
          irtt: irttLost,
          tolerance: 'exact',
        },
        exact,
      ),
      row(
        {
          metric: 'jitter-mean',
          direction: d,
          unit: 'ms',
          truth: t.jitterMeanMs,
          callprobe: c.jitterMeanMs,
          irttTruth: null,
          irtt: null,
          tolerance: '1 ms + 15 %',
          note: 'RFC 3550 J; irtt does not compute it',
        },
        within(1, 0.15),
      ),
      row(
        {
          metric: 'ipdv-mean',
          direction: d,
          unit: 'ms',
          truth: t.meanAbsIpdvMs,
          callprobe: c.meanAbsIpdvMs,
          irttTruth: it?.meanAbsIpdvMs ?? null,
          irtt: irtt ? (d === 'up' ? irtt.ipdvSend.meanMs : irtt.ipdvReceive.meanMs) : null,
          tolerance: '1 ms + 15 %',
        },
        within(1, 0.15),
      ),
      row(
        {
          metric: 'reorder-count',
          direction: d,
          unit: 'packets',
          truth: t.reordered,
          callprobe: c.reordered,
          irttTruth: null,
          irtt: null,
          tolerance: 'exact',
          note: 'irtt reports only round-trip "late packets" (see the round-trip row)',
        },
        exact,
      ),
      row(
        {
          metric: 'duplicates',
          direction: d,
          unit: 'packets',
          truth: t.duplicated,
          callprobe: c.duplicates,
          irttTruth: null,
          irtt: null,
          tolerance: 'not graded',
          note: 'network duplicates never reach a WebRTC data channel: DTLS replay protection (RFC 6347 §4.1.2.6) drops them',
        },
        null,
      ),
      row(
        {
          metric: 'burst-200ms',
          direction: d,
          unit: '%',
          truth: t.worstBurst200ms?.valuePct ?? null,
          callprobe: c.worstBurst200ms?.valuePct ?? null,
          irttTruth: null,
          irtt: null,
          tolerance: 'within one probe, over dropped probes',
          note:
            t.worstBurst200ms && c.worstBurst200ms
              ? `worst window starts at ${(t.worstBurst200ms.startMs / 1000).toFixed(2)} s (truth) and ${(c.worstBurst200ms.startMs / 1000).toFixed(2)} s (callprobe)`
              : 'no window',
        },
        () => sameWorstBurst(c.worstBurst200ms, t.worstBurst200ms, t.lostAtMs),
      ),
    );
  }
  if (irtt && irttTruth) {
    rows.push(
      row(
        {
          metric: 'duplicates',
          direction: 'round-trip',
          unit: 'packets',
          truth: null,
          callprobe: null,
          irttTruth: irttTruth.up.duplicated + irttTruth.down.duplicated,
          irtt: irtt.duplicates,
          tolerance: 'not graded',
          note: 'irtt counts a reply received twice; an up duplicate makes the server reply twice',
        },
        null,
      ),
      row(
        {
          metric: 'reorder-count',
          direction: 'round-trip',
          unit: 'packets',
          truth: null,
          callprobe: null,
          irttTruth: irttTruth.up.reordered + irttTruth.down.reordered,
          irtt: irtt.latePackets,
          tolerance: 'not graded',
          note: 'irtt "late packets" (reply after a higher seqno) vs up + down reordered at the proxy',
        },
        null,
      ),
    );
  }
  return rows;
}
