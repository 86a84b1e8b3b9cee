import type { ProfileSelection } from '../../analysis/schema/input.js';
import { percentile } from '../../analysis/measure/percentile.js';
import { DEFAULTS } from '../../protocol/defaults.js';

/**
 * Probe rate per profile, so that each burst-loss target is resolvable: at 100 packets/s one
 * loss in 200 ms is 5 % (target < 10 %); at 1000/s it is 0.5 % (target < 1 %).
 */
export function probeRatePps(profile: ProfileSelection): number {
  const edgeTargets = profile.id === 'edge-to-edge' || (profile.id === 'azure-region' && profile.from === 'edge');
  return edgeTargets ? 1000 : 100;
}

/** max(1 s, 4 x RTT p99 (nearest rank)): a packet not arrived within this long after its send counts as lost. */
export function lossTimeoutMs(rttMs: readonly number[]): number {
  if (rttMs.length === 0) return 1000;
  return Math.max(1000, 4 * percentile(rttMs, 99));
}

/**
 * Probes for a test of `durationS`: duration x rate, plus DEFAULTS.sendMarginMs worth of probes
 * (two at least), so the send times span the full duration plus the margin and the test's one
 * 15 s window is evaluable even when the first probes leave late (a window needs a span of at
 * least its length minus one interval).
 */
export function probeCount(durationS: number, ratePps: number): number {
  return Math.round(durationS * ratePps) + Math.max(2, Math.ceil((DEFAULTS.sendMarginMs * ratePps) / 1000));
}

/**
 * The pacing interval of the pacer's ticks beside RTP probes (CONSTANTS.rtp.crossCheckRatePps:
 * they send nothing, they time this device): its `count` ticks spread over the duration plus
 * DEFAULTS.sendMarginMs, so its last tick, which ends the RTP stream, comes when a 100/s
 * stream's would (15.09-15.1 s for 15 s), not up to one slow interval later (at 5/s, 77 ticks
 * at 200 ms ended at 15.2 s).
 */
export function crossCheckIntervalMs(durationS: number, count: number): number {
  return (durationS * 1000 + DEFAULTS.sendMarginMs) / Math.max(1, count - 1);
}
