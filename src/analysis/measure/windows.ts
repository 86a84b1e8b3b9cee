/**
 * Worst sliding window over SEND time ("during any 200 ms / 15 s interval").
 *
 * A window of length W placed at s holds the probes sent in [s, s + W). Every window
 * position is evaluated, not only back-to-back windows, in O(n) with two pointers.
 *
 * Why a finite set of positions is enough (proof). Let t_0 <= t_1 <= ... be the send
 * times and C(s) = { k : s <= t_k < s + W } the content at position s. As s grows, probe
 * k leaves just after s = t_k and enters just after s = t_k - W, so C(s) is constant on
 * each interval (a, b] between consecutive points of the set
 *   B = { t_k } U { t_k - W },
 * and includes its right end b (at s = t_k probe k is still inside; at s = t_k - W probe k
 * is not yet inside). Every window content is therefore the content of a window placed at
 * a point of B, i.e. either
 *   (A) a window STARTING at a probe's send time, [t_i, t_i + W), or
 *   (E) a window ENDING at a probe's send time, [t_k - W, t_k) (that probe excluded),
 * (to the right of the last point the content is empty). Each statistic we grade is a
 * function of the content only, so its maximum over all positions is its maximum over
 * (A) and (E), which both scans below visit.
 * Starting windows at each probe's send time (A) alone is already enough in the usual
 * case: an (E) content {i..k-1} is a prefix of the (A) content starting at t_i (it only
 * lacks probes at the end), so (A) alone gives the exact worst LOSS COUNT, and with
 * evenly paced probes (A) and (E) contents coincide. (E) only adds windows holding fewer
 * probes when the sender's pacing was uneven; it makes the maximum exact for RATIOS
 * (loss %, mean jitter) too.
 *
 * Evaluable: a window counts only when its content spans at least W - one probe interval
 * of send time (t_last - t_first >= W - intervalMs), so windows that run past the end of
 * the test (or past a gap in sending) are not graded as if they were full.
 * Suspect: a window [s, s + W) touching a suspect interval [a, b] (a < s + W and b >= s)
 * is marked; the grader never lets such a window be the basis of a pass.
 *
 * Lower bound (loss only). A suspect window's loss is uncertain only in its probes sent inside
 * a suspect interval (send time in [a, b]): each of those may have been lost by the device or
 * the server, not the network. Counting every one of them as arrived gives the least loss the
 * window can have had on the network: (probes lost outside suspect time) / (all its probes). It
 * is exact for the probes it counts, so where it reaches a target the window fails whatever
 * happened in the suspect time. `worstBound` is the suspect window with the highest such bound.
 *
 * Upper bound (loss). Suspect time can also hide loss: a probe the sender never sent (a
 * skipped tick, a hidden page) was never exposed to the network. Every probe it did send and
 * that never arrived is already counted lost. So counting as lost every probe missing from the
 * window's schedule (W / intervalMs probes, rounded) gives the most loss the network can have
 * had there: (lost + missing) / (probes + missing). Probes are missing only where the sender
 * skipped some: given the sequence numbers never sent (`unsentBefore`), a window misses at most
 * those between the last probe sent before it and the first sent more than PROBE_MAX_LATE_MS
 * (or an interval) after it (a probe due in the window is sent by then or never, and numbers
 * follow the schedule), so a stream that skipped nothing hid nothing, however unevenly its
 * probes left (a busy device sends late, in a bunch, not never). Where that stays under a
 * target, the window meets it whatever happened in the suspect time (not across a path change:
 * there the window mixes two paths, which no count bounds). Windows too sparse to be evaluable
 * count here too (a skipped stretch is what makes them sparse), as long as they lie within the
 * test's sending time.
 * `worstUpper` is the suspect window with the highest.
 *
 * Upper bound (jitter). Given, for each probe, the most J can have been had the network alone
 * carried it (measure/jitter.ts: jitterUpperBound, which widens the delay of each probe sent in
 * the page's own suspect time to every value the network can have given it), a suspect window's
 * mean of those is the most jitter the network can have had there. A window holding a probe
 * sent in suspect time that was lost or came too late has no such bound (that probe may have
 * crossed the network in time, at a delay nothing bounds): then no suspect window is bounded,
 * and `worstUpper` is null. The probes never sent have no jitter: J is a property of the
 * packets that crossed.
 */
