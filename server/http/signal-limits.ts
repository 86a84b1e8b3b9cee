/**
 * Per-source limits of the signalling WebSocket. A source is an
 * IPv4 address or an IPv6 /64 (one subscriber's prefix), the key every route limit and the
 * relay's quotas count by.
 * Every map here is swept of idle sources, so memory is bounded by the sources active in the
 * last minute, and each holds a few numbers.
 */
import { sourceKey } from '../../src/protocol/source-key.js';

/** The key of a source address (src/protocol/source-key.ts, shared with the relay's quotas). */
export { sourceKey };

export interface SignalLimits {
  maxSessionsPerSource: number;
  newSessionsPerMinutePerSource: number;
  messagesPerSecond: number;
  messageBurst: number;
  logLinesPerSecondPerSource: number;
}

export type SessionRefusal = 'too-many-sessions' | 'too-many-new-sessions';

interface Source {
  open: number;
  windowStartMs: number;
  newInWindow: number;
  logTokens: number;
  logAtMs: number;
}

const WINDOW_MS = 60_000;

/** Open-session and new-session-per-minute bounds, and a per-source log-line budget. */
export class SourceLimiter {
  private readonly sources = new Map<string, Source>();
  private lastSweepMs: number;

  constructor(
    private readonly limits: SignalLimits,
    private readonly now: () => number,
  ) {
    this.lastSweepMs = now();
  }

  private get(key: string, t: number): Source {
    let s = this.sources.get(key);
    if (!s) {
      s = { open: 0, windowStartMs: t, newInWindow: 0, logTokens: this.limits.logLinesPerSecondPerSource, logAtMs: t };
      this.sources.set(key, s);
    }
    return s;
  }

  private sweep(t: number): void {
    if (t - this.lastSweepMs < WINDOW_MS) return;
    this.lastSweepMs = t;
    for (const [k, s] of this.sources) if (s.open === 0 && t - s.windowStartMs >= WINDOW_MS) this.sources.delete(k);
  }

  /** A session from `key` wants to start: null when it may (then call `release` once it ends). */
  tryOpen(key: string): SessionRefusal | null {
    const t = this.now();
    this.sweep(t);
    const s = this.get(key, t);
    if (t - s.windowStartMs >= WINDOW_MS) {
      s.windowStartMs = t;
      s.newInWindow = 0;
    }
    if (s.open >= this.limits.maxSessionsPerSource) return 'too-many-sessions';
    if (s.newInWindow >= this.limits.newSessionsPerMinutePerSource) return 'too-many-new-sessions';
    s.open++;
    s.newInWindow++;
    return null;
  }

  release(key: string): void {
    const s = this.sources.get(key);
    if (s && s.open > 0) s.open--;
  }

  /** May one more log line about `key` be written now? */
  mayLog(key: string): boolean {
    const t = this.now();
    const s = this.get(key, t);
    const rate = this.limits.logLinesPerSecondPerSource;
    s.logTokens = Math.min(rate, s.logTokens + ((t - s.logAtMs) / 1000) * rate);
    s.logAtMs = t;
    if (s.logTokens < 1) return false;
    s.logTokens -= 1;
    return true;
  }

  /** Sources tracked now (bounded by the sources active in the last minute). */
  get size(): number {
    return this.sources.size;
  }
}

/** A token bucket of messages for one session. */
export class MessageBucket {
  private tokens: number;
  private atMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.atMs = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.atMs) / 1000) * this.perSecond);
    this.atMs = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Same-origin unless an allow-list is given; a request without Origin is not a browser's (nothing to protect). */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.length > 0) return allowed.includes(origin);
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
