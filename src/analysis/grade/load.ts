/**
 * Grading a busy line: the bufferbloat grade of the added delay, the profile's targets over
 * each loaded direction's working window, whether the load harms a call and how, and the room
 * the line has for a call's media. Facts only; the words are in present/load.ts.
 */
import type { BloatGrade, LoadTarget } from '../schema/load-schema.js';
import type { LoadStop } from '../schema/load-input.js';
import { excusedMs } from '../measure/attribution.js';
import { TARGET_LABELS, type TargetThresholds } from './targets.js';

/**
 * DSLReports, "Bufferbloat Grades" (dslreports.com/faq/17930), the scale the Waveform
 * bufferbloat test uses too: the increase of round-trip delay when the connection is fully
 * used. A+ under 5 ms, A under 30, B under 60, C under 200, D under 400, F at 400 or more.
 * callprobe grades each direction's added one-way delay by it (DSLReports averages the two).
 */
const BLOAT_GRADES: ReadonlyArray<{ grade: BloatGrade; belowMs: number }> = [
  { grade: 'A+', belowMs: 5 },
  { grade: 'A', belowMs: 30 },
  { grade: 'B', belowMs: 60 },
  { grade: 'C', belowMs: 200 },
  { grade: 'D', belowMs: 400 },
];
export const BLOAT_GRADE_SOURCE =
  'DSLReports, "Bufferbloat Grades" (dslreports.com/faq/17930), also used by the Waveform bufferbloat test: A+ < 5 ms, A < 30 ms, B < 60 ms, C < 200 ms, D < 400 ms, F >= 400 ms of added delay';

export function bloatGrade(addedDelayMs: number | null): BloatGrade | null {
  if (addedDelayMs === null || !Number.isFinite(addedDelayMs)) return null;
  return BLOAT_GRADES.find((g) => addedDelayMs < g.belowMs)?.grade ?? 'F';
}

/**
 * Added delay at which a busy line harms a call: grade C or worse. From 60 ms on, the delay
 * the load adds alone is more than the client-to-edge one-way latency target (50 ms) and more
 * than half its round-trip target (100 ms): a conversation starts to talk over itself.
 */
export const HARMFUL_ADDED_DELAY_MS = 60;

/** What one loaded direction measured, as the grader reads it. */
export interface LoadedDirectionFacts {
  direction: 'up' | 'down';
  stop: LoadStop;
  saturated: boolean;
  goodputBitsPerS: number | null;
  addedDelayMs: number | null;
  loadedRttMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  burstLossPctMax200ms: number | null;
  /** Probes left after the suspect ones were removed, and how many were suspect. */
  probesJudged: number;
  probesSuspect: number;
  /** Whose time the delay the load added was (attributeLoadedDelay); absent: the line's, as before views were kept. */
  attribution?: LoadAttribution;
}

/** Fewer probes than this in a working window cannot judge it (a 4 s window holds 400 at 100/s). */
const MIN_LOADED_PROBES = 20;

/** A direction's evidence is the device's, not the line's, when more than this share of its probes was suspect. */
const DEVICE_BUSY_SUSPECT_SHARE = 0.5;

export function deviceBusy(f: Pick<LoadedDirectionFacts, 'probesJudged' | 'probesSuspect'>): boolean {
  const all = f.probesJudged + f.probesSuspect;
  return all > 0 && f.probesSuspect / all > DEVICE_BUSY_SUSPECT_SHARE;
}

/** Too few probes in the working window to judge harm (a direction the budget ended in a blink). */
export function tooFewProbes(f: Pick<LoadedDirectionFacts, 'probesJudged'>): boolean {
  return f.probesJudged < MIN_LOADED_PROBES;
}

