/**
 * The report's `load` section, from the probe records (which ran through the idle window and
 * the busy-line phase alike) and the phase's evidence. `separateLoad` first cuts the records at
 * the phase's start, so the idle grades never see a loaded probe; `loadSection` then measures
 * each loaded direction over its working window against the idle baseline, grades it, and
 * words the verdict. Suspect probes (a hidden page, a stalled sender: this device, not the
 * line) are left out of every figure; a direction where they are the most is not judged.
 */
import { BURST_WINDOW_MS, type ResolvedProfile } from '../grade/targets.js';
import {
  BLOAT_GRADE_SOURCE,
  TEAMS_BANDWIDTH_SOURCE,
  TEAMS_RECOMMENDED_KBPS,
  ARRIVAL_GAP_EXCESS_MS,
  attributeLoadedDelay,
  pageOnlyEvidence,
  bloatGrade,
  deviceBusy,
  tooFewProbes,
  lineHarmOf,
  loadTargets,
  loadVerdictKind,
  roomFor,
  type LoadedDirectionFacts,
  type DelayEvidence,
  type RttViewRise,
} from '../grade/load.js';
import { analyzeDirection } from '../measure/direction.js';
import {
  binsWithin,
  goodputBitsPerS,
  p50p90,
  readingsWithin,
  recordsWithin,
  reflectorClockOffsetMs,
  roundTripsWithin,
  transitsMs,
  withoutSuspect,
  type SendWindow,
} from '../measure/load.js';
import { percentile } from '../measure/percentile.js';
import type { DirectionRecords, RoundTripRecords, SuspectInterval } from '../measure/records.js';
import type { ArrivalBin, OutsideViews, ViewSample } from '../measure/views.js';
import { attributionSentence, loadMethodSentence, loadOutcomeSentence, loadVerdictText, mbps } from '../present/load.js';
import type { AnalysisInput } from '../schema/input.js';
import type { LoadDirectionEvidence, LoadEvidence } from '../schema/load-input.js';
import type { LoadDirectionReport, LoadReport } from '../schema/load-schema.js';
import { DEFAULTS } from '../../protocol/defaults.js';

/** The full records and the phase's evidence, kept for `loadSection` once the idle input is cut. */
export interface LoadContext {
  evidence: LoadEvidence;
  up: DirectionRecords | null;
  down: DirectionRecords | null;
  roundTrip: RoundTripRecords;
  lossTimeoutMs: number;
  /** The views outside the page's JavaScript (network thread, server), null when the test kept none. */
  views: OutsideViews | null;
}

/** Whether the phase loaded the line at all (else nothing is cut). */
const ran = (e: LoadEvidence): boolean => e.up !== null || e.down !== null;

/**
 * The input the idle grades read (every record cut at the phase's start: the up direction and the
 * round trips on the client's clock, the down direction on the reflector's), and what the load
 * section needs. Without `input.load` the input is returned as it is.
 */
export function separateLoad(input: AnalysisInput): { idle: AnalysisInput; load: LoadContext | null } {
  const e = input.load ?? null;
  if (e === null) return { idle: input, load: null };
  const ctx: LoadContext = {
    evidence: e,
    up: input.up,
    down: input.down,
    roundTrip: input.roundTrip,
    lossTimeoutMs: input.lossTimeoutMs,
    views: input.views ?? null,
  };
  if (!ran(e)) return { idle: input, load: ctx };
  const before = (d: DirectionRecords | null, offsetMs: number): DirectionRecords | null =>
    d === null ? null : recordsWithin(d, { fromMs: Number.NEGATIVE_INFINITY, toMs: e.startMs + offsetMs });
  const offset = input.up !== null ? reflectorClockOffsetMs(input.up, input.roundTrip) : null;
  const sent = input.roundTrip.sent.filter((s) => s.sendMs < e.startMs);
  return {
    idle: {
      ...input,
      up: before(input.up, 0),
      // Without a round trip to place the phase on the reflector's clock, no downstream probe is trusted as idle.
      down: input.down === null ? null : offset === null ? { ...input.down, sent: [], arrivals: [] } : before(input.down, offset),
      loop: before(input.loop, 0),
      roundTrip: { sent, samples: input.roundTrip.samples.filter((s) => s.sendMs < e.startMs) },
      // The views of the phase are the phase's: the server busy with the transfers is not the idle test's.
      views: input.views === undefined || input.views === null ? input.views : viewsBefore(input.views, e.startMs),
    },
    load: ctx,
  };
}

