/**
 * The video phase as facts: the rate that arrived each way through the relay, its loss, when it
 * stopped rising and what held it, and what fits by Microsoft's per-scenario bitrates. Pure:
 * the evidence is the reflector's tally of the page's video and the page's own samples of what
 * it sent and received.
 */
import type { VideoEvidence } from '../schema/video-input.js';
import type { VideoDirection, VideoLimit, VideoResult, VideoUse } from '../schema/video-schema.js';

/**
 * Microsoft, "Prepare your organization's network for Microsoft Teams", section "Bandwidth
 * requirements", its table of bandwidth per scenario (peer-to-peer rows, each way): 30 kbit/s
 * audio, 130 kbit/s audio with screen sharing, 500 kbit/s video at 360p and 30 fps, 1.2 Mbit/s
 * HD video at 720p and 30 fps, 1.5 Mbit/s HD video at 1080p and 30 fps.
 */
export const TEAMS_SCENARIO_SOURCE =
  'Microsoft, "Prepare your organization\'s network for Microsoft Teams", section "Bandwidth requirements": bandwidth per peer-to-peer scenario';
export const VIDEO_USES: ReadonlyArray<{ use: VideoUse; kbps: number }> = [
  { use: 'audio', kbps: 30 },
  { use: 'screen-sharing', kbps: 130 },
  { use: 'video-360p', kbps: 500 },
  { use: 'video-720p', kbps: 1_200 },
  { use: 'video-1080p', kbps: 1_500 },
];

/** The rate stopped rising when it first came within this share of its best. */
const PLATEAU_SHARE = 0.9;
/** A direction whose loss is above this was held by the path (Microsoft's client-to-edge loss target is 1 % per 15 s; video's own congestion control backs off near 2 %, per GCC, draft-ietf-rmcat-gcc-02 §6). */
const NETWORK_LOSS_PCT = 2;
/** The encoder short of CPU in this share of the samples of the phase's second half: the device held the rate. */
const CPU_SHARE = 0.25;
/**
 * The encoder held by the browser's bandwidth estimate (qualityLimitationReason `bandwidth`, W3C
 * webrtc-stats) in this share of the second half: the path held the rate. Our own cap on the
 * encoder (maxBitrate) is not a bandwidth limitation: a rate held there is the test's.
 */
const BANDWIDTH_SHARE = 0.5;

/** Bytes per bin from cumulative samples taken every bin (the first sample is the start). */
function binsOf(cumulative: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < cumulative.length; i++) out.push(Math.max(0, (cumulative[i] ?? 0) - (cumulative[i - 1] ?? 0)));
  return out;
}

/** The rate over each window of `windowMs` of consecutive bins, kbit/s, in order (one, over all, when the bins are fewer). */
export function windowRatesKbps(bins: readonly number[], binMs: number, windowMs: number): number[] {
  if (bins.length === 0) return [];
  const w = Math.max(1, Math.round(windowMs / binMs));
  if (bins.length < w) return [(bins.reduce((a, b) => a + b, 0) * 8) / (bins.length * binMs)];
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < bins.length; i++) {
    sum += bins[i] ?? 0;
    if (i >= w) sum -= bins[i - w] ?? 0;
    if (i >= w - 1) out.push((sum * 8) / (w * binMs));
  }
  return out;
}

/** The best window's rate, and when the rate first came within PLATEAU_SHARE of it (ms from the start: the end of that window). */
export function bestRate(bins: readonly number[], binMs: number, windowMs: number): { kbps: number | null; plateauMs: number | null } {
  const rates = windowRatesKbps(bins, binMs, windowMs);
  if (rates.length === 0) return { kbps: null, plateauMs: null };
  const best = Math.max(...rates);
  const w = Math.min(bins.length, Math.max(1, Math.round(windowMs / binMs)));
  const first = rates.findIndex((r) => r >= PLATEAU_SHARE * best);
  return { kbps: best, plateauMs: (first + w) * binMs };
}

