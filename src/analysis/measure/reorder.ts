/**
 * RFC 4737 reordering of one direction.
 *
 * §3.3 Type-P-Reordered singleton: keep NextExp = highest sequence seen + 1 (starting at
 * the first sequence sent). An arriving packet with s < NextExp is reordered (NextExp is
 * left alone); otherwise NextExp = s + 1. Loss only makes NextExp jump, so it is never
 * counted as reordering. §3.4 ratio: reordered / packets received.
 *
 * §4.2.1 Type-P-Packet-Reordering-Extent: for a reordered packet at arrival position i,
 * e = i - j, where j is the earliest arrival position holding a sequence number larger
 * than s[i]. Positions count the packets considered (unique, received in time), so
 * duplicates never shift them. Because the running maximum of the sequence numbers is
 * non-decreasing over positions, j is the first position whose running maximum exceeds
 * s[i], found by binary search: O(n log n) worst case.
 */

export interface ReorderResult {
  /** Packets considered (unique, received in time). */
  packets: number;
  reordered: number;
  /** reordered / packets * 100, null when no packet. */
  ratioPct: number | null;
  /** RFC 4737 §4.2 extent, in packets: max and mean over reordered packets (null if none). */
  extentMax: number | null;
  extentMean: number | null;
}

/**
 * Reordering of sequence numbers given in arrival order (unique packets only).
 * `firstExpected` is the first sequence number the sender used.
 */
export function rfc4737Reorder(seqInArrivalOrder: ArrayLike<number>, firstExpected: number): ReorderResult {
  const n = seqInArrivalOrder.length;
  const runningMax = new Float64Array(n);
  let nextExp = firstExpected;
  let highest = Number.NEGATIVE_INFINITY;
  let reordered = 0;
  let extentSum = 0;
  let extentMax = 0;
  let extentCount = 0;
  for (let i = 0; i < n; i++) {
    const s = seqInArrivalOrder[i] ?? Number.NaN;
    if (s < nextExp) {
      reordered++;
      // First position j < i with runningMax[j] > s. It exists unless s is below the first
      // expected number with nothing larger seen yet (not possible for probes we sent).
      if (i > 0 && (runningMax[i - 1] ?? 0) > s) {
        let lo = 0;
        let hi = i - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((runningMax[mid] ?? 0) > s) hi = mid;
          else lo = mid + 1;
        }
        const extent = i - lo;
        extentSum += extent;
        extentCount++;
        if (extent > extentMax) extentMax = extent;
      }
    } else {
      nextExp = s + 1;
    }
    if (s > highest) highest = s;
    runningMax[i] = highest;
  }
  return {
    packets: n,
    reordered,
    ratioPct: n > 0 ? (reordered / n) * 100 : null,
    extentMax: extentCount > 0 ? extentMax : null,
    extentMean: extentCount > 0 ? extentSum / extentCount : null,
  };
}
