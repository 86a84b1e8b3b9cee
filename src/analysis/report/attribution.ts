/**
 * The analysis's attribution step (measure/attribution.ts) and the report's `attribution`
 * section: each direction's device and server intervals, the window spans its grades scan with,
 * the round trips' suspect time on the page clock, what grading reads of it, and the section.
 */
import type { AttributionFacts, BusyReason } from '../grade/grade.js';
import {
  attributeIntervals,
  type AttributedInterval,
  busyDeviceSpans,
  EXCUSE_FACTOR,
  EXCUSE_MARGIN_MS,
  RECEIVE_LAG_MS,
  RECOVERY_MS,
  roundTripSpans,
  SERVER_HOLD_MS,
  SERVER_LOOP_MS,
  viewMedianMs,
  viewsPresent,
  windowAttribution,
  type WindowCounts,
} from '../measure/attribution.js';
import type { DirectionAnalysis } from '../measure/direction.js';
import { percentile } from '../measure/percentile.js';
import type { DirectionRecords } from '../measure/records.js';
import type { OutsideViews } from '../measure/views.js';
import type { AnalysisInput } from '../schema/input.js';
import { ATTRIBUTION_MAX_BINS, ATTRIBUTION_MAX_INTERVALS } from '../schema/attribution-limits.js';
import type { Attribution, DirectionName, GradeEntry, InsufficientCause, Verdict } from '../schema/report-schema.js';
import { insufficientCause } from '../grade/cause.js';
import { type DeviceBusyCount, deviceTooBusy } from '../grade/caution.js';
import { SUSTAINED_WINDOW_MS } from '../grade/targets.js';
import { analyzeDirection, type WindowLengths } from '../measure/direction.js';

interface Span {
  startMs: number;
  endMs: number;
}

/** One direction's device and server time, and the spans its window scans take as suspect. */
interface DirectionAttribution {
  name: DirectionName;
  intervals: AttributedInterval[];
  /** Stretches of the device's or the server's time the excuse by size gave back to the network. */
  lineShown: number;
  /** Up (reflector mode): where a loss is not proven the path's (path changes, the server's time); null elsewhere. */
  provenLossSuspect: Span[] | null;
  /** Down: the only time of its own a loss pass may not rest on (a path change, the server's send queue); null elsewhere. */
  lossPassSuspect: Span[] | null;
}

/** The median round trip of every echo, 0 without one: the slack of the down direction's placement. */
function typicalRoundTripMs(input: AnalysisInput): number {
  const rtts = input.roundTrip.samples.map((s) => s.rttMs);
  return rtts.length === 0 ? 0 : Math.max(0, percentile(rtts, 50));
}

/** Suspect reasons of the sending side: there a probe the page stamped may never have left this device. */
const SENDER_SIDE: ReadonlySet<string> = new Set(['page-hidden', 'sender-stall', 'sender-queue']);

/**
 * The page's own suspect reasons as the down direction carries them: there the page only
 * receives, and every down probe was sent by the server, so a hidden, stalled or busy page can
 * add loss (a probe read too late) but never hide one.
 */
const PAGE_RECEIVING: ReadonlySet<string> = new Set(['page-hidden', 'sender-stall', 'receiver-stall']);

/**
 * A direction's device and server intervals (on its send clock), and for the up direction where
 * a loss is not proven the path's: a path change, the server's time (a busy server can drop at
 * its own socket), and this device's sending side (a hidden page, a stalled or queueing sender)
 * with its second of recovery. Elsewhere (this device busy receiving, or busy in the other
 * direction) the page sent on time and the server never received the probe: lost on the path.
 */
function attributeRecords(name: DirectionName, records: DirectionRecords, input: AnalysisInput): DirectionAttribution {
  const { intervals, lineShown } = attributeIntervals({ name, records, views: input.views, roundTripMs: typicalRoundTripMs(input) });
  const span = (s: Span): Span => ({ startMs: s.startMs, endMs: s.endMs });
  const provenLossSuspect =
    name === 'up'
      ? [
          ...records.suspect.filter((s) => s.reason === 'path-change').map(span),
          ...records.suspect.filter((s) => SENDER_SIDE.has(s.reason)).map((s) => ({ startMs: s.startMs, endMs: s.endMs + RECOVERY_MS })),
          ...intervals.filter((i) => i.who === 'server').map(span),
        ]
      : null;
  // Down loss may pass across the page's own time (it only adds loss), not across a path change or the server's send queue.
  const lossPassSuspect = name === 'down' ? records.suspect.filter((s) => !PAGE_RECEIVING.has(s.reason)).map(span) : null;
  return { name, intervals, lineShown: lineShown.length, provenLossSuspect, lossPassSuspect };
}

/** The round trips' suspect time, on the page clock (measure/attribution.ts roundTripSpans). */
export function roundTripSuspect(client: DirectionRecords | null, input: AnalysisInput): Span[] {
  return roundTripSpans(client, input.views);
}

export interface Counted {
  attribution: DirectionAttribution;
  analysis: DirectionAnalysis;
  windows200ms: WindowCounts;
  windows15s: WindowCounts;
  /** This device's busy time (a hidden page apart), as the caution of a busy device reads it (grade/caution.ts). */
  busy: DeviceBusyCount;
}