/** The views' readings before `toMs` (page clock): an arrival bin by its first probe's send time. */
function viewsBefore(v: OutsideViews, toMs: number): OutsideViews {
  const before = (xs: readonly ViewSample[]): ViewSample[] => xs.filter((x) => x.atMs < toMs);
  return {
    receiveLagMs: before(v.receiveLagMs),
    iceRttMs: before(v.iceRttMs),
    rtcpRttMs: before(v.rtcpRttMs),
    reflectorHoldMs: before(v.reflectorHoldMs),
    upArrivalBins: v.upArrivalBins === null ? null : v.upArrivalBins.filter((b) => b.fromSendMs < toMs),
    serverLoopDelayMs: before(v.serverLoopDelayMs),
  };
}

/** A round-trip reading is the last check's, taken up to this long before it was read: the window's readings run this far past its end. */
const VIEW_READ_LAG_MS = 1000;

/** The median of a set of values (nearest rank), or null when it is empty. */
const p50 = (xs: readonly number[]): number | null => (xs.length === 0 ? null : percentile(xs, 50));

/** Whether a send time falls in one of this device's suspect intervals (a path change is neither the device's nor the server's). */
const deviceSuspectAt = (t: number, suspect: readonly SuspectInterval[]): boolean =>
  suspect.some((s) => s.reason !== 'path-change' && t >= s.startMs && t <= s.endMs);

/**
 * What the views outside the page showed of one loaded direction's working window (client
 * clock), for attributeLoadedDelay. `windowRecords`: the direction's probes sent in the window,
 * suspect ones included (on their own sender's clock, as their suspect intervals are).
 */
export function delayEvidence(
  direction: 'up' | 'down',
  addedDelayMs: number | null,
  w: SendWindow,
  phaseStartMs: number,
  views: OutsideViews | null,
  windowRecords: DirectionRecords | null,
): DelayEvidence {
  const sent = windowRecords?.sent ?? [];
  const deviceSuspect = sent.filter((s) => deviceSuspectAt(s.sendMs, windowRecords?.suspect ?? [])).length;
  const base = pageOnlyEvidence(direction, addedDelayMs, sent.length === 0 ? 0 : deviceSuspect / sent.length);
  if (views === null) return base;
  const idle: SendWindow = { fromMs: Number.NEGATIVE_INFINITY, toMs: phaseStartMs };
  const loadedView: SendWindow = { fromMs: w.fromMs, toMs: w.toMs + VIEW_READ_LAG_MS };
  const rttViews: RttViewRise[] = [];
  for (const [name, samples] of [
    ['ICE', views.iceRttMs],
    ['RTCP', views.rtcpRttMs],
  ] as const) {
    const idleMs = p50(readingsWithin(samples, idle));
    const loaded = readingsWithin(samples, loadedView);
    const loadedMs = p50(loaded);
    if (idleMs !== null && loadedMs !== null) rttViews.push({ name, idleMs, loadedMs, loadedReadings: loaded.length });
  }
  const bins = direction === 'up' ? binsWithin(views.upArrivalBins, w) : [];
  const idleBins = direction === 'up' ? binsWithin(views.upArrivalBins, idle) : [];
  const lags = direction === 'down' ? readingsWithin(views.receiveLagMs, w) : [];
  const holds = readingsWithin(views.reflectorHoldMs, w);
  return {
    ...base,
    rttViews,
    bins: bins.length,
    irregularBins: bins.filter((b) => b.maxGapMs - b.maxSendGapMs > ARRIVAL_GAP_EXCESS_MS).length,
    gapExcessMsP50: p50(bins.map((b) => b.maxGapMs - b.maxSendGapMs).filter((x) => x > ARRIVAL_GAP_EXCESS_MS)),
    standingMs: floorRiseMs(idleBins, bins),
    receiveLags: lags.length,
    receiveLagMsP50: p50(lags),
    holdMsP90: holds.length === 0 ? null : percentile(holds, 90),
    loopDelayMsP50: p50(readingsWithin(views.serverLoopDelayMs, loadedView)),
  };
}