import { PROBE_MAX_LATE_MS } from '../../protocol/defaults.js';

/** Per-probe inputs, indexed by sent position (send order). */
export interface WindowSeries {
  /** Send time, non-decreasing. */
  sendMs: ArrayLike<number>;
  /** 1 when the probe was lost (never arrived or too late). */
  lost: ArrayLike<number>;
  /** 1 when the probe was received in time. */
  received: ArrayLike<number>;
  /** RFC 3550 J after this probe's arrival (ms); ignored when not received. */
  jitterMs: ArrayLike<number>;
  /** The most J can have been after this probe's arrival (module comment: Upper bound, jitter); absent: no jitter bound. */
  jitterUpperMs?: ArrayLike<number>;
  /** Sequence numbers never sent between the probe before this one and it (module comment: Upper bound); absent: unknown. */
  unsentBefore?: ArrayLike<number>;
}

/** The statistic graded on a window. */
export type WindowMetric = 'loss-pct' | 'mean-jitter';
/** Loss ratio of a window, in percent. */
export const lossPctMetric: WindowMetric = 'loss-pct';
/** Mean RFC 3550 J of the probes received in a window, in ms. */
export const meanJitterMetric: WindowMetric = 'mean-jitter';

/**
 * A window's statistic from its content: probes, lost, received in time and the sum of J
 * over the received ones. NaN when undefined (no probe, or no probe received for jitter).
 */
export function windowValue(metric: WindowMetric, packets: number, lost: number, received: number, jitterSumMs: number): number {
  if (metric === 'loss-pct') return packets > 0 ? (lost / packets) * 100 : Number.NaN;
  return received > 0 ? jitterSumMs / received : Number.NaN;
}

interface SuspectSpan {
  startMs: number;
  endMs: number;
}

export interface WindowSpec {
  windowMs: number;
  /** Nominal probe spacing, for the evaluable rule. */
  intervalMs: number;
  suspect: readonly SuspectSpan[];
  /**
   * Only windows that end by this time (s + W <= endByMs) count: while a test runs, the probes
   * after it are not judged yet, and a window reaching past it would hold fewer probes than it
   * will at the end. Absent: every window counts.
   */
  endByMs?: number;
}

/** One evaluated window. `startMs` is on the sender clock (absolute). */
export interface WindowStat {
  startMs: number;
  packets: number;
  lost: number;
  received: number;
  value: number;
  suspect: boolean;
  /** A bound's window (`worstBound`, `worstUpper`) as measured: the probes sent in it, those lost, and for jitter its mean J. */
  measured?: { packets: number; lost: number; jitterMs?: number };
}

export interface WindowScan {
  windowMs: number;
  /** Distinct evaluable window contents (A and E families, duplicates counted once). */
  evaluable: number;
  /** Of those, how many touch a suspect interval. */
  evaluableSuspect: number;
  /** Worst evaluable window that touches no suspect interval. */
  worstClean: WindowStat | null;
  /** Worst evaluable window, suspect or not. */
  worstAny: WindowStat | null;
  /**
   * Loss only: the evaluable suspect window whose loss is highest counting every probe sent in
   * suspect time as arrived (module comment: Lower bound). Its `value` is that bound and `lost`
   * the probes lost outside suspect time. Null for jitter, or with no suspect window.
   */
  worstBound: WindowStat | null;
  /**
   * Loss: the suspect window (evaluable or not, within the sending time) whose loss is highest
   * counting every probe missing from its schedule as lost (module comment: Upper bound). Its
   * `value` is that bound, `packets` the probes it should have held and `lost` the lost and
   * missing ones. Jitter, given its bound per probe: the evaluable suspect window whose mean of
   * it is highest, null when any suspect window cannot be bounded (module comment: Upper bound,
   * jitter). Null with no suspect window.
   */
  worstUpper: WindowStat | null;
}