/** Each direction's windows by whose time they were. */
function countWindows(a: DirectionAttribution, analysis: DirectionAnalysis, burstMs: number, sustainedMs: number): Counted {
  const send = analysis.classified.sendMs;
  const windows200ms = windowAttribution(send, analysis.intervalMs, a.intervals, burstMs);
  const busySpans = busyDeviceSpans(a.intervals);
  const longestBusyMs = busySpans.reduce((m, i) => (i.reason === 'recovery' ? m : Math.max(m, i.endMs - i.startMs)), 0);
  return {
    attribution: a,
    analysis,
    windows200ms,
    windows15s: windowAttribution(send, analysis.intervalMs, a.intervals, sustainedMs),
    busy: {
      evaluable200ms: windows200ms.network + windows200ms.device + windows200ms.server,
      busy200ms: busySpans.length === 0 ? 0 : windowAttribution(send, analysis.intervalMs, busySpans, burstMs).device,
      longestBusyMs,
    },
  };
}

/**
 * A direction's jitter is marked not the network's alone where this share of its evaluable 200 ms
 * windows or more were the device's or the server's: probes just outside their stretches still
 * carry their lateness (beside CPU-bound work on 2 cores, 86 % of the windows so, the network's
 * time alone read 12.9 ms against the 7.2 ms a proxy injected).
 */
const JITTER_BUSY_SHARE = 0.1;

/**
 * Whether this device's or the server's timing is part of a direction's jitter: leaving their
 * time out moved it (measure/jitter.ts reportedJitter), or their windows were JITTER_BUSY_SHARE or
 * more of the direction's, the figure over 1 ms.
 */
function jitterMarked(c: Counted): boolean {
  const w = c.windows200ms;
  const evaluable = w.network + w.device + w.server;
  const busyShare = evaluable === 0 ? 0 : (w.device + w.server) / evaluable;
  return c.analysis.reportedJitter.device || (busyShare >= JITTER_BUSY_SHARE && (c.analysis.reportedJitter.meanMs ?? 0) > 1);
}

/** Whether this computer was too busy during the test (grade/caution.ts): the summary's `device-busy` caution. */
export function deviceTooBusyOf(counted: readonly Counted[]): boolean {
  return deviceTooBusy(counted.map((c) => c.busy));
}

/**
 * The largest lateness of the device's or the server's time in any direction (measure/attribution.ts
 * lateMs), what the latency's excuse by size reads; null without such time, or where some of it
 * carries no lateness (a hidden page, the sender's own queue: it excuses any delay).
 */
function lateMsMax(counted: readonly Counted[]): number | null {
  const all = counted.flatMap((c) => c.attribution.intervals);
  if (all.length === 0 || all.some((i) => !Number.isFinite(i.lateMs))) return null;
  return Math.max(...all.map((i) => i.lateMs));
}

/** The network thread's round-trip medians on the probes' scale (halved in loopback, as grade/second-opinion.ts compares them). */
function networkRttMs(input: AnalysisInput): AttributionFacts['networkRttMs'] {
  const scale = input.meta.mode === 'loopback' ? 0.5 : 1;
  const scaled = (v: number | null) => (v === null ? null : v * scale);
  const views = input.views ?? null;
  if (views !== null && (views.iceRttMs.length > 0 || views.rtcpRttMs.length > 0)) {
    return { ice: scaled(viewMedianMs(views.iceRttMs)), rtcp: scaled(viewMedianMs(views.rtcpRttMs)) };
  }
  const median = (v: readonly number[] | undefined) => (v === undefined || v.length === 0 ? null : percentile(v, 50));
  return { ice: scaled(median(input.stats?.iceRttMs)), rtcp: scaled(median(input.stats?.rtcpRttMs)) };
}

/** Whose time most suspect 200 ms windows were, null when none was. */
function busyOf(counted: readonly Counted[]): BusyReason | null {
  const device = counted.reduce((n, c) => n + c.windows200ms.device, 0);
  const server = counted.reduce((n, c) => n + c.windows200ms.server, 0);
  if (device + server === 0) return null;
  return server > device ? 'server-busy' : 'device-busy';
}

/** What grading reads: mostly suspect (more than half the evaluable 200 ms windows), whose, and the network thread's round trip. */
export function attributionFacts(counted: readonly Counted[], input: AnalysisInput): AttributionFacts {
  const evaluable = counted.reduce((n, c) => n + c.windows200ms.network + c.windows200ms.device + c.windows200ms.server, 0);
  const suspect = counted.reduce((n, c) => n + c.windows200ms.device + c.windows200ms.server, 0);
  return { mostlySuspect: suspect * 2 > evaluable, busy: busyOf(counted) ?? 'device-busy', networkRttMs: networkRttMs(input), lateMsMax: lateMsMax(counted) };
}

const maxOf = (samples: ReadonlyArray<{ valueMs: number }>): number | null => (samples.length === 0 ? null : Math.max(...samples.map((s) => s.valueMs)));

