/**
 * The busy-line phase's measurements: the probe records cut into the idle window and each
 * direction's working window, the probes' transit in each, and the load's goodput.
 *
 * Transit is RFC 3550's (§6.4.1, A.8): arrival time on the receiver's clock minus the send time
 * the probe carries, on the sender's. The two clocks differ by an unknown offset, the same for
 * every probe of one direction, so the difference of two transit percentiles (loaded minus idle)
 * is the added delay itself and no clock sync is needed. Only where a window given on the
 * client's clock must be placed on the reflector's (the down direction's send times) is the
 * offset estimated, NTP-style, from the probe with the smallest round trip; a window edge a
 * few milliseconds off moves a handful of probes in or out of a 4 s window.
 */
import { classifyDirection, Fate } from './classify.js';
import { percentile } from './percentile.js';
import type { DirectionRecords, RoundTripRecords, SuspectInterval } from './records.js';
import type { ArrivalBin, ViewSample } from './views.js';

/** A window of send times [fromMs, toMs), on one clock. */
export interface SendWindow {
  fromMs: number;
  toMs: number;
}

/** The probes of `d` sent in [fromMs, toMs), and the arrivals of those probes. */
export function recordsWithin(d: DirectionRecords, w: SendWindow): DirectionRecords {
  const sent = d.sent.filter((s) => s.sendMs >= w.fromMs && s.sendMs < w.toMs);
  const seqs = new Set(sent.map((s) => s.seq));
  return { sent, arrivals: d.arrivals.filter((a) => seqs.has(a.seq)), intervalMs: d.intervalMs, suspect: d.suspect };
}

/** Whether a send time falls in a suspect interval. */
function suspectAt(t: number, suspect: readonly SuspectInterval[]): boolean {
  return suspect.some((s) => t >= s.startMs && t <= s.endMs);
}

/** `d` without the probes sent inside its suspect intervals; and how many those were. */
export function withoutSuspect(d: DirectionRecords): { records: DirectionRecords; suspectProbes: number } {
  const sent = d.sent.filter((s) => !suspectAt(s.sendMs, d.suspect));
  const seqs = new Set(sent.map((s) => s.seq));
  return {
    records: { sent, arrivals: d.arrivals.filter((a) => seqs.has(a.seq)), intervalMs: d.intervalMs, suspect: [] },
    suspectProbes: d.sent.length - sent.length,
  };
}

/**
 * reflector clock minus client clock: at the smallest round trip, the reflector received the
 * probe half a round trip after the client sent it. Null without a round trip whose probe the
 * reflector recorded.
 */
export function reflectorClockOffsetMs(up: DirectionRecords, roundTrip: RoundTripRecords): number | null {
  let best: { seq: number; sendMs: number; rttMs: number } | null = null;
  for (const s of roundTrip.samples) if (best === null || s.rttMs < best.rttMs) best = s;
  if (best === null) return null;
  const seq = best.seq;
  const arrival = up.arrivals.find((a) => a.seq === seq);
  return arrival === undefined ? null : arrival.recvMs - best.sendMs - best.rttMs / 2;
}

/** Transit of the probes received in time (arrival minus send, two clocks), ms; send order. */
export function transitsMs(d: DirectionRecords, lossTimeoutMs: number): number[] {
  const c = classifyDirection(d, lossTimeoutMs);
  const out: number[] = [];
  for (let i = 0; i < c.n; i++) if (c.fate[i] === Fate.Received) out.push((c.recvMs[i] ?? Number.NaN) - (c.sendMs[i] ?? Number.NaN));
  return out;
}

/** p50 and p90 (nearest rank) of a set of values, or null when it is empty. */
export function p50p90(values: readonly number[]): { p50: number; p90: number } | null {
  if (values.length === 0) return null;
  return { p50: percentile(values, 50), p90: percentile(values, 90) };
}

/**
 * Round trips of probes sent in [fromMs, toMs) (client clock), without those sent inside
 * `suspect` (the up direction's intervals, on the same clock): the same probes whose transits
 * give the added delay, so the loaded round trip and the added delay come from one set.
 */
export function roundTripsWithin(rt: RoundTripRecords, w: SendWindow, suspect: readonly SuspectInterval[] = []): number[] {
  return rt.samples.filter((s) => s.sendMs >= w.fromMs && s.sendMs < w.toMs && !suspectAt(s.sendMs, suspect)).map((s) => s.rttMs);
}

/** The values of the view readings taken in [fromMs, toMs). */
export function readingsWithin(samples: readonly ViewSample[], w: SendWindow): number[] {
  return samples.filter((s) => s.atMs >= w.fromMs && s.atMs < w.toMs).map((s) => s.valueMs);
}

/** The server's arrival bins whose probes were sent in [fromMs, toMs) (by the bin's first send time). */
export function binsWithin(bins: readonly ArrivalBin[] | null, w: SendWindow): ArrivalBin[] {
  return bins === null ? [] : bins.filter((b) => b.fromSendMs >= w.fromMs && b.fromSendMs < w.toMs);
}

/** One reading of a load direction's progress: bytes moved so far at a time (client clock). */
export interface ProgressPoint {
  atMs: number;
  bytes: number;
}

/** Bytes moved by time `t`, linear between readings (0 before the first, the last after the last). */
export function bytesAt(progress: readonly ProgressPoint[], t: number): number {
  let prev: ProgressPoint = { atMs: Number.NEGATIVE_INFINITY, bytes: 0 };
  for (const p of progress) {
    if (p.atMs >= t) {
      if (!Number.isFinite(prev.atMs) || p.atMs === prev.atMs) return p.atMs === t ? p.bytes : prev.bytes;
      return prev.bytes + ((p.bytes - prev.bytes) * (t - prev.atMs)) / (p.atMs - prev.atMs);
    }
    prev = p;
  }
  return prev.bytes;
}

/**
 * Goodput over a window, bits per second: the bytes moved inside it (by the readings) over its
 * length. Over the working window, not the whole direction: the first second also holds what
 * the sender's socket buffer swallowed at once, which never crossed the line that fast.
 */
export function goodputBitsPerS(progress: readonly ProgressPoint[], w: SendWindow): number | null {
  const spanMs = w.toMs - w.fromMs;
  if (spanMs <= 0 || progress.length === 0) return null;
  return ((bytesAt(progress, w.toMs) - bytesAt(progress, w.fromMs)) * 8 * 1000) / spanMs;
}