/** The profile's targets over a loaded direction's working window (the 15 s targets over a shorter window: marked by the label). */
export function loadTargets(f: LoadedDirectionFacts, t: TargetThresholds): LoadTarget[] {
  // A delay that was this device's or the server's is no evidence about the line: not judged (upstream loss on a busy device still is).
  const who = f.attribution?.who ?? 'network';
  const lossCounts = who === 'network' || (who === 'device' && f.direction === 'up');
  const judge = (value: number | null, threshold: number, counts = who === 'network'): LoadTarget['status'] =>
    value === null || f.probesJudged < MIN_LOADED_PROBES || !counts ? 'insufficient' : value < threshold ? 'pass' : 'fail';
  return [
    { target: 'latency-rtt', label: TARGET_LABELS['latency-rtt'], value: f.loadedRttMs, unit: 'ms', threshold: t.rttMs, status: judge(f.loadedRttMs, t.rttMs) },
    {
      target: 'loss-15s',
      label: 'Packet loss (working window)',
      value: f.lossPct,
      unit: '%',
      threshold: t.lossPct,
      status: judge(f.lossPct, t.lossPct, lossCounts),
    },
    {
      target: 'burst-loss-200ms',
      label: TARGET_LABELS['burst-loss-200ms'],
      value: f.burstLossPctMax200ms,
      unit: '%',
      threshold: t.burstLossPct,
      status: judge(f.burstLossPctMax200ms, t.burstLossPct, lossCounts),
    },
    { target: 'jitter-15s', label: 'Jitter (working window)', value: f.jitterMs, unit: 'ms', threshold: t.jitterMs, status: judge(f.jitterMs, t.jitterMs) },
  ];
}

/** How a loaded direction harms a call, if it does: delay (grade C or worse), loss, jitter. */
export interface LoadHarm {
  direction: 'up' | 'down';
  delay: boolean;
  loss: boolean;
  jitter: boolean;
}

function harmOf(f: LoadedDirectionFacts, t: TargetThresholds): LoadHarm | null {
  if (deviceBusy(f) || tooFewProbes(f)) return null;
  const delay = f.addedDelayMs !== null && f.addedDelayMs >= HARMFUL_ADDED_DELAY_MS;
  const loss = (f.lossPct !== null && f.lossPct >= t.lossPct) || (f.burstLossPctMax200ms !== null && f.burstLossPctMax200ms >= t.burstLossPct);
  const jitter = f.jitterMs !== null && f.jitterMs >= t.jitterMs;
  return delay || loss || jitter ? { direction: f.direction, delay, loss, jitter } : null;
}

export type LoadVerdictKind = 'suffers' | 'no-effect' | 'could-not-load' | 'device-busy' | 'server-busy';

/**
 * The harm a direction does that is the line's: all of it when its delay was the network's;
 * when it was this device's or the server's, only upstream loss on a device that was busy (the
 * page stamped the probe and the server never got it: that is the path's), nothing else.
 */
export function lineHarmOf(f: LoadedDirectionFacts, t: TargetThresholds): LoadHarm | null {
  const h = harmOf(f, t);
  const who = f.attribution?.who ?? 'network';
  if (h === null || who === 'network') return h;
  return who === 'device' && f.direction === 'up' && h.loss ? { direction: h.direction, delay: false, loss: true, jitter: false } : null;
}

/**
 * The verdict's kind: any harm of the line's is `suffers` (even on a line not filled: what was
 * seen is real); harm seen only on the page's clock or made by the server is `server-busy` (any
 * direction the server's) or `device-busy`, never `suffers`; no harm with both directions
 * saturated is `no-effect`; no harm on a line not filled (the time cap or the budget came first,
 * or the flows failed) is `could-not-load`, never a pass. Null when a direction's evidence is
 * this device's (most of its probes suspect) and nothing was harmed elsewhere: no gradable
 * evidence (the outcome `device-busy`).
 */
export function loadVerdictKind(facts: readonly LoadedDirectionFacts[], t: TargetThresholds): LoadVerdictKind | null {
  if (facts.some((f) => lineHarmOf(f, t) !== null)) return 'suffers';
  const notTheLine = facts.filter((f) => harmOf(f, t) !== null);
  if (notTheLine.some((f) => f.attribution?.who === 'server')) return 'server-busy';
  if (notTheLine.length > 0) return 'device-busy';
  if (facts.length === 0 || facts.some(deviceBusy)) return null;
  return facts.length === 2 && facts.every((f) => f.saturated) ? 'no-effect' : 'could-not-load';
}

