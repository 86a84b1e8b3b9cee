/**
 * Resolution of the ratio targets: at R probes/s a window of W ms holds R*W/1000 probes,
 * so one lost probe moves its loss ratio by 100 / (R*W/1000) %. A target whose resolution
 * is at or above its threshold cannot be resolved at that rate. The whole-test reorder
 * ratio's resolution is 100 / probes.
 */
import type { TargetMeta } from '../schema/report-schema.js';
import { count, num, pct } from '../present/format.js';
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

/** Each target's nominal resolution at the rate and duration used (for the report meta). */
export function targetResolutions(profile: ResolvedProfile, ratePps: number, durationS: number): TargetMeta[] {
  const t = profile.targets;
  const burst = windowResolutionPct(ratePps, BURST_WINDOW_MS);
  const sustained = windowResolutionPct(ratePps, SUSTAINED_WINDOW_MS);
  const packets = ratePps * durationS;
  const reorder = packets > 0 ? 100 / packets : Number.POSITIVE_INFINITY;
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const ratioNote = (res: number, thr: number, what: string): string =>
    res < thr
      ? `one lost probe in ${what} moves the value by ${pct(res)}`
      : `one lost probe in ${what} is already ${pct(res)}, not finer than the ${pct(thr)} target: not resolvable at ${num(ratePps)} probes/s`;
  return [
    { target: 'latency-one-way', label: TARGET_LABELS['latency-one-way'], threshold: t.oneWayLatencyMs, unit: 'ms', windowMs: null, resolution: null, resolvable: true, note: 'half the median round trip; limited by the browser clock (about 0.1 ms or finer)' },
    { target: 'latency-rtt', label: TARGET_LABELS['latency-rtt'], threshold: t.rttMs, unit: 'ms', windowMs: null, resolution: null, resolvable: true, note: 'median round trip; limited by the browser clock (about 0.1 ms or finer)' },
    { target: 'burst-loss-200ms', label: TARGET_LABELS['burst-loss-200ms'], threshold: t.burstLossPct, unit: '%', windowMs: BURST_WINDOW_MS, resolution: finite(burst), resolvable: burst < t.burstLossPct, note: ratioNote(burst, t.burstLossPct, '200 ms') },
    { target: 'loss-15s', label: TARGET_LABELS['loss-15s'], threshold: t.lossPct, unit: '%', windowMs: SUSTAINED_WINDOW_MS, resolution: finite(sustained), resolvable: sustained < t.lossPct, note: ratioNote(sustained, t.lossPct, '15 s') },
    { target: 'jitter-15s', label: TARGET_LABELS['jitter-15s'], threshold: t.jitterMs, unit: 'ms', windowMs: SUSTAINED_WINDOW_MS, resolution: null, resolvable: true, note: 'mean RFC 3550 jitter of the probes received in the window' },
    {
      target: 'reorder',
      label: TARGET_LABELS.reorder,
      threshold: t.reorderPct,
      unit: '%',
      windowMs: null,
      resolution: finite(reorder),
      resolvable: reorder < t.reorderPct,
      note:
        reorder < t.reorderPct
          ? `one out-of-order probe in ${count(packets)} moves the value by ${pct(reorder)}`
          : `a test of ${count(packets)} probes per direction cannot resolve ${pct(t.reorderPct)}: it passes only with no out-of-order probe`,
    },
  ];
}
