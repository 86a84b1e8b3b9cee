/**
 * The locate's figures for one edge: round trips through the edge's relay, each the transit of
 * one probe from one peer connection of the page to the other through the relay (a relay
 * hairpin: client -> relay -> client, timed on the page's one clock, so each is one round trip
 * between the client and the edge, with no clock of the edge's in it). Pure.
 *
 * A probe counts once it is judged: it came back, or `lossTimeoutMs` has passed since it was
 * sent by the time the locate ended (`judgedUntilMs`). One that was still on its way when the
 * locate ended is neither a round trip nor a loss. Percentiles are nearest rank (./percentile.ts).
 */
import { nearestRank, sortedCopy } from './percentile.js';

export interface RelayRttProbes {
  /** Send time of probe i (the page's clock, ms), by sequence number from 0. */
  sentMs: readonly number[];
  /** Arrivals by sequence number (the page's clock, ms); a duplicate counts once. */
  arrivals: readonly { seq: number; recvMs: number }[];
  /** When the locate stopped listening (the page's clock, ms). */
  judgedUntilMs: number;
  lossTimeoutMs: number;
}

export interface RelayRttFigures {
  probesSent: number;
  /** Probes that came back or were overdue by the end. */
  probesJudged: number;
  /** Probes that came back (each once). */
  received: number;
  rttMsP50: number | null;
  rttMsP90: number | null;
  /** Of the judged probes, those that never came back, percent; null when none was judged. */
  lossPct: number | null;
}

export function relayRttFigures(p: RelayRttProbes): RelayRttFigures {
  const rtt = new Map<number, number>();
  for (const a of p.arrivals) {
    const sent = p.sentMs[a.seq];
    if (sent === undefined || rtt.has(a.seq)) continue;
    rtt.set(a.seq, a.recvMs - sent);
  }
  let judged = 0;
  for (const [seq, sent] of p.sentMs.entries()) if (rtt.has(seq) || sent + p.lossTimeoutMs <= p.judgedUntilMs) judged++;
  const sorted = sortedCopy([...rtt.values()]);
  return {
    probesSent: p.sentMs.length,
    probesJudged: judged,
    received: rtt.size,
    rttMsP50: sorted.length > 0 ? nearestRank(sorted, 50) : null,
    rttMsP90: sorted.length > 0 ? nearestRank(sorted, 90) : null,
    lossPct: judged > 0 ? (100 * (judged - rtt.size)) / judged : null,
  };
}