/** Whose time a loaded direction's added delay was: the network's, this device's or the server's. */
type LoadAttributionWho = 'network' | 'device' | 'server';

/** Why, as facts (the words are in present/load.ts). */
export type LoadAttributionWhy =
  /** Nothing was added to attribute. */
  | 'nothing-added'
  /** The server held probes or its event loop was late during the working window. */
  | 'server-busy'
  /** Up: the server saw the probes arrive after gaps the page's send stamps do not have (held on this device, then sent in a burst). */
  | 'arrival-gaps'
  /** Down: this device handed the echoes to the page late (the worker's clock well after receiveTime). */
  | 'receive-lag'
  /** The network thread's round trip (ICE, RTCP) rose with the probes'. */
  | 'rtt-view-rose'
  /** The network thread's round trip did not rise as the probes' did. */
  | 'rtt-view-flat'
  /** Up: the server's arrivals stayed regular while the transit rose (a queue delays without gaps). */
  | 'arrivals-regular'
  /** Up: the arrivals had gaps, but even the fastest probes stayed late (a queue behind bursty transfers, not a device's burst). */
  | 'standing-queue'
  /** Down: the echoes' arrivals are the network thread's receiveTime, handed on without lag. */
  | 'receive-time'
  /** No view outside the page: this device fell behind in the window (its suspect intervals). */
  | 'page-busy'
  /** No view outside the page, and this device showed no sign of being busy: the line's, as before. */
  | 'no-outside-view';

export interface LoadAttribution {
  who: LoadAttributionWho;
  why: LoadAttributionWhy;
  /**
   * The part of the added delay the server's or this device's own measured lateness can explain
   * (excusedMs of measure/attribution.ts), and whose that lateness was; absent where none was
   * measured. A delay larger than it is the line's where a view of the line shows the rest.
   */
  excused?: { by: 'server' | 'device'; ms: number };
}

/** One round-trip view (ICE currentRoundTripTime, RTCP roundTripTime): its median before the phase and in the working window. */
export interface RttViewRise {
  name: 'ICE' | 'RTCP';
  idleMs: number;
  loadedMs: number;
  /** How many readings the loaded median is of (absent: one). */
  loadedReadings?: number;
}

/** What the views outside the page showed of one loaded direction's working window. */
export interface DelayEvidence {
  direction: 'up' | 'down';
  addedDelayMs: number | null;
  rttViews: readonly RttViewRise[];
  /** Up: the server's arrival bins in the window (0 without a server view), and how many had gaps the sends had not. */
  bins: number;
  irregularBins: number;
  /** Down: the receive lag readings in the window, and their median (null without any). */
  receiveLags: number;
  receiveLagMsP50: number | null;
  /** The reflector's hold p90 and the server's loop delay median in the window, each null without readings. */
  holdMsP90: number | null;
  loopDelayMsP50: number | null;
  /** The page's own evidence: the share of the window's probes sent inside a suspect interval of this device (0..1). */
  deviceSuspectShare: number;
  /**
   * Up: how much the fastest probe of each of the server's arrival bins rose from before the
   * phase (median over the window's bins), ms; null without bins on both sides or their transits.
   */
  standingMs?: number | null;
  /**
   * Up: how much longer than the page's own send gaps the server's arrival gaps were, median over
   * the bins with such gaps (ARRIVAL_GAP_EXCESS_MS or more): how long this device held probes, ms;
   * null (or absent) without such a bin.
   */
  gapExcessMsP50?: number | null;
}

/** The evidence of a direction no view outside the page saw (every view empty), the page's own share given. */
export function pageOnlyEvidence(direction: 'up' | 'down', addedDelayMs: number | null, deviceSuspectShare = 0): DelayEvidence {
  return {
    direction,
    addedDelayMs,
    rttViews: [],
    bins: 0,
    irregularBins: 0,
    receiveLags: 0,
    receiveLagMsP50: null,
    holdMsP90: null,
    loopDelayMsP50: null,
    deviceSuspectShare,
  };
}

