/**
 * Our own loss, told from the network's by the relay's witness (server/turn/witness/): the relay
 * reads the RTP header of every packet it carries between the page and the reflector, so it sees
 * what reached it from the page (upstream) and what our reflector handed it back (downstream).
 * Loss on the far side of the relay, between the relay and our reflector, is ours, never the
 * network's:
 *
 * - Upstream, the reflector counted none of the probes the relay carried: the reflector did not
 *   answer (a leg that never took the stream). That test could not finish, on the server's side.
 * - Upstream, the reflector lost more than the relay saw lost: the excess (the page's figure less
 *   the relay's, in percentage points) is ours. The witness counts the whole audio stream, the
 *   probes and the frames around them, so the two are compared as rates, not counts.
 * - Downstream, any loss the relay saw in the reflector's echoes is ours (they cross no network
 *   before the relay).
 * Where our share reaches OURS_MIN_PCT, a loss grade of that direction that fails is not graded
 * as the network (`server-missed`); one that passes stands (the network's own loss is then lower
 * still).
 *
 * The upstream excess is ours only when something was lost past the relay: the reflector reports
 * how many of the stream's RTP packets it received (`reflectorPackets`, duplicates and padding
 * included as the relay counts them, counted just after the relay's figures were read). When it
 * received what the relay carried (to within OURS_MIN_PCT), the hop past the relay lost nothing.
 * Then the probes that never reached our reflector, less the relay's own share of loss, never
 * left this device in a packet (a browser too busy to send its audio drops frames before they are
 * numbered): that share is the device's (`device-busy`), never the network's and never ours. What
 * is left of the excess arrived, too late to count: the network's delay, and the grade stands. A
 * server that does not report the count leaves the excess ours, as before. A fail the relay's own
 * upstream loss fails by itself (the 15 s loss target) stands whatever the excess: the network
 * lost that much before anything of ours or of this device's could.
 *
 * Only on the RTP path: the witness reads the audio stream, which is the probe stream there
 * alone. Pure.
 */
import type { DirectionName, GradeEntry, InsufficientReason, Report, TargetId } from '../schema/report-schema.js';
import { statusOf, type GradeResult } from './grade.js';

/** Our share of a direction's loss, in percentage points, from which a failing loss grade is not the network's. */
export const OURS_MIN_PCT = 0.5;
/** Upstream packets the relay must have carried for a reflector that counted none to be said silent. */
const SILENT_MIN_PACKETS = 20;

type WitnessFacts = NonNullable<Report['witness']>;
interface DirectionFacts {
  packetsSent: number;
  packetsReceived: number;
  /** Probes that never reached the receiver (lost, not late). */
  neverArrived: number;
  lossPct: number | null;
}

export interface WitnessGaps {
  /** The reflector counted none of the probes the relay carried upstream: the relayed and the sent count. */
  silent: { relayed: number; sent: number } | null;
  /** Per direction, our share of its loss (percentage points), where it reaches OURS_MIN_PCT. */
  ours: Array<{ direction: 'up' | 'down'; pct: number }>;
  /** Upstream, the share of the page's loss (percentage points) that never left this device: the relay and our reflector lost none of it. */
  unsent: { pct: number } | null;
  /** The relay's own upstream loss, %, where the witness applies: a fail it makes by itself is the network's. */
  relayUpLossPct: number | null;
}

const NONE: WitnessGaps = { silent: null, ours: [], unsent: null, relayUpLossPct: null };

