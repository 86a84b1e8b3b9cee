/**
 * Bytes of results one anonymous source (an IPv4 address, an IPv6 /64) may have stored per
 * day: what the store keeps for a year, so the rate limit on uploads alone (30 a minute of up
 * to 64 KiB) would still let one address add 2.7 GB a day. Each source's day starts with its
 * first stored upload; sources whose day is over are forgotten, and at most `maxSources` are
 * remembered (the oldest forgotten first), so memory stays bounded whatever the number of
 * sources.
 */
const DAY_MS = 86_400_000;
/** Sources whose days are looked over for expiry at most this often. */
const SWEEP_EVERY_MS = 60_000;

interface Day {
  startMs: number;
  bytes: number;
}

export class UploadBudget {
  private readonly days = new Map<string, Day>();
  private lastSweepMs = -Infinity;

  constructor(
    private readonly bytesPerDay: number,
    private readonly nowMs: () => number,
    private readonly maxSources = 100_000,
  ) {}

  private sweep(t: number): void {
    if (t - this.lastSweepMs < SWEEP_EVERY_MS) return;
    this.lastSweepMs = t;
    for (const [k, d] of this.days) if (t - d.startMs >= DAY_MS) this.days.delete(k);
  }

  /** Counts `bytes` for `source` when they fit in its day's budget: true; false (nothing counted) when they do not. */
  take(source: string, bytes: number): boolean {
    const t = this.nowMs();
    this.sweep(t);
    let d = this.days.get(source);
    if (d === undefined || t - d.startMs >= DAY_MS) {
      this.days.delete(source);
      d = { startMs: t, bytes: 0 };
    }
    if (d.bytes + bytes > this.bytesPerDay) return false;
    d.bytes += bytes;
    this.days.set(source, d);
    while (this.days.size > this.maxSources) {
      const oldest = this.days.keys().next().value;
      if (oldest === undefined) break;
      this.days.delete(oldest);
    }
    return true;
  }

  /** Gives back bytes counted by `take` for an upload that stored nothing (its sampleId was already stored). */
  refund(source: string, bytes: number): void {
    const d = this.days.get(source);
    if (d !== undefined) d.bytes = Math.max(0, d.bytes - bytes);
  }

  /** When `source`'s day ends (ms since the epoch), or null when it has none. */
  dayEndsAtMs(source: string): number | null {
    const d = this.days.get(source);
    return d === undefined ? null : d.startMs + DAY_MS;
  }

  /** Sources remembered now. */
  get size(): number {
    return this.days.size;
  }
}