/** The fastest probes' transits of a set of arrival bins (those that kept one). */
const floorsOf = (bins: readonly ArrivalBin[]): number[] => bins.flatMap((b) => (b.minTransitMs === undefined ? [] : [b.minTransitMs]));

/**
 * How much the bins' fastest probes rose from before the phase to the window: the median of the
 * window's bin floors less the median of the idle bins' (one statistic on both sides; the
 * clocks' offset cancels). Null without floors on either side.
 */
export function floorRiseMs(idleBins: readonly ArrivalBin[], windowBins: readonly ArrivalBin[]): number | null {
  const idle = p50(floorsOf(idleBins));
  const loaded = p50(floorsOf(windowBins));
  return idle === null || loaded === null ? null : loaded - idle;
}

/**
 * The added delay, consistent with the loaded round trip it comes from: one direction's added
 * one-way delay is part of the round trip of the same probes (RFC 3550 transit up plus down is
 * the round trip, whatever the clocks' offset), so it never exceeds it. The p50 is cut to the
 * loaded round trip's p50, the p90 to its p90, and the cut is said (a transit window placed by
 * an estimated clock offset, or a different set of probes, is how it could happen).
 */
export function consistentAddedDelay(
  p50Ms: number | null,
  p90Ms: number | null,
  loadedRtt: { p50: number; p90: number } | null,
): { p50: number | null; p90: number | null; capped: boolean } {
  if (loadedRtt === null) return { p50: p50Ms, p90: p90Ms, capped: false };
  const cut = (v: number | null, max: number): number | null => (v === null ? null : Math.min(v, max));
  const capped = (p50Ms !== null && p50Ms > loadedRtt.p50) || (p90Ms !== null && p90Ms > loadedRtt.p90);
  return { p50: cut(p50Ms, loadedRtt.p50), p90: cut(p90Ms, loadedRtt.p90), capped };
}

interface Measured {
  facts: LoadedDirectionFacts;
  report: LoadDirectionReport;
}