/** What the witness says of the page's probe figures (reflector mode, RTP path; none otherwise). */
export function witnessGaps(
  probePath: Report['probe']['path'],
  witness: WitnessFacts | null,
  up: DirectionFacts | null,
  down: DirectionFacts | null,
): WitnessGaps {
  if (probePath !== 'rtp' || witness === null) return NONE;
  const w = witness.upstream;
  const relayed = w.packets - w.duplicates;
  if (up !== null && up.packetsSent > 0 && up.packetsReceived === 0 && relayed >= SILENT_MIN_PACKETS) {
    return { silent: { relayed, sent: up.packetsSent }, ours: [], unsent: null, relayUpLossPct: w.lossPct };
  }
  const ours: WitnessGaps['ours'] = [];
  let unsent: WitnessGaps['unsent'] = null;
  if (up !== null && up.lossPct !== null && w.lossPct !== null && up.lossPct - w.lossPct >= OURS_MIN_PCT) {
    const excessPct = up.lossPct - w.lossPct;
    // Duplicates and padding-only packets included on both sides: the reflector keeps no replay list and counts every frame its leg delivers.
    const hop = hopLossPct(w.packets + w.paddingPackets, witness.reflectorPackets);
    if (hop === null || hop >= OURS_MIN_PCT) ours.push({ direction: 'up', pct: excessPct });
    else if (up.packetsSent > 0) {
      const neverLeftPct = Math.min(excessPct, (100 * up.neverArrived) / up.packetsSent - w.lossPct);
      if (neverLeftPct >= OURS_MIN_PCT) unsent = { pct: neverLeftPct };
    }
  }
  const d = witness.downstream;
  if (down !== null && d !== null && d.lossPct !== null && d.lossPct >= OURS_MIN_PCT)
    ours.push({ direction: 'down', pct: Math.min(d.lossPct, down.lossPct ?? d.lossPct) });
  return { silent: null, ours, unsent, relayUpLossPct: w.lossPct };
}

/** The upstream packets lost between the relay and our reflector, % of those the relay carried; null when the reflector did not say, or nothing was carried. */
function hopLossPct(carried: number, reflectorPackets: number | undefined): number | null {
  if (reflectorPackets === undefined || carried === 0) return null;
  return (100 * Math.max(0, carried - reflectorPackets)) / carried;
}

const LOSS_TARGETS: ReadonlySet<TargetId> = new Set<TargetId>(['loss-15s', 'burst-loss-200ms']);

/**
 * A grade with a direction's loss partly ours or, upstream, partly never sent by this device: a
 * fail is not the network's (`server-missed`, `device-busy`); anything else stands.
 */
export function withWitnessedLoss<
  G extends {
    target: TargetId;
    direction: DirectionName | 'round-trip';
    status: string;
    reason: InsufficientReason | null;
    threshold: number;
    comparator: GradeEntry['comparator'];
  },
>(g: G, gaps: WitnessGaps): G {
  if (g.status !== 'fail' || !LOSS_TARGETS.has(g.target)) return g;
  // The relay's own upstream loss fails the 15 s target by itself: the network's, whatever else was lost.
  if (g.target === 'loss-15s' && g.direction === 'up' && gaps.relayUpLossPct !== null && statusOf(gaps.relayUpLossPct, g.comparator, g.threshold) === 'fail')
    return g;
  if (gaps.ours.some((o) => o.direction === g.direction)) return { ...g, status: 'insufficient', reason: 'server-missed' };
  if (g.direction === 'up' && gaps.unsent !== null) return { ...g, status: 'insufficient', reason: 'device-busy' };
  return g;
}

/** withWitnessedLoss on a graded result: a loss it gives to this device carries the share that never left it, for its sentence. */
export function gradeWithWitnessedLoss(g: GradeResult, gaps: WitnessGaps): GradeResult {
  const w = withWitnessedLoss(g, gaps);
  if (w === g || w.reason !== 'device-busy' || gaps.unsent === null || w.facts.kind !== 'window') return w;
  return { ...w, facts: { ...w.facts, unsentPct: gaps.unsent.pct } };
}

/** The outcome detail of a silent reflector, in one spelling, and its figures read back from it (the words in another language). */
export const silentDetail = (s: NonNullable<WitnessGaps['silent']>): string =>
  `the relay carried ${s.relayed} of the ${s.sent} probes upstream, and the reflector counted none`;
export function silentFigures(detail: string): NonNullable<WitnessGaps['silent']> | null {
  const m = /^the relay carried (\d+) of the (\d+) probes upstream/.exec(detail);
  return m === null ? null : { relayed: Number(m[1]), sent: Number(m[2]) };
}
