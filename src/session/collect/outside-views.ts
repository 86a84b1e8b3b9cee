/**
 * The views outside the page's JavaScript that the probe stream itself carries
 * (src/analysis/measure/views.ts): the receive lag of each RTP echo, the reflector's hold of
 * each probe, and the probes' arrivals at the server in 200 ms bins. Pure: every time is an
 * argument, in ms.
 */
import type { ArrivalRecord } from '../../analysis/measure/records.js';
import type { ArrivalBin, OutsideViews, ViewSample } from '../../analysis/measure/views.js';
import type { ServerLoopReading } from '../../protocol/wire.js';

/** What the probe stream gives of the outside views (getStats' are read elsewhere); the server's loop lateness comes with its `final`. */
export type StreamViews = Pick<OutsideViews, 'receiveLagMs' | 'reflectorHoldMs' | 'upArrivalBins' | 'serverLoopDelayMs'>;

/** A probe stream that carries no outside view (the in-page loop: no echo frames, no reflector). */
export function noStreamViews(): StreamViews {
  return { receiveLagMs: [], reflectorHoldMs: [], upArrivalBins: null, serverLoopDelayMs: [] };
}

/** The server's arrivals are binned by this much of its own clock (the analysis' short window). */
const ARRIVAL_BIN_MS = 200;

/**
 * One echo's receive lag: the transform worker's clock when it saw the frame minus the frame's
 * receiveTime (W3C WebRTC Encoded Transform, RTCEncodedAudioFrameMetadata.receiveTime: when
 * the network thread received the last packet of the frame), both on the page clock, at the
 * receiveTime. Null without a receiveTime: no sample.
 */
export function receiveLagSample(receiveTimeMs: number | null, seenMs: number): ViewSample | null {
  if (receiveTimeMs === null || !Number.isFinite(receiveTimeMs) || !Number.isFinite(seenMs)) return null;
  return { atMs: receiveTimeMs, valueMs: seenMs - receiveTimeMs };
}

/**
 * The reflector's hold of one probe: its echo's send stamp minus its receive stamp (both the
 * reflector's clock), at the probe's send time on the page clock. Null when a stamp is missing.
 */
export function holdSample(sendMs: number, reflectorRecvMs: number, reflectorSendMs: number): ViewSample | null {
  if (!Number.isFinite(sendMs) || !Number.isFinite(reflectorRecvMs) || !Number.isFinite(reflectorSendMs)) return null;
  return { atMs: sendMs, valueMs: reflectorSendMs - reflectorRecvMs };
}

/**
 * The up probes' arrivals at the server (`recvMs` on the server's clock: the reflector's own
 * receive stamps) in bins of `binMs` of that clock, counted from the first arrival, each placed
 * on the page clock by the send stamps of the probes in it. Arrivals are taken in the server's
 * order (recvMs, stable); one without a send time is left out. A bin's gaps are between each of
 * its arrivals and the arrival before it (the previous bin's last for its first), on the
 * server's clock (`maxGapMs`) and on the page's (`maxSendGapMs`, 0 when the probes arrived out
 * of send order). Bins where nothing arrived are not listed: the gap shows in the next bin.
 */
export function arrivalBins(arrivals: readonly Pick<ArrivalRecord, 'sendMs' | 'recvMs'>[], binMs = ARRIVAL_BIN_MS): ArrivalBin[] {
  const sorted = arrivals.filter((a) => Number.isFinite(a.sendMs) && Number.isFinite(a.recvMs)).sort((a, b) => a.recvMs - b.recvMs);
  const first = sorted[0];
  if (first === undefined) return [];
  const bins: ArrivalBin[] = [];
  let current: ArrivalBin | null = null;
  let currentIndex = -1;
  let prev: Pick<ArrivalRecord, 'sendMs' | 'recvMs'> | null = null;
  for (const a of sorted) {
    const index = Math.floor((a.recvMs - first.recvMs) / binMs);
    if (current === null || index !== currentIndex) {
      current = { fromSendMs: a.sendMs, toSendMs: a.sendMs, packets: 0, maxGapMs: 0, maxSendGapMs: 0, minTransitMs: a.recvMs - a.sendMs };
      currentIndex = index;
      bins.push(current);
    }
    current.packets++;
    current.toSendMs = a.sendMs;
    current.minTransitMs = Math.min(current.minTransitMs ?? Number.POSITIVE_INFINITY, a.recvMs - a.sendMs);
    if (prev !== null) {
      current.maxGapMs = Math.max(current.maxGapMs, a.recvMs - prev.recvMs);
      current.maxSendGapMs = Math.max(current.maxSendGapMs, a.sendMs - prev.sendMs);
    }
    prev = a;
  }
  return bins;
}

/**
 * The server's event-loop lateness (the reflector's `final`, server clock) on the page clock, as
 * the send times of the up probes it held up: a late stretch that began at server time S delayed
 * the probes arriving from S on, sent at S minus their transit. The transit is the smallest of the
 * up arrivals (the reflector's receive stamp minus the page's send stamp: the clock offset plus
 * the fastest one-way trip); the down direction's placement (measure/attribution.ts) adds a round
 * trip of slack around it. Each bin gives one reading, `lateMs` at its stretch's start. None
 * without a reading or an up arrival to place it by.
 */
export function serverLoopSamples(reading: ServerLoopReading | null, upArrivals: readonly Pick<ArrivalRecord, 'sendMs' | 'recvMs'>[]): ViewSample[] {
  if (reading === null) return [];
  let transitMs = Number.POSITIVE_INFINITY;
  for (const a of upArrivals) if (Number.isFinite(a.sendMs) && Number.isFinite(a.recvMs)) transitMs = Math.min(transitMs, a.recvMs - a.sendMs);
  if (!Number.isFinite(transitMs)) return [];
  return reading.bins.map(([startMs, lateMs]) => ({ atMs: startMs - transitMs, valueMs: lateMs })).sort((a, b) => a.atMs - b.atMs);
}
