/**
 * When callprobe's own service was down, from the heartbeats every `serve` instance keeps in the
 * shared store: the service is up while at least one instance is (from its start to its clean
 * stop, or to its last beat plus a grace when it died), and down in the gaps between. Before the
 * first heartbeat known nothing is known: that time is never counted as our downtime. A
 * could-not-test sample that started in our downtime is ours; any other is the site's own
 * outage. Pure: intervals in, intervals out (ms since the epoch).
 */

/** One instance's run as the store keeps it. */
export interface Heartbeat {
  startedAtMs: number;
  lastBeatMs: number;
  /** Set by a clean shutdown; null while it runs, or when it died. */
  stoppedAtMs: number | null;
}

export interface Interval {
  startMs: number;
  endMs: number;
}

/**
 * The service's downtime between `fromMs` and `nowMs`: the gaps between the instances' runs
 * (each run up from its start to its stop, else to its last beat + graceMs, at most nowMs),
 * merged, in time order. Nothing before the first run's start.
 */
export function serviceDowntime(beats: readonly Heartbeat[], graceMs: number, fromMs: number, nowMs: number): Interval[] {
  const runs = beats
    .map((b) => ({ startMs: b.startedAtMs, endMs: Math.min(nowMs, b.stoppedAtMs ?? b.lastBeatMs + graceMs) }))
    .filter((r) => r.endMs > r.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const first = runs[0];
  if (first === undefined) return [];
  const down: Interval[] = [];
  let upTo = first.startMs;
  for (const r of runs) {
    if (r.startMs > upTo) down.push({ startMs: upTo, endMs: r.startMs });
    upTo = Math.max(upTo, r.endMs);
  }
  if (upTo < nowMs) down.push({ startMs: upTo, endMs: nowMs });
  return down.map((d) => ({ startMs: Math.max(d.startMs, fromMs), endMs: d.endMs })).filter((d) => d.endMs > d.startMs);
}

/** Whether an instant falls in one of the downtime intervals (start inclusive, end exclusive). */
export function inDowntime(down: readonly Interval[], atMs: number): boolean {
  return down.some((d) => atMs >= d.startMs && atMs < d.endMs);
}

/** How much of [fromMs, toMs) the service was up: the span less the downtime inside it. */
export function upTimeMs(down: readonly Interval[], fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  const lost = down.reduce((sum, d) => sum + Math.max(0, Math.min(toMs, d.endMs) - Math.max(fromMs, d.startMs)), 0);
  return toMs - fromMs - lost;
}
