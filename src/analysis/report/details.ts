/** Report sections built from the measurements: per-direction detail and the summary. */
import type { DirectionAnalysis } from '../measure/direction.js';
import { scaleDistribution } from '../measure/percentile.js';
import type { RoundTripAnalysis } from '../measure/rtt.js';
import type { WindowScan, WindowStat } from '../measure/windows.js';
import type { DirectionDetail, DirectionName, InsufficientCause, RoundTripDetail, Summary, Verdict, WindowResult } from '../schema/report-schema.js';

function windowResult(scan: WindowScan, unit: '%' | 'ms', originMs: number): WindowResult {
  // Start in ms from the direction's first probe; a window ending at a probe's send time can
  // begin before the first probe (same content as one starting at it): report it from 0.
  const rel = (w: WindowStat | null) => (w === null ? null : { ...w, startMs: Math.max(0, w.startMs - originMs) });
  return {
    windowMs: scan.windowMs,
    unit,
    evaluableWindows: scan.evaluable,
    suspectWindows: scan.evaluableSuspect,
    worst: rel(scan.worstClean),
    worstIncludingSuspect: rel(scan.worstAny),
  };
}

export function directionDetail(name: DirectionName, a: DirectionAnalysis): DirectionDetail {
  const c = a.classified;
  const origin = a.originMs ?? 0;
  return {
    direction: name,
    intervalMs: a.intervalMs,
    packetsSent: c.n,
    packetsReceived: a.received,
    packetsLost: a.loss.lost,
    lostNeverArrived: c.missing,
    lostLate: c.late,
    duplicates: c.duplicates,
    unknownArrivals: c.unknownArrivals,
    lossPct: a.loss.lossPct,
    lossConfidence:
      a.lossCiPct === null
        ? { method: 'none', packetsEvaluated: 0, events: null, lowerPct: null, upperPct: null }
        : { method: 'clopper-pearson-95-two-sided', packetsEvaluated: c.n, events: a.loss.lost, lowerPct: a.lossCiPct.lower, upperPct: a.lossCiPct.upper },
    delayVariationMs: a.delayVariationMs,
    jitter: { meanMs: a.reportedJitter.meanMs, finalMs: a.jitter.finalMs, maxMs: a.jitter.maxMs, samples: a.jitter.samples },
    ipdv: { meanAbsMs: a.ipdv.meanAbsMs, pairs: a.ipdv.pairs },
    lossPeriods: a.loss.periods,
    lossDistance: a.loss.distance,
    markov: a.loss.markov,
    windows: {
      burst200ms: windowResult(a.windows.burst, '%', origin),
      loss15s: windowResult(a.windows.lossSustained, '%', origin),
      jitter15s: windowResult(a.windows.jitterSustained, 'ms', origin),
    },
    reorder: {
      packets: a.reorder.packets,
      reordered: a.reorder.reordered,
      ratioPct: a.reorder.ratioPct,
      extentMax: a.reorder.extentMax,
      extentMean: a.reorder.extentMean,
    },
    suspect: a.suspect.map((s) => ({ startMs: s.startMs - origin, endMs: s.endMs - origin, reason: s.reason })),
  };
}

export function roundTripDetail(rt: RoundTripAnalysis): RoundTripDetail {
  return {
    probesSent: rt.probesSent,
    echoes: rt.echoes,
    echoesLost: rt.echoesLost,
    lossPct: rt.lossPct,
    rttMs: rt.rttMs,
    gradedRttMs: rt.gradedRttMs,
    oneWayEstimateMs: rt.gradedRttMs === null ? null : scaleDistribution(rt.gradedRttMs, 0.5),
  };
}

/** The larger of the non-null values, or null. */
function worse(values: ReadonlyArray<number | null>): number | null {
  let out: number | null = null;
  for (const v of values) if (v !== null && (out === null || v > out)) out = v;
  return out;
}

const windowValue = (scan: WindowScan): number | null => (scan.worstClean ?? scan.worstAny)?.value ?? null;

function directionSummary(a: DirectionAnalysis): NonNullable<Summary['upstream']> {
  return { lossPct: a.loss.lossPct, jitterMs: a.reportedJitter.meanMs, reorderPct: a.reorder.ratioPct, packetsLost: a.loss.lost };
}

export interface SummaryInput {
  mode: 'reflector' | 'loopback';
  ratePps: number;
  directions: ReadonlyArray<{ name: DirectionName; analysis: DirectionAnalysis }>;
  roundTrip: RoundTripAnalysis;
  mos: number | null;
  verdict: Verdict;
  /** Why the verdict is insufficient (grade/cause.ts); null for any other. */
  insufficientCause: InsufficientCause | null;
}

/** The summary: for each metric the worse direction. */
export function summarize(input: SummaryInput): Summary {
  const as = input.directions.map((d) => d.analysis);
  // Packet counts come from the direction with the higher loss, so they explain lossPct.
  let lossiest: DirectionAnalysis | null = null;
  for (const a of as) {
    if (lossiest === null || (a.loss.lossPct ?? -1) > (lossiest.loss.lossPct ?? -1)) lossiest = a;
  }
  const find = (n: DirectionName) => input.directions.find((d) => d.name === n)?.analysis ?? null;
  const up = find('up');
  const down = find('down');
  return {
    rttMsP50: input.roundTrip.gradedRttMs?.p50 ?? null,
    rttMsP90: input.roundTrip.gradedRttMs?.p90 ?? null,
    jitterMs: worse(as.map((a) => a.reportedJitter.meanMs)),
    jitterMsMax15s: worse(as.map((a) => windowValue(a.windows.jitterSustained))),
    lossPct: worse(as.map((a) => a.loss.lossPct)),
    lossPctMax15s: worse(as.map((a) => windowValue(a.windows.lossSustained))),
    burstLossPctMax200ms: worse(as.map((a) => windowValue(a.windows.burst))),
    reorderPct: worse(as.map((a) => a.reorder.ratioPct)),
    rttLossPct: input.roundTrip.lossPct,
    duplicates: as.reduce((acc, a) => acc + a.classified.duplicates, 0),
    packetsSent: lossiest?.classified.n ?? 0,
    packetsReceived: lossiest?.received ?? 0,
    ratePps: input.ratePps,
    mos: input.mos,
    upstream: input.mode === 'reflector' && up !== null ? directionSummary(up) : null,
    downstream: input.mode === 'reflector' && down !== null ? directionSummary(down) : null,
    verdict: input.verdict,
    insufficientCause: input.insufficientCause,
  };
}
