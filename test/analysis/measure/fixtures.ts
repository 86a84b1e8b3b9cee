/** Test fixtures: a seeded PRNG and builders for direction records. */
import type { ArrivalRecord, DirectionRecords, SentRecord, SuspectInterval } from '../../../src/analysis/measure/records.js';
import { mulberry32 } from '../../kit/prng.js';

export { mulberry32 };

export interface StreamSpec {
  /** Number of probes. */
  count: number;
  intervalMs: number;
  /** First send time (sender clock). */
  startMs?: number;
  /** First sequence number. */
  firstSeq?: number;
  /** Receiver clock minus sender clock. */
  clockOffsetMs?: number;
  /** Base one-way delay. */
  baseDelayMs?: number;
  /** Extra delay for probe index i (default 0). */
  extraDelayMs?: (i: number) => number;
  /** Probe index i is lost (default none). */
  lost?: (i: number) => boolean;
  suspect?: SuspectInterval[];
}

/**
 * A direction where probe i is sent at start + i * interval and, unless lost, arrives at
 * send + offset + base + extra(i). Arrivals are listed in arrival order (stable by index).
 */
export function stream(spec: StreamSpec): DirectionRecords {
  const start = spec.startMs ?? 0;
  const first = spec.firstSeq ?? 0;
  const sent: SentRecord[] = [];
  const arrivals: ArrivalRecord[] = [];
  for (let i = 0; i < spec.count; i++) {
    const sendMs = start + i * spec.intervalMs;
    sent.push({ seq: first + i, sendMs });
    if (spec.lost?.(i) === true) continue;
    const recvMs = sendMs + (spec.clockOffsetMs ?? 0) + (spec.baseDelayMs ?? 0) + (spec.extraDelayMs?.(i) ?? 0);
    arrivals.push({ seq: first + i, sendMs, recvMs });
  }
  arrivals.sort((a, b) => a.recvMs - b.recvMs || a.seq - b.seq);
  return { sent, arrivals, intervalMs: spec.intervalMs, suspect: spec.suspect ?? [] };
}