/** Added delay below this is nothing to attribute (the A+ grade: under 5 ms). */
const ATTRIBUTION_FLOOR_MS = 5;
/** The server held a probe or its loop ran late by this much: its own time (the verdict's server rule, ~20 ms). */
export const SERVER_BUSY_MS = 20;
/** A bin's longest arrival gap at the server beyond its longest send gap by this much: the probes were held before the relay. */
export const ARRIVAL_GAP_EXCESS_MS = 50;
/** More than this share of the window's bins with such gaps: the arrivals were not regular. */
const IRREGULAR_BIN_SHARE = 0.1;
/** The bins' fastest probes carrying this share of the added delay (median bin): the delay stood under every probe, a queue's. */
const STANDING_SHARE = 0.5;
/** Bins needed to judge the arrivals (1 s of 200 ms bins). */
const MIN_BINS = 5;
/** This device handed echoes to the page this late (median): its own time (the verdict's receive-lag rule, ~50 ms). */
export const RECEIVE_LAG_MS = 50;
/** Receive-lag readings needed to judge (0.2 s of echoes at 100/s). */
const MIN_RECEIVE_LAGS = 20;
/** A round-trip view confirms the delay when it rose by at least the delay minus 5 ms + 25 % (the latency rule's tolerance). */
const VIEW_TOLERANCE_MS = 5;
const VIEW_TOLERANCE_SHARE = 0.25;
/** Without any outside view: this share of the window's probes in this device's suspect intervals makes the device busy. */
const PAGE_BUSY_SHARE = 0.1;

/** Whether a round-trip view's rise shows an added delay (up to the tolerance). */
export function viewConfirms(v: RttViewRise, addedDelayMs: number): boolean {
  return v.loadedMs - v.idleMs >= addedDelayMs - (VIEW_TOLERANCE_MS + VIEW_TOLERANCE_SHARE * addedDelayMs);
}

/** Loaded readings a view needs to confirm on its own. */
const VIEW_READINGS_ALONE = 2;

/**
 * Whether the network thread's round trips show the added delay: a view that rose as much over
 * VIEW_READINGS_ALONE readings or more; or one rising reading that no other view in the window
 * contradicts. A single check can be one late turn of a starved thread: beside CPU-bound work on
 * loopback, where no queue exists, one ICE reading said 171 ms while RTCP, read at the same
 * moment, said 4.1 ms.
 */
export function viewsConfirm(views: readonly RttViewRise[], addedDelayMs: number): boolean {
  const rose = views.filter((v) => viewConfirms(v, addedDelayMs));
  if (rose.some((v) => (v.loadedReadings ?? 1) >= VIEW_READINGS_ALONE)) return true;
  return rose.length > 0 && rose.length === views.length;
}

/**
 * Whether the up delay stood under every probe: the fastest probe of the window's median bin
 * rose by STANDING_SHARE of the added delay or more, on a page that was not busy itself. A
 * queue delays every packet that goes through it, the fastest too; a device that held probes
 * and let them go in a burst lets the last of each burst through with little delay. A slow
 * bottleneck behind bursty transfers makes gaps too (a 2 Mbit/s uplink with a 1 s queue: 40-80 %
 * of the bins, while the fastest probes stayed hundreds of ms late).
 */
function standsUnderEveryProbe(e: DelayEvidence, addedDelayMs: number): boolean {
  const standing = e.standingMs ?? null;
  return standing !== null && standing >= STANDING_SHARE * addedDelayMs && e.deviceSuspectShare < PAGE_BUSY_SHARE;
}

/** The server's own lateness in the window: its hold p90 or loop delay median, the larger, when SERVER_BUSY_MS or more; else null. */
function serverLateMs(e: DelayEvidence): number | null {
  const late = Math.max(e.holdMsP90 ?? 0, e.loopDelayMsP50 ?? 0);
  return late >= SERVER_BUSY_MS ? late : null;
}