/**
 * The best window's rate among those that lost at most NETWORK_LOSS_PCT of their packets (each
 * bin's packets that arrived and that were sent), kbit/s: what the path carries nearly whole.
 * Null when every window lost more.
 */
export function cleanRateKbps(bins: readonly number[], arrived: readonly number[], sent: readonly number[], binMs: number, windowMs: number): number | null {
  const losses = windowLossPct(arrived, sent, binMs, windowMs);
  let best: number | null = null;
  windowRatesKbps(bins, binMs, windowMs).forEach((rate, i) => {
    if ((losses[i] ?? 0) <= NETWORK_LOSS_PCT && (best === null || rate > best)) best = rate;
  });
  return best;
}

/**
 * Each window's loss (packets that arrived and that were sent in its bins), percent, in the
 * order of windowRatesKbps over the same bins; 0 for a window nothing was sent in.
 */
export function windowLossPct(arrived: readonly number[], sent: readonly number[], binMs: number, windowMs: number): number[] {
  const n = sent.length;
  if (n === 0) return [];
  const w = Math.min(n, Math.max(1, Math.round(windowMs / binMs)));
  const out: number[] = [];
  for (let i = 0; i + w <= n; i++) {
    let got = 0;
    let expected = 0;
    for (let b = i; b < i + w; b++) {
      got += arrived[b] ?? 0;
      expected += sent[b] ?? 0;
    }
    out.push(expected > 0 ? (100 * Math.max(0, expected - got)) / expected : 0);
  }
  return out;
}

/** The worst window's loss: the loss's pattern beside its whole-phase share (a burst in one second, or spread); null without per-bin counts. */
function worstLossPct(arrived: readonly number[] | undefined, sent: readonly number[] | undefined, binMs: number, windowMs: number): number | null {
  if (arrived === undefined || sent === undefined) return null;
  const losses = windowLossPct(arrived, sent, binMs, windowMs);
  return losses.length === 0 ? null : Math.max(...losses);
}

/** The rate the reflector's schedule sends at `tMs` from its start. */
export function scheduledKbps(stepsKbps: readonly number[], stepMs: number, tMs: number): number {
  const i = Math.min(stepsKbps.length - 1, Math.max(0, Math.floor(tMs / stepMs)));
  return stepsKbps[i] ?? 0;
}

const round1 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

function upstream(e: VideoEvidence): VideoDirection {
  const arrived = bestRate(e.up.bins, e.binMs, e.windowMs);
  const sent = bestRate(binsOf(e.upSent.map((s) => s.bytes)), e.binMs, e.windowMs);
  const lossPct = e.up.expected > 0 ? (100 * Math.max(0, e.up.expected - e.up.packets)) / e.up.expected : null;
  const secondHalf = e.upSent.filter((s) => s.tMs >= (e.seconds * 1000) / 2);
  const share = (reason: string): number => (secondHalf.length === 0 ? 0 : secondHalf.filter((s) => s.limitation === reason).length / secondHalf.length);
  const last = e.upSent[e.upSent.length - 1];
  let limitedBy: VideoLimit;
  // The browser's own estimate held under our cap while the rate that arrived had stopped rising: its congestion control found the path's limit.
  const estimateHeld =
    last?.availableOutgoingKbps != null &&
    last.availableOutgoingKbps < PLATEAU_SHARE * e.maxUpKbps &&
    arrived.plateauMs !== null &&
    arrived.plateauMs <= e.seconds * 1000 - e.windowMs / 2;
  if (share('cpu') >= CPU_SHARE) limitedBy = 'device';
  else if ((lossPct !== null && lossPct > NETWORK_LOSS_PCT) || share('bandwidth') >= BANDWIDTH_SHARE || estimateHeld) limitedBy = 'network';
  else limitedBy = 'test';
  const { binPackets, binExpected } = e.up;
  const clean =
    binPackets !== undefined && binExpected !== undefined
      ? cleanRateKbps(e.up.bins, binPackets, binExpected, e.binMs, e.windowMs)
      : lossPct !== null && lossPct <= NETWORK_LOSS_PCT
        ? arrived.kbps
        : null;
  return {
    arrivedKbps: round1(arrived.kbps),
    cleanKbps: round1(clean),
    lossPct: round1(lossPct),
    worstLossPct: round1(worstLossPct(binPackets, binExpected, e.binMs, e.windowMs)),
    sentKbps: round1(sent.kbps),
    packets: e.up.packets,
    plateauMs: arrived.plateauMs,
    limitedBy,
    availableOutgoingKbps: round1(last?.availableOutgoingKbps ?? null),
    frameHeight: last?.frameHeight ?? null,
  };
}

