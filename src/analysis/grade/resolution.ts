/**
 * Resolution of the ratio targets: at R probes/s a window of W ms holds R*W/1000 probes,
 * so one lost probe moves its loss ratio by 100 / (R*W/1000) %. A target whose resolution
 * is at or above its threshold cannot be resolved at that rate. The whole-test reorder
 * ratio's resolution is 100 / probes. Delay targets (round trip, one-way, jitter) are read from
 * the browser's clock: their resolution is its step (half of it for one-way, half a round trip).
 */
import type { TargetMeta } from '../schema/report-schema.js';
import { BURST_WINDOW_MS, type ResolvedProfile, SUSTAINED_WINDOW_MS, TARGET_LABELS } from './targets.js';

/** Ratio-target resolution at a rate over a window, in percent. */
export function windowResolutionPct(ratePps: number, windowMs: number): number {
  const packets = (ratePps * windowMs) / 1000;
  return packets > 0 ? 100 / packets : Number.POSITIVE_INFINITY;
}

/** The lowest probe rate (packets/s) whose window resolution is finer than the threshold. */
export function rateNeeded(windowMs: number, thresholdPct: number): number {
  return Math.floor(100_000 / (windowMs * thresholdPct)) + 1;
}

/**
 * One target's nominal resolution at the rate and duration used: the report's TargetMeta
 * without its note, plus what the note is built from.
 */
export type TargetResolution = Omit<TargetMeta, 'note'> & {
  /** Probes per second of the test. */
  ratePps: number;
  /** Reorder: probes per direction over the test (rate x duration). */
  packets: number;
  /** The resolution before non-finite values become null (infinite when no probe fits). */
  resolutionExact: number | null;
};

/** A delay target's resolution from the clock's step: one-way delay is half a round trip, so half the step. */
export function delayResolutionMs(clockResolutionMs: number | null, oneWay: boolean): number | null {
  return clockResolutionMs === null ? null : oneWay ? clockResolutionMs / 2 : clockResolutionMs;
}

/** Each target's nominal resolution at the rate and duration used (for the report meta); delay targets by the clock's step when known. */
export function targetResolutions(profile: ResolvedProfile, ratePps: number, durationS: number, clockResolutionMs: number | null = null): TargetResolution[] {
  const t = profile.targets;
  const burst = windowResolutionPct(ratePps, BURST_WINDOW_MS);
  const sustained = windowResolutionPct(ratePps, SUSTAINED_WINDOW_MS);
  const packets = ratePps * durationS;
  const reorder = packets > 0 ? 100 / packets : Number.POSITIVE_INFINITY;
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const row = (
    target: TargetMeta['target'],
    threshold: number,
    unit: TargetMeta['unit'],
    windowMs: number | null,
    resolution: number | null,
  ): TargetResolution => ({
    target,
    label: TARGET_LABELS[target],
    threshold,
    unit,
    windowMs,
    resolution: resolution === null ? null : finite(resolution),
    resolvable: resolution === null || resolution < threshold,
    ratePps,
    packets,
    resolutionExact: resolution,
  });
  return [
    row('latency-one-way', t.oneWayLatencyMs, 'ms', null, delayResolutionMs(clockResolutionMs, true)),
    row('latency-rtt', t.rttMs, 'ms', null, delayResolutionMs(clockResolutionMs, false)),
    row('burst-loss-200ms', t.burstLossPct, '%', BURST_WINDOW_MS, burst),
    row('loss-15s', t.lossPct, '%', SUSTAINED_WINDOW_MS, sustained),
    row('jitter-15s', t.jitterMs, 'ms', SUSTAINED_WINDOW_MS, delayResolutionMs(clockResolutionMs, false)),
    row('reorder', t.reorderPct, '%', null, reorder),
  ];
}
