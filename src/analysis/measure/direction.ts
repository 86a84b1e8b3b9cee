/**
 * Everything measured on one direction, composed from the single-concern modules:
 * classification -> jitter, IPDV, reorder, loss pattern, worst windows.
 */
import { clopperPearson } from './confidence.js';
import { type ClassifiedDirection, classifyDirection, Fate, relativeDelays } from './classify.js';
import { directionIpdv, directionJitter, type IpdvResult, type JitterResult, jitterUpperBound, networkJitter, reportedJitter } from './jitter.js';
import { type LossPattern, lossPattern } from './loss.js';
import { type Distribution, distributionOfOwned } from './percentile.js';
import type { DirectionRecords, SuspectInterval } from './records.js';
import { type ReorderResult, rfc4737Reorder } from './reorder.js';
import { lossPctMetric, meanJitterMetric, prepareWindows, scanWindows, sentInSpans, type WindowScan } from './windows.js';

export interface WindowLengths {
  /** Burst-loss window (200 ms in the targets). */
  burstMs: number;
  /** Loss and jitter window (15 s in the targets). */
  sustainedMs: number;
}

export interface DirectionAnalysis {
  classified: ClassifiedDirection;
  intervalMs: number;
  /** Suspect intervals of this direction (sender clock), as given. */
  suspect: readonly SuspectInterval[];
  /** First send time: windows and suspect intervals are reported relative to it. */
  originMs: number | null;
  received: number;
  loss: LossPattern;
  /** Clopper-Pearson 95 % two-sided interval of the whole-test loss ratio, percent. */
  lossCiPct: { lower: number; upper: number } | null;
  /** RFC 5481 PDV: one-way delay minus the direction's minimum, ms. */
  delayVariationMs: Distribution | null;
  jitter: JitterResult;
  /**
   * The jitter the direction reports (measure/jitter.ts reportedJitter): every arrival's, or,
   * where this device's time was attributed, the network's time alone, and whether this device's
   * timing is part of the figure all the same (`device`).
   */
  reportedJitter: { meanMs: number | null; device: boolean };
  ipdv: IpdvResult;
  reorder: ReorderResult;
  windows: { burst: WindowScan; lossSustained: WindowScan; jitterSustained: WindowScan };
  /**
   * Up direction with attribution: the loss windows scanned with only the time where a loss is not
   * proven the path's as suspect (report/attribution.ts), so a loss in the rest of this device's
   * time still counts; absent elsewhere.
   */
  provenLoss?: { burst: WindowScan; lossSustained: WindowScan };
  /**
   * With attribution: the windows scanned with only the page's own suspect intervals as suspect.
   * The views' time (receive lag, the server's hold and loop delay, the recovery after a stall)
   * only adds delay and loss to probes that were sent, so a worst window that meets a target here
   * is a pass for the network too; absent without attributed time. Down loss: only the time of a
   * path change or the server's own send queue is suspect here (`lossPassSuspect`).
   */
  passBasis?: { burst: WindowScan; lossSustained: WindowScan; jitterSustained: WindowScan };
}

interface Span {
  startMs: number;
  endMs: number;
}

/** The device's and the server's time in a direction (measure/attribution.ts), for its window scans. */
export interface AttributedSpans {
  /** Windows touching these are suspect too: never the basis of a pass or, but for `provenLossSuspect`, a fail. */
  attributed: readonly Span[];
  /** Up direction: the only time in which a loss is not proven the path's; null elsewhere. */
  provenLossSuspect: readonly Span[] | null;
  /** This device's and the server's time (their stretches, the device's recovery): left out of the jitter the direction reports. */
  deviceTime?: readonly Span[];
  /**
   * Down direction: the only time of its own a loss pass may not rest on (report/attribution.ts);
   * null (or absent) elsewhere, where it is all the direction's own suspect time.
   */
  lossPassSuspect?: readonly Span[] | null;
}

