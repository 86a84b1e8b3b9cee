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

type Who = 'device' | 'server';

/** Why a stretch of time was the device's or the server's. */
type AttributionReason = Exclude<SuspectInterval['reason'], 'path-change'> | 'receive-lag' | 'recovery' | 'server-hold' | 'server-loop';

export interface AttributedInterval {
  /** On the send clock of the direction. */
  startMs: number;
  endMs: number;
  who: Who;
  reason: AttributionReason;
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

/** Samples above `limitMs` as intervals [at, at + value] on the page clock. */
function over(samples: readonly ViewSample[], limitMs: number): Array<{ startMs: number; endMs: number }> {
  const out: Array<{ startMs: number; endMs: number }> = [];
  for (const s of samples) if (s.valueMs > limitMs) out.push({ startMs: s.atMs, endMs: s.atMs + s.valueMs });
  return out;
}

/** Intervals of one reason, sorted and joined where closer than MERGE_GAP_MS. */
function merged(spans: ReadonlyArray<{ startMs: number; endMs: number }>, reason: AttributionReason): AttributedInterval[] {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const out: AttributedInterval[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s.startMs - last.endMs < MERGE_GAP_MS) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ startMs: s.startMs, endMs: s.endMs, who: WHO[reason], reason });
  }
  return out;
}

/** The views attribution reads: this device's receive lag, the reflector's hold, the server's loop delay. */
export type AttributionViews = Pick<OutsideViews, 'receiveLagMs' | 'reflectorHoldMs' | 'serverLoopDelayMs'>;

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
 * (then by reason). Pure; linear in the samples, plus the sort.
 */
export function attributeDirection(input: AttributionInput): AttributedInterval[] {
  const { name, records, views } = input;
  const byReason = new Map<AttributionReason, Array<{ startMs: number; endMs: number }>>();
  const add = (reason: AttributionReason, span: { startMs: number; endMs: number }): void => {
    const list = byReason.get(reason) ?? [];
    list.push(span);
    byReason.set(reason, list);
  };
  for (const s of records.suspect) if (s.reason !== 'path-change') add(s.reason, { startMs: s.startMs, endMs: s.endMs });
  const place = views ? placement(name, records, input.roundTripMs) : null;
  if (views && place !== null) {
    const placed = (s: { startMs: number; endMs: number }) => ({
      startMs: s.startMs + place.shiftMs - place.slackMs,
      endMs: s.endMs + place.shiftMs + place.slackMs,
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
    device.map((d) => ({ startMs: d.endMs, endMs: d.endMs + RECOVERY_MS })),
    'recovery',
  );
  return [...device, ...recovery, ...rest].sort((a, b) => a.startMs - b.startMs || a.reason.localeCompare(b.reason));
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

/** The nearest-rank median of a view's readings (as grade/second-opinion.ts compares them), null without one. */
export function viewMedianMs(samples: readonly ViewSample[]): number | null {
  return samples.length === 0
    ? null
    : percentile(
        samples.map((s) => s.valueMs),
        50,
      );
}