function upArrivals(views: OutsideViews | null, originMs: number): Attribution['upArrivals'] {
  const bins = views?.upArrivalBins ?? null;
  if (bins === null) return null;
  const widest = [...bins].sort((a, b) => b.maxGapMs - a.maxGapMs || a.fromSendMs - b.fromSendMs).slice(0, ATTRIBUTION_MAX_BINS);
  return {
    bins: bins.length,
    gaps: widest
      .sort((a, b) => a.fromSendMs - b.fromSendMs)
      // The report's fields only (ArrivalBinSchema): the bin's minTransitMs is the analysis's, not the report's.
      .map((b) => ({
        packets: b.packets,
        fromSendMs: tenthMs(b.fromSendMs - originMs),
        toSendMs: tenthMs(b.toSendMs - originMs),
        maxGapMs: tenthMs(b.maxGapMs),
        maxSendGapMs: tenthMs(b.maxSendGapMs),
      })),
  };
}

export interface SectionInput {
  counted: readonly Counted[];
  facts: AttributionFacts;
  roundTrips: { measured: number; clean: number };
  input: AnalysisInput;
}

/** A time as the attribution lists it: to a tenth of a millisecond (its intervals are tens of ms and more). */
function tenthMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The report's `attribution` section; intervals in ms from each direction's first probe. */
export function attributionSection(s: SectionInput): Attribution {
  const views = s.input.views ?? null;
  const timer = s.input.sender.timerErrorMs;
  const upOrigin = s.counted.find((c) => c.attribution.name === 'up' || c.attribution.name === 'loop')?.analysis.originMs ?? 0;
  return {
    views: viewsPresent(views),
    rules: {
      receiveLagMs: RECEIVE_LAG_MS,
      recoveryMs: RECOVERY_MS,
      serverHoldMs: SERVER_HOLD_MS,
      serverLoopMs: SERVER_LOOP_MS,
      excuseFactor: EXCUSE_FACTOR,
      excuseMarginMs: EXCUSE_MARGIN_MS,
    },
    directions: s.counted.map((c) => {
      const origin = c.analysis.originMs ?? 0;
      return {
        direction: c.attribution.name,
        windows200ms: c.windows200ms,
        windows15s: c.windows15s,
        intervals: c.attribution.intervals
          .slice(0, ATTRIBUTION_MAX_INTERVALS)
          .map((i) => ({ startMs: tenthMs(i.startMs - origin), endMs: tenthMs(i.endMs - origin), who: i.who, reason: i.reason })),
        intervalsLeftOut: Math.max(0, c.attribution.intervals.length - ATTRIBUTION_MAX_INTERVALS),
        ...(c.attribution.lineShown > 0 ? { lineShown: c.attribution.lineShown } : {}),
        ...(c.attribution.intervals.length > 0
          ? { jitter: { allArrivalsMs: c.analysis.jitter.meanMs, reportedMs: c.analysis.reportedJitter.meanMs, device: jitterMarked(c) } }
          : {}),
      };
    }),
    mostlySuspect: s.facts.mostlySuspect,
    busy: busyOf(s.counted),
    deviceTooBusy: deviceTooBusyOf(s.counted),
    roundTrips: s.roundTrips,
    networkRttMs: s.facts.networkRttMs,
    device: { timerLateMsP99: timer.length === 0 ? null : percentile(timer, 99), receiveLagMsMax: maxOf(views?.receiveLagMs ?? []) },
    server: { holdMsMax: maxOf(views?.reflectorHoldMs ?? []), loopDelayMsMax: maxOf(views?.serverLoopDelayMs ?? []) },
    upArrivals: upArrivals(views, upOrigin),
  };
}

/** Every direction attributed, analysed with its device and server time as suspect, and its windows counted. */
export function attributeTest(
  named: ReadonlyArray<{ name: DirectionName; records: DirectionRecords }>,
  input: AnalysisInput,
  lengths: WindowLengths,
): Counted[] {
  return named.map((d) => {
    const a = attributeRecords(d.name, d.records, input);
    const analysis = analyzeDirection(d.records, input.lossTimeoutMs, lengths, {
      attributed: a.intervals,
      provenLossSuspect: a.provenLossSuspect,
      lossPassSuspect: a.lossPassSuspect,
      // The device's and the server's time: neither is the network's spacing of the probes.
      deviceTime: a.intervals,
    });
    return countWindows(a, analysis, lengths.burstMs, lengths.sustainedMs);
  });
}

/** `summary.insufficientCause` of an analysed test (grade/cause.ts). */
export function causeOf(
  verdict: Verdict,
  grades: ReadonlyArray<Pick<GradeEntry, 'status' | 'reason'>>,
  named: ReadonlyArray<{ records: DirectionRecords }>,
  section: Attribution,
  input: AnalysisInput,
): InsufficientCause | null {
  const suspectReasons = named.flatMap((d) => d.records.suspect.map((s) => s.reason));
  return insufficientCause({
    verdict,
    unfinished: input.outcome !== null,
    grades,
    suspectReasons,
    busy: section.busy,
    plannedShort: input.meta.durationS * 1000 < SUSTAINED_WINDOW_MS,
  });
}