/** Answers "does [s, s + W) touch a suspect interval?" in O(log m). */
function suspectTester(spans: readonly SuspectSpan[], windowMs: number): (startMs: number) => boolean {
  if (spans.length === 0) return () => false;
  const sorted = [...spans].sort((x, y) => x.startMs - y.startMs);
  const starts = sorted.map((x) => x.startMs);
  const prefixMaxEnd: number[] = [];
  let maxEnd = Number.NEGATIVE_INFINITY;
  for (const x of sorted) {
    maxEnd = Math.max(maxEnd, x.endMs);
    prefixMaxEnd.push(maxEnd);
  }
  return (s) => {
    // Intervals with start < s + W form a prefix; one of them touches iff its max end >= s.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] ?? 0) < s + windowMs) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && (prefixMaxEnd[lo - 1] ?? Number.NEGATIVE_INFINITY) >= s;
  };
}

/**
 * 1 for each probe sent inside one of `spans` (send time in [a, b]), else 0. Send times are
 * non-decreasing, so one pass over the spans sorted by start finds each.
 */
export function sentInSpans(sendMs: ArrayLike<number>, spans: readonly SuspectSpan[]): Uint8Array {
  const out = new Uint8Array(sendMs.length);
  const sorted = [...spans].sort((x, y) => x.startMs - y.startMs);
  let reach = Number.NEGATIVE_INFINITY;
  let j = 0;
  for (let i = 0; i < sendMs.length; i++) {
    const t = sendMs[i] ?? 0;
    // Every span starting by t: the furthest end among them says whether t is inside one.
    while (j < sorted.length && (sorted[j]?.startMs ?? 0) <= t) reach = Math.max(reach, sorted[j++]?.endMs ?? 0);
    if (t <= reach) out[i] = 1;
  }
  return out;
}

/** Prefix counts (n + 1 entries) of the lost probes sent inside a suspect interval. */
function lostInSuspect(p: PreparedSeries, spans: readonly SuspectSpan[]): Int32Array {
  const n = p.sendMs.length;
  const out = new Int32Array(n + 1);
  const inside = sentInSpans(p.sendMs, spans);
  for (let i = 0; i < n; i++) {
    const lostHere = (p.lost[i + 1] ?? 0) - (p.lost[i] ?? 0);
    out[i + 1] = (out[i] ?? 0) + (inside[i] === 1 ? lostHere : 0);
  }
  return out;
}

/** Prefix sums of a series, shared by every scan of it. */
export interface PreparedSeries {
  sendMs: ArrayLike<number>;
  /** Prefix counts (n + 1 entries). */
  lost: Int32Array;
  received: Int32Array;
  /** Prefix sum of J over received probes (n + 1 entries). */
  jitter: Float64Array;
  /** Prefix sum of the bound of J over received probes (n + 1 entries), null without one. */
  jitterUpper: Float64Array | null;
  /** Prefix sum of the sequence numbers never sent before each probe (n + 1 entries), null when unknown. */
  unsent: Float64Array | null;
}

/** O(n) preparation: prefix sums of lost, received and J (received probes only). */
export function prepareWindows(series: WindowSeries): PreparedSeries {
  const n = series.sendMs.length;
  const lost = new Int32Array(n + 1);
  const received = new Int32Array(n + 1);
  const jitter = new Float64Array(n + 1);
  const upperMs = series.jitterUpperMs;
  const jitterUpper = upperMs === undefined ? null : new Float64Array(n + 1);
  const unsentBefore = series.unsentBefore;
  const unsent = unsentBefore === undefined ? null : new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    if (unsent !== null) unsent[i + 1] = (unsent[i] ?? 0) + (unsentBefore?.[i] ?? 0);
    const r = series.received[i] ?? 0;
    lost[i + 1] = (lost[i] ?? 0) + (series.lost[i] ?? 0);
    received[i + 1] = (received[i] ?? 0) + r;
    jitter[i + 1] = (jitter[i] ?? 0) + (r !== 0 ? (series.jitterMs[i] ?? 0) : 0);
    if (jitterUpper !== null) jitterUpper[i + 1] = (jitterUpper[i] ?? 0) + (r !== 0 ? (upperMs?.[i] ?? 0) : 0);
  }
  return { sendMs: series.sendMs, lost, received, jitter, jitterUpper, unsent };
}