function measureDirection(
  direction: 'up' | 'down',
  ev: LoadDirectionEvidence,
  ctx: LoadContext,
  idle: DirectionRecords | null,
  idleRtt: number[],
  offsetMs: number | null,
  profile: ResolvedProfile,
): Measured {
  const e = ctx.evidence;
  const window: SendWindow = { fromMs: Math.max(ev.startMs, ev.endMs - DEFAULTS.load.workingWindowMs), toMs: ev.endMs };
  const full = direction === 'up' ? ctx.up : ctx.down;
  const shift = direction === 'up' ? 0 : offsetMs;
  const loaded = full === null || shift === null ? null : withoutSuspect(recordsWithin(full, { fromMs: window.fromMs + shift, toMs: window.toMs + shift }));
  const idleClean = idle === null ? null : withoutSuspect(idle).records;
  const idleTransit = idleClean === null ? null : p50p90(transitsMs(idleClean, ctx.lossTimeoutMs));
  const loadedTransit = loaded === null ? null : p50p90(transitsMs(loaded.records, ctx.lossTimeoutMs));
  const a =
    loaded === null || loaded.records.sent.length === 0
      ? null
      : analyzeDirection(loaded.records, ctx.lossTimeoutMs, { burstMs: BURST_WINDOW_MS, sustainedMs: window.toMs - window.fromMs });
  // The loaded round trip over the same clean probes as the transits (the up direction's suspect intervals, client clock).
  const loadedRtt = p50p90(roundTripsWithin(ctx.roundTrip, window, ctx.up?.suspect ?? []));
  const goodput = goodputBitsPerS(ev.progress, window);
  const consistent = consistentAddedDelay(
    idleTransit !== null && loadedTransit !== null ? loadedTransit.p50 - idleTransit.p50 : null,
    idleTransit !== null && loadedTransit !== null ? loadedTransit.p90 - idleTransit.p50 : null,
    loadedRtt,
  );
  const added = consistent.p50;
  const probesJudged = loaded?.records.sent.length ?? 0;
  const probesSuspect = loaded?.suspectProbes ?? 0;
  const evidence = delayEvidence(
    direction,
    added,
    window,
    e.startMs,
    ctx.views,
    full === null || shift === null ? null : recordsWithin(full, { fromMs: window.fromMs + shift, toMs: window.toMs + shift }),
  );
  const attribution = attributeLoadedDelay(evidence);
  const facts: LoadedDirectionFacts = {
    direction,
    stop: ev.stop,
    saturated: ev.stop === 'stable',
    goodputBitsPerS: goodput,
    addedDelayMs: added,
    loadedRttMs: loadedRtt?.p50 ?? null,
    jitterMs: a?.jitter.meanMs ?? null,
    lossPct: a?.loss.lossPct ?? null,
    burstLossPctMax200ms: a?.windows.burst.worstAny?.value ?? null,
    probesJudged,
    probesSuspect,
    attribution,
  };
  const bytes = ev.progress.at(-1)?.bytes ?? 0;
  return {
    facts,
    report: {
      goodputMbps: goodput === null ? null : goodput / 1e6,
      bytes: Math.round(bytes),
      saturated: facts.saturated,
      stop: ev.stop,
      durationMs: ev.endMs - ev.startMs,
      windowMs: { fromMs: window.fromMs - e.startMs, toMs: window.toMs - e.startMs },
      addedDelayMs: added,
      addedDelayMsP90: consistent.p90,
      idleRttMs: idleRtt.length > 0 ? percentile(idleRtt, 50) : null,
      loadedRttMs: facts.loadedRttMs,
      jitterMs: facts.jitterMs,
      lossPct: facts.lossPct,
      burstLossPctMax200ms: facts.burstLossPctMax200ms,
      probes: { sent: facts.probesJudged, received: a?.received ?? 0, suspect: facts.probesSuspect },
      targets: loadTargets(facts, profile.targets),
      // The bufferbloat grade is the line's: none for a delay that was this device's or the server's.
      grade: deviceBusy(facts) || tooFewProbes(facts) || attribution.who !== 'network' ? null : bloatGrade(added),
      flows: ev.flows,
      errors: ev.errors.slice(0, 4).map((x) => x.slice(0, 300)),
      attribution: {
        who: attribution.who,
        why: attribution.why,
        sentence: attributionSentence(attribution.why, attribution.excused),
        rttViewRiseMs: evidence.rttViews.length === 0 ? null : Math.max(...evidence.rttViews.map((v) => v.loadedMs - v.idleMs)),
        rttViews: evidence.rttViews.map((v) => ({ name: v.name, riseMs: v.loadedMs - v.idleMs, loadedReadings: v.loadedReadings ?? 1 })),
        standingMs: evidence.standingMs ?? null,
        irregularBinShare: evidence.bins === 0 ? null : evidence.irregularBins / evidence.bins,
        receiveLagMsP50: evidence.receiveLagMsP50,
        serverMs: evidence.holdMsP90 === null && evidence.loopDelayMsP50 === null ? null : Math.max(evidence.holdMsP90 ?? 0, evidence.loopDelayMsP50 ?? 0),
        deviceSuspectShare: evidence.deviceSuspectShare,
        ...(attribution.excused === undefined ? {} : { excused: { ...attribution.excused } }),
      },
      ...(consistent.capped ? { addedDelayCapped: true } : {}),
    },
  };
}

