/**
 * Whether one address family is much worse than the other on the way to the relay, when the
 * user has both: IPv4 and IPv6 are often routed apart (a tunnel, another provider, a different
 * peering), and the browser may carry a call over either (ICE pairs both, RFC 8421 §4). Only
 * two families that both reached the relay are compared. The thresholds (DEFAULTS.families) and
 * why they are what they are sit with the other defaults. Pure.
 */
import type { FamilyFigures } from '../schema/network-schema.js';

export interface FamilyGapThresholds {
  rttGapMs: number;
  rttRatio: number;
  lossGapPctPoints: number;
}

/** `a` is much worse than `b`: a median round trip longer by the gap and the ratio both, or loss higher by the gap. */
function muchWorse(a: FamilyFigures, b: FamilyFigures, t: FamilyGapThresholds): boolean {
  const rtt = a.rttMsP50 !== null && b.rttMsP50 !== null && a.rttMsP50 - b.rttMsP50 >= t.rttGapMs && a.rttMsP50 >= b.rttMsP50 * t.rttRatio;
  const loss = a.lossPct !== null && b.lossPct !== null && a.lossPct - b.lossPct >= t.lossGapPctPoints;
  return rtt || loss;
}

/** The family much worse than the other, or null: neither is, or one did not reach the relay (nothing to compare). */
export function worseFamily(ipv4: FamilyFigures, ipv6: FamilyFigures, t: FamilyGapThresholds): 'ipv4' | 'ipv6' | null {
  if (ipv4.state !== 'ok' || ipv6.state !== 'ok') return null;
  const v4Worse = muchWorse(ipv4, ipv6, t);
  const v6Worse = muchWorse(ipv6, ipv4, t);
  // One much slower and the other much lossier: no single worse family to name.
  if (v4Worse === v6Worse) return null;
  return v4Worse ? 'ipv4' : 'ipv6';
}