/** Scan every window position (families A and E above) and keep the worst ones. */
export function scanWindows(series: WindowSeries | PreparedSeries, spec: WindowSpec, metric: WindowMetric): WindowScan {
  const prepared = 'jitterMs' in series ? prepareWindows(series) : series;
  return scanPrepared(prepared, spec, metric);
}

/** Whether `stat` beats `kept`: a higher value, or the same value earlier. */
function higher(stat: WindowStat, kept: WindowStat | null): boolean {
  return kept === null || stat.value > kept.value || (stat.value === kept.value && stat.startMs < kept.startMs);
}

class WorstTracker {
  evaluable = 0;
  evaluableSuspect = 0;
  clean: WindowStat | null = null;
  any: WindowStat | null = null;
  bound: WindowStat | null = null;
  upper: WindowStat | null = null;
  /** Jitter: a suspect window had no bound, so none is given. */
  unbounded = false;
  private cleanValue = Number.NEGATIVE_INFINITY;
  private cleanStart = Number.POSITIVE_INFINITY;
  private anyValue = Number.NEGATIVE_INFINITY;
  private anyStart = Number.POSITIVE_INFINITY;

  /** Count a window; returns which worsts it beats (1: any, 2: clean), 0 for none. */
  offer(value: number, startMs: number, suspect: boolean): number {
    this.evaluable++;
    if (suspect) this.evaluableSuspect++;
    const betterAny = value > this.anyValue || (value === this.anyValue && startMs < this.anyStart);
    const betterClean = !suspect && (value > this.cleanValue || (value === this.cleanValue && startMs < this.cleanStart));
    return (betterAny ? 1 : 0) | (betterClean ? 2 : 0);
  }

  /** A suspect window's lower bound (loss only): kept when it is the highest, the earliest on a tie. */
  offerBound(stat: WindowStat): void {
    if (higher(stat, this.bound)) this.bound = stat;
  }

  /** A suspect window's upper bound (loss only): kept when it is the highest, the earliest on a tie. */
  offerUpper(stat: WindowStat): void {
    if (higher(stat, this.upper)) this.upper = stat;
  }

  keep(mask: number, stat: WindowStat): void {
    if ((mask & 1) !== 0) {
      this.any = stat;
      this.anyValue = stat.value;
      this.anyStart = stat.startMs;
    }
    if ((mask & 2) !== 0) {
      this.clean = stat;
      this.cleanValue = stat.value;
      this.cleanStart = stat.startMs;
    }
  }
}

