/**
 * Loss pattern of one direction, over the probes in sequence (send) order.
 *
 * - Loss ratio: probes lost (never arrived, or later than the loss timeout) / probes sent.
 * - RFC 3357 §2: a loss period is a maximal run of consecutive lost probes; its length is
 *   the burst length. Loss distance (§2) is the difference in sequence numbers between two
 *   successive lost probes (1 inside a burst).
 * - 2-state Markov (Gilbert) model for ITU-T G.107 §7 Ie,eff: p = P(lost | previous
 *   received), q = P(received | previous lost); BurstR = 1 / (p + q). BurstR = 1 is random
 *   loss, > 1 bursty. With no loss (or nothing received) BurstR = 1 by definition.
 */

export interface LossPattern {
  sent: number;
  lost: number;
  /** lost / sent * 100, null when nothing was sent. */
  lossPct: number | null;
  periods: { count: number; meanLength: number | null; maxLength: number };
  distance: { count: number; meanPackets: number | null; minPackets: number | null };
  markov: { p: number | null; q: number | null; burstRatio: number };
}

/**
 * Loss pattern of a series of probes in sequence order. `lost[i]` is non-zero when probe i
 * was lost; `seq[i]` is its extended sequence number (gaps allowed).
 */
export function lossPattern(lost: ArrayLike<number>, seq: ArrayLike<number>): LossPattern {
  const n = lost.length;
  let lostCount = 0;
  let periods = 0;
  let maxLength = 0;
  let run = 0;
  let previousLostSeq: number | null = null;
  // Distances between consecutive losses, in sequence numbers (RFC 3357 loss distance).
  const gap = { sum: 0, count: 0, min: Number.POSITIVE_INFINITY };
  // Markov transition counts between consecutive probes.
  const from = { received: 0, receivedToLost: 0, lost: 0, lostToReceived: 0 };

  for (let i = 0; i < n; i++) {
    const isLost = (lost[i] ?? 0) !== 0;
    if (i > 0) {
      const prevLost = (lost[i - 1] ?? 0) !== 0;
      if (prevLost) {
        from.lost++;
        if (!isLost) from.lostToReceived++;
      } else {
        from.received++;
        if (isLost) from.receivedToLost++;
      }
    }
    if (isLost) {
      lostCount++;
      run++;
      if (run === 1) periods++;
      if (run > maxLength) maxLength = run;
      const s = seq[i] ?? i;
      if (previousLostSeq !== null) {
        const d = s - previousLostSeq;
        gap.sum += d;
        gap.count++;
        if (d < gap.min) gap.min = d;
      }
      previousLostSeq = s;
    } else {
      run = 0;
    }
  }

  const p = from.received > 0 ? from.receivedToLost / from.received : null;
  const q = from.lost > 0 ? from.lostToReceived / from.lost : null;
  let burstRatio = 1;
  if (lostCount > 0 && lostCount < n && p !== null && q !== null && p + q > 0) burstRatio = 1 / (p + q);

  return {
    sent: n,
    lost: lostCount,
    lossPct: n > 0 ? (lostCount / n) * 100 : null,
    periods: { count: periods, meanLength: periods > 0 ? lostCount / periods : null, maxLength },
    distance: {
      count: gap.count,
      meanPackets: gap.count > 0 ? gap.sum / gap.count : null,
      minPackets: gap.count > 0 ? gap.min : null,
    },
    markov: { p, q, burstRatio },
  };
}