/** Analyse one direction. `lossTimeoutMs` applies to relative one-way delay. */
export function analyzeDirection(records: DirectionRecords, lossTimeoutMs: number, lengths: WindowLengths, spans?: AttributedSpans): DirectionAnalysis {
  const c = classifyDirection(records, lossTimeoutMs);
  const lost = new Uint8Array(c.n);
  const received = new Uint8Array(c.n);
  for (let i = 0; i < c.n; i++) {
    if (c.fate[i] === Fate.Received) received[i] = 1;
    else lost[i] = 1;
  }
  const loss = lossPattern(lost, c.seq);
  const jitter = directionJitter(c);
  const seqArrival = new Float64Array(c.arrivalOrder.length);
  for (let k = 0; k < seqArrival.length; k++) seqArrival[k] = c.seq[c.arrivalOrder[k] ?? 0] ?? Number.NaN;
  const reorder = rfc4737Reorder(seqArrival, c.seq[0] ?? 0);

  // The numbers never sent between consecutive probes (a skipped tick leaves a gap; an RTP stream numbers only what it sends).
  const unsentBefore = new Float64Array(c.n);
  for (let i = 1; i < c.n; i++) unsentBefore[i] = Math.max(0, (c.seq[i] ?? 0) - (c.seq[i - 1] ?? 0) - 1);
  const series = prepareWindows({ sendMs: c.sendMs, lost, received, jitterMs: jitter.jBySent, unsentBefore });
  const suspect = [...records.suspect.map((s) => ({ startMs: s.startMs, endMs: s.endMs })), ...(spans?.attributed ?? [])];
  const spec = (windowMs: number, among: readonly Span[] = suspect) => ({ windowMs, intervalMs: records.intervalMs, suspect: among });
  const proven = spans?.provenLossSuspect ?? null;
  const own = records.suspect.map((s) => ({ startMs: s.startMs, endMs: s.endMs }));
  const ownForLoss = spans?.lossPassSuspect ?? own;
  const attributed = (spans?.attributed.length ?? 0) > 0;
  const ci = c.n > 0 ? clopperPearson(loss.lost, c.n) : null;
  const deviceTime = spans?.deviceTime ?? [];
  const reported = reportedJitter(jitter, deviceTime.length === 0 ? null : networkJitter(c, sentInSpans(c.sendMs, deviceTime)), deviceTime.length > 0);

  return {
    classified: c,
    intervalMs: records.intervalMs,
    suspect: records.suspect.map((x) => ({ ...x })),
    originMs: c.n > 0 ? (c.sendMs[0] ?? null) : null,
    received: c.arrivalOrder.length,
    loss,
    lossCiPct: ci === null ? null : { lower: ci.lower * 100, upper: ci.upper * 100 },
    delayVariationMs: distributionOfOwned(relativeDelays(c)),
    jitter,
    reportedJitter: reported,
    ipdv: directionIpdv(c),
    reorder,
    windows: {
      burst: scanWindows(series, spec(lengths.burstMs), lossPctMetric),
      lossSustained: scanWindows(series, spec(lengths.sustainedMs), lossPctMetric),
      jitterSustained: scanWindows(series, spec(lengths.sustainedMs), meanJitterMetric),
    },
    ...(attributed
      ? {
          passBasis: {
            burst: scanWindows(series, spec(lengths.burstMs, ownForLoss), lossPctMetric),
            lossSustained: scanWindows(series, spec(lengths.sustainedMs, ownForLoss), lossPctMetric),
            jitterSustained: scanWindows(
              { sendMs: c.sendMs, lost, received, jitterMs: jitter.jBySent, jitterUpperMs: jitterUpperBound(c, sentInSpans(c.sendMs, own)) },
              spec(lengths.sustainedMs, own),
              meanJitterMetric,
            ),
          },
        }
      : {}),
    ...(proven === null
      ? {}
      : {
          provenLoss: {
            burst: scanWindows(series, spec(lengths.burstMs, proven), lossPctMetric),
            lossSustained: scanWindows(series, spec(lengths.sustainedMs, proven), lossPctMetric),
          },
        }),
  };
}