function scanPrepared(p: PreparedSeries, spec: WindowSpec, metric: WindowMetric): WindowScan {
  const t = p.sendMs;
  const n = t.length;
  const W = spec.windowMs;
  const minSpan = W - spec.intervalMs;
  const isSuspect = suspectTester(spec.suspect, W);
  const track = new WorstTracker();
  const loss = metric === 'loss-pct';
  const jitterUpper = loss ? null : p.jitterUpper;
  const lostIn = (loss || jitterUpper !== null) && spec.suspect.length > 0 ? lostInSuspect(p, spec.suspect) : null;
  const scheduled = Math.round(W / spec.intervalMs);

  const endBy = spec.endByMs ?? Number.POSITIVE_INFINITY;
  // The upper bound also scans suspect windows the evaluable rule skips: a window over a stretch
  // the sender skipped holds too few probes to be evaluable, and is where loss can hide. Only
  // windows inside the test's sending time (first send to last send plus one interval) count.
  const sendFromMs = n > 0 ? (t[0] ?? 0) : 0;
  const sendToMs = n > 0 ? (t[n - 1] ?? 0) + spec.intervalMs : 0;
  // A probe due in a window and never sent lies between the last probe sent before it and the first
  // sent more than lateMs after it: the gaps in the numbering there bound the probes it misses.
  const lateMs = Math.max(spec.intervalMs, PROBE_MAX_LATE_MS);
  const unsentNear = (first: number, afterMs: number): number => {
    if (p.unsent === null) return Number.POSITIVE_INFINITY;
    let lo = first;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((t[mid] ?? 0) <= afterMs) lo = mid + 1;
      else hi = mid;
    }
    // Gaps before probes first..lo (lo: the first sent after `afterMs`, n past the end).
    return (p.unsent[Math.min(lo + 1, n)] ?? 0) - (p.unsent[first] ?? 0);
  };
  const offerUpper = (startMs: number, first: number, endExcl: number): void => {
    if (!loss || lostIn === null || startMs < sendFromMs || startMs + W > Math.min(sendToMs, endBy) || !isSuspect(startMs)) return;
    const packets = Math.max(0, endExcl - first);
    const lost = packets === 0 ? 0 : (p.lost[endExcl] ?? 0) - (p.lost[first] ?? 0);
    const received = packets === 0 ? 0 : (p.received[endExcl] ?? 0) - (p.received[first] ?? 0);
    const missing = Math.min(Math.max(0, scheduled - packets), unsentNear(first, startMs + W + lateMs));
    if (packets + missing === 0) return;
    track.offerUpper({
      startMs,
      packets: packets + missing,
      lost: lost + missing,
      received,
      value: ((lost + missing) / (packets + missing)) * 100,
      suspect: true,
      measured: { packets, lost },
    });
  };
  const visit = (startMs: number, first: number, endExcl: number): void => {
    if (endExcl <= first || startMs + W > endBy) return;
    if ((t[endExcl - 1] ?? 0) - (t[first] ?? 0) < minSpan) return;
    const packets = endExcl - first;
    const lost = (p.lost[endExcl] ?? 0) - (p.lost[first] ?? 0);
    const received = (p.received[endExcl] ?? 0) - (p.received[first] ?? 0);
    const value = windowValue(metric, packets, lost, received, (p.jitter[endExcl] ?? 0) - (p.jitter[first] ?? 0));
    if (Number.isNaN(value)) return;
    const suspect = isSuspect(startMs);
    const mask = track.offer(value, startMs, suspect);
    if (mask !== 0) track.keep(mask, { startMs, packets, lost, received, value, suspect });
    if (!suspect || lostIn === null) return;
    const lostInside = (lostIn[endExcl] ?? 0) - (lostIn[first] ?? 0);
    if (jitterUpper !== null) {
      if (lostInside > 0) track.unbounded = true;
      const upper = ((jitterUpper[endExcl] ?? 0) - (jitterUpper[first] ?? 0)) / received;
      track.offerUpper({ startMs, packets, lost, received, value: upper, suspect, measured: { packets, lost, jitterMs: value } });
    } else {
      const lostOutside = lost - lostInside;
      track.offerBound({ startMs, packets, lost: lostOutside, received, value: (lostOutside / packets) * 100, suspect, measured: { packets, lost } });
    }
  };
  // (A) windows starting at each send time: [t_i, t_i + W).
  let end = 0;
  for (let i = 0; i < n; i++) {
    const start = t[i] ?? 0;
    if (end < i) end = i;
    while (end < n && (t[end] ?? 0) < start + W) end++;
    // Equal send times give the same window: visit it once, at its first probe.
    if (i > 0 && (t[i - 1] ?? 0) === start) continue;
    offerUpper(start, i, end);
    visit(start, i, end);
  }
  // (E) windows ending at each send time: [t_k - W, t_k), probe k excluded. A content
  // equal to the (A) window of its first probe was already visited: skip it, so each
  // distinct content is counted once. `endA` tracks the end of that (A) window.
  let first = 0;
  let endE = 0;
  let endA = 0;
  for (let k = 0; k < n; k++) {
    const stop = t[k] ?? 0;
    if (k > 0 && (t[k - 1] ?? 0) === stop) continue;
    const start = stop - W;
    while (first < n && (t[first] ?? 0) < start) first++;
    while (endE < n && (t[endE] ?? 0) < stop) endE++;
    if (first >= n) break;
    if (endA < first) endA = first;
    const firstMs = t[first] ?? 0;
    while (endA < n && (t[endA] ?? 0) < firstMs + W) endA++;
    // The upper bound also sees the empty windows (no probe sent in them), which visit skips.
    offerUpper(start, first, endE);
    if (first < endE && endA === endE) continue;
    visit(start, first, endE);
  }

  return {
    windowMs: W,
    evaluable: track.evaluable,
    evaluableSuspect: track.evaluableSuspect,
    worstClean: track.clean,
    worstAny: track.any,
    worstBound: track.bound,
    worstUpper: track.unbounded ? null : track.upper,
  };
}
