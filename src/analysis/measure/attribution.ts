/**
 * Whose time a window was: the network's, this device's or the server's.
 *
 * A window is evidence about the network only where the clocks that do not run through the
 * page's JavaScript agree with it. This device and the server can only add delay, jitter and
 * loss, and can hide evidence (a stalled sender sends nothing), so every stretch of time where
 * either was seen falling behind is marked as theirs, and the grader lets only the rest (the
 * network's windows) fail a target.
 *
 * Device intervals (on the send clock of the direction they are attached to):
 * - the page's own suspect intervals: page-hidden, sender-stall, sender-queue, receiver-stall
 *   (path-change stays suspect, but it is neither the device's nor the server's);
 * - receive-lag: the transform worker read an echo more than RECEIVE_LAG_MS after the browser's
 *   network thread received it (the frame's receiveTime, W3C WebRTC Encoded Transform), from
 *   the receiveTime to the worker's read, on the directions this page receives (down, loop);
 * - recovery: RECOVERY_MS after the end of each of the above. A device that stalled leaves a
 *   backlog (a timer catching up, queued sends and reads) that still disturbs the first second
 *   after it runs again.
 * Server intervals, on every direction:
 * - server-hold: the reflector held a probe more than SERVER_HOLD_MS before echoing it, from
 *   the probe's send time to that plus the hold;
 * - server-loop: the server's event loop ran more than SERVER_LOOP_MS late, from the reading's
 *   time to that plus the delay.
 * Every view is on the page clock (the up direction's send clock, measure/views.ts). The up and
 * loop directions are sent on that clock; the down direction is sent on the server's, so a page
 * time t is placed there at t - the smallest down transit (recvMs - sendMs, which holds the
 * unknown offset between the clocks) and widened by one median round trip on each side: the
 * probe a server event touched was sent down within one round trip of it.
 *
 * Intervals of one reason closer than MERGE_GAP_MS are joined: no 200 ms window fits in such a
 * gap, so joining changes no window's attribution, and it keeps the lists short.
 *
 * Each interval is weighed by its size (excuseBySize): the device's or the server's lateness
 * explains at most EXCUSE_FACTOR times it plus EXCUSE_MARGIN_MS of a delay. Where the probes sent
 * in an interval were delayed more than that, and a view of the line (the network thread's round
 * trip, the server's arrival spacing) shows the rest, the interval is no excuse: its time is the
 * network's.
 *
 * A window [s, s + W) touching a device interval is the device's; else touching a server
 * interval, the server's; else the network's. The counts are over the evaluable windows of
 * measure/windows.ts (the same positions the grader scans), so they add up to its count.
 */
import { percentile } from './percentile.js';
import type { DirectionRecords, SuspectInterval } from './records.js';
import type { OutsideViews, ViewSample } from './views.js';
import { lossPctMetric, scanWindows } from './windows.js';

/** An echo the worker read this much later than its receiveTime marks this device busy, ms. */
export const RECEIVE_LAG_MS = 50;
/** How long after a device interval the device is still taken to be catching up, ms. */
export const RECOVERY_MS = 1000;
/** A reflector hold above this marks the server busy, ms. */
export const SERVER_HOLD_MS = 20;
/** An event-loop delay above this marks the server busy, ms. */
export const SERVER_LOOP_MS = 20;
/** Intervals of one reason closer than this are joined (the shortest window graded), ms. */
const MERGE_GAP_MS = 200;
/**
 * The excuse by size: a late server or a busy device explains at most EXCUSE_FACTOR times its
 * measured lateness plus EXCUSE_MARGIN_MS of an added delay. A reading of the server's loop
 * delay or the reflector's hold is its worst moment; a probe that waited behind it waits at most
 * that long, once on the way in and once more on the way out (the factor), and the margin takes
 * the clocks' and the scheduler's own few milliseconds. The rest of a larger delay is the line's
 * where a view of the line shows it (ICE and RTCP round trips, the server's arrival spacing): a
 * loop 20 ms late excuses 50 ms, never a 990 ms queue.
 */
export const EXCUSE_FACTOR = 2;
export const EXCUSE_MARGIN_MS = 10;