/**
 * Whether a view of the line (not the page's clock) shows `restMs` of added delay: the network
 * thread's round trip rose as much (viewsConfirm); up, the server's arrivals stayed regular
 * (MIN_BINS bins at least), or had gaps while even the fastest probes stayed late
 * (standsUnderEveryProbe); down, the echoes were handed on without lag (MIN_RECEIVE_LAGS readings
 * at least). Null when no view of the line shows it.
 */
function lineShows(e: DelayEvidence, restMs: number): LoadAttribution | null {
  if (viewsConfirm(e.rttViews, restMs)) return { who: 'network', why: 'rtt-view-rose' };
  if (e.direction === 'up' && e.bins >= MIN_BINS) {
    if (e.irregularBins / e.bins <= IRREGULAR_BIN_SHARE) return { who: 'network', why: 'arrivals-regular' };
    if (standsUnderEveryProbe(e, restMs)) return { who: 'network', why: 'standing-queue' };
  }
  if (e.direction === 'down' && e.receiveLags >= MIN_RECEIVE_LAGS && e.receiveLagMsP50 !== null && e.receiveLagMsP50 <= RECEIVE_LAG_MS) {
    return { who: 'network', why: 'receive-time' };
  }
  return null;
}

/**
 * The excuse by size: the server's or this device's own measured lateness (`lateMs`) explains at
 * most excusedMs(lateMs) of the added delay (twice it plus 10 ms: measure/attribution.ts). An
 * added delay within that is theirs (`theirs`); the rest is the line's where a view of the line
 * shows it, else theirs all the same (nothing outside the page saw the line add it).
 */
function bySize(e: DelayEvidence, addedMs: number, lateMs: number | null, theirs: LoadAttribution): LoadAttribution {
  if (lateMs === null) return theirs;
  const excused = { by: theirs.who === 'server' ? ('server' as const) : ('device' as const), ms: excusedMs(lateMs) };
  if (addedMs <= excused.ms) return { ...theirs, excused };
  const line = lineShows(e, addedMs - excused.ms);
  return line === null ? { ...theirs, excused } : { ...line, excused };
}

/**
 * Whose time the delay a loaded direction added was. A delay counts as the line's only where a
 * clock outside the page's JavaScript shows it, and the server's or this device's own time
 * excuses only its own size (bySize: at most twice the lateness measured, plus 10 ms; a 20 ms late
 * loop excuses 50 ms of a 990 ms queue, not all of it):
 * 1. The server's own time first: a reflector hold p90 or a loop delay median of SERVER_BUSY_MS
 *    or more in the window is the server's (its stamps, and the relay's, run late with it), up to
 *    its size; the rest is the line's where a view of the line shows it (lineShows).
 * 2. (After the network thread's round trip of 3, checked first: a slow bottleneck spaces probes
 *    out behind each burst of a transfer.) This device's time when an outside view shows it directly: up, more than
 *    IRREGULAR_BIN_SHARE of the server's arrival bins with a gap ARRIVAL_GAP_EXCESS_MS longer
 *    than the page's sends had (a device that held probes makes gaps, then bursts; a queue delays
 *    without gaps), unless the delay stood under every probe (standsUnderEveryProbe: a slow
 *    queue behind bursty transfers gaps the probes too, but never lets one through early);
 *    down, the echoes handed to the page RECEIVE_LAG_MS late at the median. Each up to its size
 *    (the gaps' median excess, the receive lag's median), the rest the line's where shown.
 * 3. The network's when an outside view shows it: the network thread's round trip (ICE, RTCP:
 *    W3C webrtc-stats) in the window rose from before the phase by the added delay (less
 *    5 ms + 25 %), over two readings or with no view saying otherwise (viewsConfirm); or,
 *    up, the arrivals at the server stayed regular (MIN_BINS bins at least) while the transit
 *    rose; or, down, the echoes' arrivals are the network thread's
 *    receiveTime, handed on without lag (MIN_RECEIVE_LAGS readings at least).
 * 4. Round-trip views that were there and all stayed flat, with nothing else outside the page:
 *    this device's (the delay shows only on the page's clock).
 * 5. No view outside the page at all: this device's when PAGE_BUSY_SHARE of the window's probes
 *    were sent while it was busy (its suspect intervals: a late timer, a stall), else the
 *    line's, as before views were kept.
 */