function downstream(e: VideoEvidence): VideoDirection {
  const bins = binsOf(e.down.map((s) => s.bytes));
  // A step of the schedule at a time: the stream climbs a step a second, so a rate it held is one step, not two seconds of a climb.
  const arrived = bestRate(bins, e.binMs, e.downStepMs);
  const first = e.down[0];
  const last = e.down[e.down.length - 1];
  const packets = first && last ? last.packets - first.packets : 0;
  const lost = first && last ? Math.max(0, last.lost - first.lost) : 0;
  const lossPct = packets + lost > 0 ? (100 * lost) / (packets + lost) : null;
  const offeredBins = e.downSent ?? Array.from({ length: bins.length }, (_, i) => (scheduledKbps(e.downStepsKbps, e.downStepMs, i * e.binMs) * e.binMs) / 8);
  const sent = bestRate(offeredBins, e.binMs, e.downStepMs);
  // The most the stream asked of the path: what arrived of what it sent in its best second.
  const offeredRates = windowRatesKbps(offeredBins, e.binMs, e.downStepMs);
  const arrivedRates = windowRatesKbps(bins, e.binMs, e.downStepMs);
  const top = offeredRates.indexOf(Math.max(...offeredRates));
  const lastArrived = arrivedRates[top] ?? null;
  const lastOffered = offeredRates[top] ?? 0;
  const gotBins = binsOf(e.down.map((s) => s.packets));
  const lostBins = binsOf(e.down.map((s) => s.lost));
  const clean = cleanRateKbps(
    bins,
    gotBins,
    gotBins.map((g, i) => g + (lostBins[i] ?? 0)),
    e.binMs,
    e.downStepMs,
  );
  const held = (lastArrived !== null && lastArrived < PLATEAU_SHARE * lastOffered) || (lossPct !== null && lossPct > NETWORK_LOSS_PCT);
  return {
    arrivedKbps: round1(arrived.kbps),
    cleanKbps: round1(clean),
    lossPct: round1(lossPct),
    worstLossPct: round1(
      worstLossPct(
        gotBins,
        gotBins.map((g, i) => g + (lostBins[i] ?? 0)),
        e.binMs,
        e.downStepMs,
      ),
    ),
    sentKbps: round1(sent.kbps),
    packets: Math.max(0, packets),
    plateauMs: arrived.plateauMs,
    limitedBy: held ? 'network' : 'test',
  };
}

/**
 * Whether a direction carries `kbps` nearly whole (its clean rate): yes, no (the path held it
 * below), or unknown (the device or the test held it below, or nothing was measured).
 */
function carries(d: VideoDirection, kbps: number): 'yes' | 'no' | 'unknown' {
  if (d.arrivedKbps === null) return 'unknown';
  if (d.cleanKbps !== null && d.cleanKbps >= kbps) return 'yes';
  return d.limitedBy === 'network' ? 'no' : 'unknown';
}

/** The video section of the report from the phase's evidence. */
export function gradeVideo(e: VideoEvidence): VideoResult {
  const up = upstream(e);
  const down = downstream(e);
  const room: VideoUse[] = [];
  const unknown: VideoUse[] = [];
  for (const { use, kbps } of VIDEO_USES) {
    const u = carries(up, kbps);
    const d = carries(down, kbps);
    if (u === 'yes' && d === 'yes') room.push(use);
    else if (u !== 'no' && d !== 'no') unknown.push(use);
  }
  return { seconds: e.seconds, upstream: up, downstream: down, room, unknown };
}