/** How much of an added delay a lateness of `lateMs` explains at most (EXCUSE_FACTOR, EXCUSE_MARGIN_MS), ms. */
export function excusedMs(lateMs: number): number {
  return EXCUSE_FACTOR * Math.max(0, lateMs) + EXCUSE_MARGIN_MS;
}

type Who = 'device' | 'server';

/** Why a stretch of time was the device's or the server's. */
type AttributionReason = Exclude<SuspectInterval['reason'], 'path-change'> | 'receive-lag' | 'recovery' | 'server-hold' | 'server-loop';

export interface AttributedInterval {
  /** On the send clock of the direction. */
  startMs: number;
  endMs: number;
  who: Who;
  reason: AttributionReason;
  /**
   * How late the device or the server was in it, ms: the largest reading it was made of (a hold,
   * a loop delay, a receive lag), a stall's own length, a recovery its stall's; Infinity where no
   * lateness is measured (a hidden page, the sender's own queue): such time excuses any delay.
   */
  lateMs: number;
}

/** Which views outside the page's JavaScript the test had. */
export interface ViewsPresent {
  receiveLag: boolean;
  iceRtt: boolean;
  rtcpRtt: boolean;
  reflectorHold: boolean;
  upArrivals: boolean;
  serverLoop: boolean;
}

export interface WindowCounts {
  network: number;
  device: number;
  server: number;
}

/** The direction names of measure: up and loop are sent on the page clock, down on the server's. */
export type AttributedDirection = 'up' | 'down' | 'loop';

const WHO: Readonly<Record<AttributionReason, Who>> = {
  'page-hidden': 'device',
  'sender-stall': 'device',
  'sender-queue': 'device',
  'receiver-stall': 'device',
  'receive-lag': 'device',
  recovery: 'device',
  'server-hold': 'server',
  'server-loop': 'server',
};

export function viewsPresent(views: OutsideViews | null | undefined): ViewsPresent {
  return {
    receiveLag: (views?.receiveLagMs.length ?? 0) > 0,
    iceRtt: (views?.iceRttMs.length ?? 0) > 0,
    rtcpRtt: (views?.rtcpRttMs.length ?? 0) > 0,
    reflectorHold: (views?.reflectorHoldMs.length ?? 0) > 0,
    upArrivals: (views?.upArrivalBins ?? null) !== null,
    serverLoop: (views?.serverLoopDelayMs.length ?? 0) > 0,
  };
}

/** How page-clock times are placed on a direction's send clock. */
export interface ClockPlacement {
  /** Added to a page-clock time. */
  shiftMs: number;
  /** Added on each side of a placed interval. */
  slackMs: number;
}

/**
 * The placement of page-clock times on a direction's send clock: none for up and loop; for down
 * minus the smallest transit, with one round trip of slack. Null for a down direction with no
 * arrival (nothing to place the views by).
 */
export function placement(name: AttributedDirection, records: DirectionRecords, roundTripMs: number): ClockPlacement | null {
  if (name !== 'down') return { shiftMs: 0, slackMs: 0 };
  let minTransit = Number.POSITIVE_INFINITY;
  for (const a of records.arrivals) minTransit = Math.min(minTransit, a.recvMs - a.sendMs);
  if (!Number.isFinite(minTransit)) return null;
  return { shiftMs: -minTransit, slackMs: Math.max(0, roundTripMs) };
}

/** A stretch of one reason before it is joined with its neighbours: its span and its lateness. */
interface LateSpan {
  startMs: number;
  endMs: number;
  lateMs: number;
}

/** Samples above `limitMs` as intervals [at, at + value] on the page clock, each as late as its value. */
function over(samples: readonly ViewSample[], limitMs: number): LateSpan[] {
  const out: LateSpan[] = [];
  for (const s of samples) if (s.valueMs > limitMs) out.push({ startMs: s.atMs, endMs: s.atMs + s.valueMs, lateMs: s.valueMs });
  return out;
}

/**
 * Suspect reasons whose length is no lateness: a hidden page (its timers throttled, nothing
 * measured) and the sender's own queue (a probe waits in it for as long as congestion control
 * holds it). Their time excuses any delay.
 */