/** The `load` section of the report (idle: the records `separateLoad` cut for the idle grades). */
export function loadSection(ctx: LoadContext, idle: Pick<AnalysisInput, 'up' | 'down' | 'roundTrip'>, profile: ResolvedProfile): LoadReport {
  const e = ctx.evidence;
  const base = {
    budgetBytesPerDirection: e.budgetBytes,
    startedAt: e.startedAt,
    bytes: 0,
    durationMs: Math.max(0, e.endMs - e.startMs),
    up: null,
    down: null,
    capacity: null,
    gradeSource: BLOAT_GRADE_SOURCE,
    method: loadMethodSentence(),
  };
  const idleRtt = idle.roundTrip.samples.map((s) => s.rttMs);
  const offset = ctx.up !== null ? reflectorClockOffsetMs(ctx.up, ctx.roundTrip) : null;
  const up = e.up === null ? null : measureDirection('up', e.up, ctx, idle.up, idleRtt, offset, profile);
  const down = e.down === null ? null : measureDirection('down', e.down, ctx, idle.down, idleRtt, offset, profile);
  const measured = [up, down].filter((m): m is Measured => m !== null);
  const facts = measured.map((m) => m.facts);
  const bytes = measured.reduce((acc, m) => acc + m.report.bytes, 0);
  const withFigures = { ...base, bytes, up: up?.report ?? null, down: down?.report ?? null };
  const kind = e.outcome === null ? loadVerdictKind(facts, profile.targets) : null;
  if (e.outcome !== null || kind === null) {
    const reason = e.outcome?.reason ?? 'device-busy';
    const detail = e.outcome?.detail ?? 'most probes of every loaded direction were sent while this device was busy (suspect intervals)';
    return { ...withFigures, outcome: { reason, detail: detail.slice(0, 400), sentence: loadOutcomeSentence(reason) } };
  }
  const harms = facts.flatMap((f) => {
    const h = lineHarmOf(f, profile.targets);
    return h === null ? [] : [h];
  });
  // Worst first: delay harm by its size, then loss.
  harms.sort(
    (a, b) => (facts.find((f) => f.direction === b.direction)?.addedDelayMs ?? 0) - (facts.find((f) => f.direction === a.direction)?.addedDelayMs ?? 0),
  );
  const upFacts = facts.find((f) => f.direction === 'up') ?? null;
  const downFacts = facts.find((f) => f.direction === 'down') ?? null;
  const items = TEAMS_RECOMMENDED_KBPS.map((need) => ({ ...need, room: roomFor(need, upFacts, downFacts) }));
  const yes = items.filter((i) => i.room === 'yes').map((i) => i.label);
  const no = items.filter((i) => i.room === 'no').map((i) => i.label);
  const rates = facts.filter((f) => f.goodputBitsPerS !== null).map((f) => `${mbps(f.goodputBitsPerS ?? 0)} ${f.direction === 'up' ? 'up' : 'down'}`);
  const sentence =
    (yes.length > 0 ? `The line has room for ${yes.join(', ')}` : 'The line has no room measured for a call') +
    (no.length > 0 ? `, but not for ${no.join(' or ')}` : '') +
    (rates.length > 0
      ? ` (it carried ${rates.join(' and ')}; Microsoft recommends 58 kbit/s for audio and 1.5 Mbit/s for video or screen sharing each way).`
      : '.');
  const report: LoadReport = {
    ...withFigures,
    verdict: { kind, text: loadVerdictText(kind, facts, harms), directions: harms.map((h) => h.direction) },
    capacity: {
      items: items.map(({ use, label, upKbps, downKbps, room }) => ({ use, label, upKbps, downKbps, room })),
      sentence,
      source: TEAMS_BANDWIDTH_SOURCE,
    },
  };
  return report;
}
