/**
 * Requests per minute per network (an IPv6 /48, an IPv4 address: `networkKey`), beside a route's
 * per-source rate limit (@fastify/rate-limit counts by source, an IPv6 /64): the /64s of one /48
 * share `perMinute`, so a site's 65,536 /64s cannot each take a source's rate. Fixed one-minute
 * windows; networks whose window is over are swept, so memory is bounded by the networks active
 * in the last minute.
 */
import { networkKey } from '../common/source-key.js';

const WINDOW_MS = 60_000;

export class NetworkRate {
  private readonly windows = new Map<string, { startMs: number; n: number }>();
  private lastSweepMs = -Infinity;

  constructor(
    readonly perMinute: number,
    private readonly nowMs: () => number,
  ) {}

  /** Counts one request from `ip`: true when its network is within the minute's rate, false (not counted) when over. */
  take(ip: string): boolean {
    const t = this.nowMs();
    if (t - this.lastSweepMs >= WINDOW_MS) {
      this.lastSweepMs = t;
      for (const [k, w] of this.windows) if (t - w.startMs >= WINDOW_MS) this.windows.delete(k);
    }
    const key = networkKey(ip);
    let w = this.windows.get(key);
    if (w === undefined || t - w.startMs >= WINDOW_MS) {
      w = { startMs: t, n: 0 };
      this.windows.set(key, w);
    }
    if (w.n >= this.perMinute) return false;
    w.n++;
    return true;
  }

  /** Networks remembered now. */
  get size(): number {
    return this.windows.size;
  }
}