export function attributeLoadedDelay(e: DelayEvidence): LoadAttribution {
  if (e.addedDelayMs === null || e.addedDelayMs < ATTRIBUTION_FLOOR_MS) return { who: 'network', why: 'nothing-added' };
  const added = e.addedDelayMs;
  const serverLate = serverLateMs(e);
  if (serverLate !== null) return bySize(e, added, serverLate, { who: 'server', why: 'server-busy' });
  // The network thread's own round trip rising as much is the line's first: a slow bottleneck
  // with bursty transfers spaces the probes out behind each burst (gaps a device stall makes too).
  if (viewsConfirm(e.rttViews, added)) return { who: 'network', why: 'rtt-view-rose' };
  const binsJudged = e.direction === 'up' && e.bins >= MIN_BINS;
  if (binsJudged && e.irregularBins / e.bins > IRREGULAR_BIN_SHARE) {
    if (standsUnderEveryProbe(e, added)) return { who: 'network', why: 'standing-queue' };
    return bySize(e, added, e.gapExcessMsP50 ?? null, { who: 'device', why: 'arrival-gaps' });
  }
  const lagsJudged = e.direction === 'down' && e.receiveLags >= MIN_RECEIVE_LAGS && e.receiveLagMsP50 !== null;
  if (lagsJudged && (e.receiveLagMsP50 ?? 0) > RECEIVE_LAG_MS) return bySize(e, added, e.receiveLagMsP50, { who: 'device', why: 'receive-lag' });
  if (binsJudged) return { who: 'network', why: 'arrivals-regular' };
  if (lagsJudged) return { who: 'network', why: 'receive-time' };
  if (e.rttViews.length > 0) return { who: 'device', why: 'rtt-view-flat' };
  return e.deviceSuspectShare >= PAGE_BUSY_SHARE ? { who: 'device', why: 'page-busy' } : { who: 'network', why: 'no-outside-view' };
}

/**
 * Microsoft, "Prepare your organization's network for Microsoft Teams", section "Bandwidth
 * requirements": the per-user table, "Recommended" column, one-to-one rows (kbit/s up/down).
 */
export const TEAMS_BANDWIDTH_SOURCE =
  'Microsoft, "Prepare your organization\'s network for Microsoft Teams", section "Bandwidth requirements": recommended bitrates of a one-to-one call';
export const TEAMS_RECOMMENDED_KBPS: ReadonlyArray<{ use: 'audio' | 'video' | 'screen-sharing'; label: string; upKbps: number; downKbps: number }> = [
  { use: 'audio', label: 'audio', upKbps: 58, downKbps: 58 },
  { use: 'video', label: 'HD video', upKbps: 1500, downKbps: 1500 },
  { use: 'screen-sharing', label: 'screen sharing', upKbps: 1500, downKbps: 1500 },
];

/**
 * Room for one use: yes when the goodput measured in both directions reaches Microsoft's
 * recommended bitrate, no when a saturated direction (the line's real capacity) falls short,
 * unknown when a direction was not measured. An unsaturated direction's goodput is a floor:
 * enough is enough, short says nothing.
 */
export function roomFor(
  need: { upKbps: number; downKbps: number },
  up: LoadedDirectionFacts | null,
  down: LoadedDirectionFacts | null,
): 'yes' | 'no' | 'unknown' {
  const one = (f: LoadedDirectionFacts | null, kbps: number): 'yes' | 'no' | 'unknown' => {
    if (f === null || f.goodputBitsPerS === null) return 'unknown';
    if (f.goodputBitsPerS >= kbps * 1000) return 'yes';
    return f.saturated ? 'no' : 'unknown';
  };
  const u = one(up, need.upKbps);
  const d = one(down, need.downKbps);
  return u === 'no' || d === 'no' ? 'no' : u === 'yes' && d === 'yes' ? 'yes' : 'unknown';
}