const UNSIZED: ReadonlySet<string> = new Set(['page-hidden', 'sender-queue']);

/** Intervals of one reason, sorted and joined where closer than MERGE_GAP_MS, each as late as the latest it joins. */
function merged(spans: readonly LateSpan[], reason: AttributionReason): AttributedInterval[] {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const out: AttributedInterval[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s.startMs - last.endMs < MERGE_GAP_MS) {
      last.endMs = Math.max(last.endMs, s.endMs);
      last.lateMs = Math.max(last.lateMs, s.lateMs);
    } else out.push({ startMs: s.startMs, endMs: s.endMs, who: WHO[reason], reason, lateMs: s.lateMs });
  }
  return out;
}

/**
 * The views attribution reads: this device's receive lag, the reflector's hold, the server's loop
 * delay; and, where given, the views of the line that weigh their time by its size (the network
 * thread's round trips, the server's arrival bins: excuseBySize).
 */
export type AttributionViews = Pick<OutsideViews, 'receiveLagMs' | 'reflectorHoldMs' | 'serverLoopDelayMs'> &
  Partial<Pick<OutsideViews, 'iceRttMs' | 'rtcpRttMs' | 'upArrivalBins'>>;

export interface AttributionInput {
  name: AttributedDirection;
  records: DirectionRecords;
  /** Absent or null: only the page's own suspect intervals are used. */
  views: AttributionViews | null | undefined;
  /** A typical round trip (the median), ms: the slack of the down direction's placement. */
  roundTripMs: number;
}

/**
 * The device's and the server's intervals of one direction, on its send clock, sorted by start
 * (then by reason), before the excuse by size. Pure; linear in the samples, plus the sort.
 */
function rawIntervals(input: AttributionInput, place: ClockPlacement | null): AttributedInterval[] {
  const { name, records, views } = input;
  const byReason = new Map<AttributionReason, LateSpan[]>();
  const add = (reason: AttributionReason, span: LateSpan): void => {
    const list = byReason.get(reason) ?? [];
    list.push(span);
    byReason.set(reason, list);
  };
  for (const s of records.suspect) {
    if (s.reason !== 'path-change') add(s.reason, { startMs: s.startMs, endMs: s.endMs, lateMs: UNSIZED.has(s.reason) ? Infinity : s.endMs - s.startMs });
  }
  if (views && place !== null) {
    const placed = (s: LateSpan): LateSpan => ({
      startMs: s.startMs + place.shiftMs - place.slackMs,
      endMs: s.endMs + place.shiftMs + place.slackMs,
      lateMs: s.lateMs,
    });
    // Only the directions this page receives: the up probes are received by the server.
    if (name !== 'up') for (const s of over(views.receiveLagMs, RECEIVE_LAG_MS)) add('receive-lag', placed(s));
    for (const s of over(views.reflectorHoldMs, SERVER_HOLD_MS)) add('server-hold', placed(s));
    for (const s of over(views.serverLoopDelayMs, SERVER_LOOP_MS)) add('server-loop', placed(s));
  }
  const device: AttributedInterval[] = [];
  const rest: AttributedInterval[] = [];
  for (const [reason, spans] of byReason) (WHO[reason] === 'device' ? device : rest).push(...merged(spans, reason));
  const recovery = merged(
    device.map((d) => ({ startMs: d.endMs, endMs: d.endMs + RECOVERY_MS, lateMs: d.lateMs })),
    'recovery',
  );
  return [...device, ...recovery, ...rest].sort((a, b) => a.startMs - b.startMs || a.reason.localeCompare(b.reason));
}

/** One direction's device and server intervals, and those its probes' delay showed to be the line's (excuseBySize). */
export interface DirectionIntervals {
  intervals: AttributedInterval[];
  /** Stretches of the device's or the server's time whose probes were delayed more than their lateness excuses, a view of the line showing the rest: the network's. */
  lineShown: AttributedInterval[];
}

/**
 * The device's and the server's intervals of one direction, on its send clock, sorted by start
 * (then by reason), each weighed by its size (excuseBySize) where the views of the line are given.
 */
export function attributeIntervals(input: AttributionInput): DirectionIntervals {
  const place = input.views ? placement(input.name, input.records, input.roundTripMs) : null;
  const raw = rawIntervals(input, place);
  return excuseBySize(raw, input.records, input.views ?? null, place ?? { shiftMs: 0, slackMs: 0 });
}

/** The device's and the server's intervals of one direction (attributeIntervals), those the line's views took back left out. */
export function attributeDirection(input: AttributionInput): AttributedInterval[] {
  return attributeIntervals(input).intervals;
}

/** A reading of a round-trip view is the last check's, taken up to this long before it was read. */
const VIEW_READ_LAG_MS = 1000;
/** A round-trip view shows a delay when it rose by at least the delay less 5 ms + 25 % (grade/second-opinion.ts's tolerance). */
const VIEW_TOLERANCE_MS = 5;
const VIEW_TOLERANCE_SHARE = 0.25;
/** A stretch's delay is weighed on this many of its probes' transits or more. */
const MIN_SIZED_PROBES = 3;
/** The transit baseline is the median of this many probes outside every stretch or more; else the direction's lowest decile. */
const MIN_BASELINE_PROBES = 20;

/** The median (nearest rank) of a non-empty list. */
const medianOf = (xs: readonly number[]): number => percentile(xs, 50);

/**
 * The excuse by size, window by window: the probes sent in a stretch of the device's or the
 * server's time were delayed (their median transit, RFC 3550's arrival minus send, two clocks
 * whose offset cancels against the baseline) by `addedMs` over the direction's baseline (the
 * median transit of the probes sent outside every stretch, or its lowest decile when too few
 * were). That time explains at most excusedMs(lateMs) of it; a larger delay is the line's where a
 * view of the line shows the rest, and the stretch is then no excuse (its windows are the
 * network's): a reading of the network thread's round trip (ICE, RTCP) taken during the stretch
 * (or up to 1 s after) that rose above that view's median by the rest (less 5 ms + 25 %), or, up,
 * the server's arrival bins of the stretch whose fastest probe stood at least half the rest over
 * the baseline (a queue delays every probe through it). Stretches of a hidden page or the
 * sender's own queue carry no lateness (Infinity) and excuse any delay.
 */
function excuseBySize(raw: AttributedInterval[], records: DirectionRecords, views: AttributionViews | null, place: ClockPlacement): DirectionIntervals {
  const line = views === null ? null : { ice: views.iceRttMs ?? [], rtcp: views.rtcpRttMs ?? [], bins: views.upArrivalBins ?? null };
  if (line === null || (line.ice.length === 0 && line.rtcp.length === 0 && line.bins === null) || raw.every((i) => !Number.isFinite(i.lateMs))) {
    return { intervals: raw, lineShown: [] };
  }
  const transits: Array<{ sendMs: number; transitMs: number }> = [];
  for (const a of records.arrivals) transits.push({ sendMs: a.sendMs, transitMs: a.recvMs - a.sendMs });
  if (transits.length === 0) return { intervals: raw, lineShown: [] };
  transits.sort((a, b) => a.sendMs - b.sendMs);
  const inside = (t: number, i: { startMs: number; endMs: number }): boolean => t >= i.startMs && t <= i.endMs;
  const outsideAll = transits.filter((x) => !raw.some((i) => inside(x.sendMs, i))).map((x) => x.transitMs);
  const baselineMs =
    outsideAll.length >= MIN_BASELINE_PROBES
      ? medianOf(outsideAll)
      : percentile(
          transits.map((x) => x.transitMs),
          10,
        );
  const viewMedian = (xs: readonly ViewSample[]): number | null => (xs.length === 0 ? null : medianOf(xs.map((x) => x.valueMs)));
  const iceMedian = viewMedian(line.ice);
  const rtcpMedian = viewMedian(line.rtcp);
  const shows = (i: AttributedInterval, restMs: number): boolean => {
    const need = restMs - (VIEW_TOLERANCE_MS + VIEW_TOLERANCE_SHARE * restMs);
    // Back on the page clock, where the views were read.
    const from = i.startMs - place.shiftMs + place.slackMs;
    const to = i.endMs - place.shiftMs - place.slackMs + VIEW_READ_LAG_MS;
    const rose = (xs: readonly ViewSample[], median: number | null): boolean =>
      median !== null && xs.some((x) => x.atMs >= from && x.atMs <= to && x.valueMs - median >= need);
    if (rose(line.ice, iceMedian) || rose(line.rtcp, rtcpMedian)) return true;
    if (line.bins === null || place.shiftMs !== 0) return false;
    const floors = line.bins.filter((b) => b.toSendMs >= i.startMs && b.fromSendMs <= i.endMs && b.minTransitMs !== undefined).map((b) => b.minTransitMs ?? 0);
    return floors.length > 0 && medianOf(floors) - baselineMs >= restMs / 2;
  };
  const intervals: AttributedInterval[] = [];
  const lineShown: AttributedInterval[] = [];
  for (const i of raw) {
    const mine = Number.isFinite(i.lateMs) ? transits.filter((x) => inside(x.sendMs, i)).map((x) => x.transitMs) : [];
    const addedMs = mine.length >= MIN_SIZED_PROBES ? medianOf(mine) - baselineMs : null;
    const excused = excusedMs(i.lateMs);
    if (addedMs !== null && addedMs > excused && shows(i, addedMs - excused)) lineShown.push(i);
    else intervals.push(i);
  }
  return { intervals, lineShown };
}

/** A stretch of time, ms on some send clock. */
export interface TimeSpan {
  startMs: number;
  endMs: number;
}

/**
 * The device's and the server's time of one direction as plain spans on its send clock: what its
 * windows and claims take as suspect beside its own suspect intervals.
 */
export function offNetworkSpans(input: AttributionInput): TimeSpan[] {
  return attributeDirection(input).map((i) => ({ startMs: i.startMs, endMs: i.endMs }));
}

/**
 * The round trips' suspect time, on the page clock (their send clock): the client direction's
 * own intervals and everything the views saw, receive lag included (the page receives every
 * echo). The final grade and the provisional answer leave out the same round trips.
 */
export function roundTripSpans(client: DirectionRecords | null, views: AttributionViews | null | undefined): TimeSpan[] {
  if (client === null) return [];
  const intervals = attributeDirection({ name: 'loop', records: client, views, roundTripMs: 0 });
  return [...client.suspect, ...intervals].map((s) => ({ startMs: s.startMs, endMs: s.endMs }));
}

/**
 * How many evaluable windows of length `windowMs` (measure/windows.ts) were the network's, the
 * device's (touching a device interval) and the server's (touching a server interval and no
 * device one). `sendMs` is the direction's send times in send order.
 */
export function windowAttribution(sendMs: ArrayLike<number>, intervalMs: number, intervals: readonly AttributedInterval[], windowMs: number): WindowCounts {
  const n = sendMs.length;
  const series = { sendMs, lost: new Uint8Array(n), received: new Uint8Array(n).fill(1), jitterMs: new Float64Array(n) };
  const scan = (who: readonly Who[]) => scanWindows(series, { windowMs, intervalMs, suspect: intervals.filter((i) => who.includes(i.who)) }, lossPctMetric);
  const device = scan(['device']);
  const either = scan(['device', 'server']);
  return { network: either.evaluable - either.evaluableSuspect, device: device.evaluableSuspect, server: either.evaluableSuspect - device.evaluableSuspect };
}

/**
 * The stretches of a direction where this device was busy: its own time but for a hidden page
 * (a page in the background is not a busy computer), each with its second of recovery. What the
 * caution of a busy device is counted on (grade/caution.ts).
 */
export function busyDeviceSpans(intervals: readonly AttributedInterval[]): AttributedInterval[] {
  const busy = intervals.filter((i) => i.who === 'device' && i.reason !== 'recovery' && i.reason !== 'page-hidden');
  return [...busy, ...busy.map((i) => ({ ...i, startMs: i.endMs, endMs: i.endMs + RECOVERY_MS, reason: 'recovery' as const }))];
}

/** The nearest-rank median of a view's readings (as grade/second-opinion.ts compares them), null without one. */
export function viewMedianMs(samples: readonly ViewSample[]): number | null {
  return samples.length === 0
    ? null
    : percentile(
        samples.map((s) => s.valueMs),
        50,
      );
}
