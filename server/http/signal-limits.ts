/**
 * Per-source limits of the signalling WebSocket. A source is an
 * IPv4 address or an IPv6 /64 (one subscriber's prefix), the key every route limit and the
 * relay's quotas count by. Sessions open at once are also bounded per network (an IPv6 /48)
 * and in total, with the last of the total kept for sources that hold no session
 * (server/common/door.ts).
 * Every map here is swept of idle sources, so memory is bounded by the sources active in the
 * last minute, and each holds a few numbers.
 */
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { VideoBook, type VideoRefusal } from './video-book.js';
import type { SignalKind } from '../../src/protocol/api.js';
import { DoorCount, doorBounds, type DoorBounds, type DoorScope } from '../common/door.js';
import { sourceKey } from '../common/source-key.js';

/** The key of a source address (server/common/source-key.ts, shared with the relay's quotas). */
export { sourceKey };

export interface SignalLimits {
  maxSessionsPerSource: number;
  newSessionsPerMinutePerSource: number;
  messagesPerSecond: number;
  messageBurst: number;
  logLinesPerSecondPerSource: number;
}

/** Why a session was refused: the source's open sessions, its new sessions this minute, its network's open sessions, the total, the reserve. */
export type SessionRefusal = 'too-many-sessions' | 'too-many-new-sessions' | 'network-sessions' | 'busy' | 'reserve' | VideoRefusal;

const REFUSAL_OF_SCOPE: Record<DoorScope, SessionRefusal> = { source: 'too-many-sessions', network: 'network-sessions', total: 'busy', reserve: 'reserve' };

/** The door scope of a session refusal (callprobe_refusals_total), or null for the per-minute rate. */
export function sessionRefusalScope(r: SessionRefusal): DoorScope | null {
  return (Object.keys(REFUSAL_OF_SCOPE) as DoorScope[]).find((k) => REFUSAL_OF_SCOPE[k] === r) ?? null;
}

interface Source {
  windowStartMs: number;
  newInWindow: number;
  logTokens: number;
  logAtMs: number;
}

const WINDOW_MS = 60_000;

/** Open-session bounds (per source, per network, in total, the reserve), new sessions per minute per source, and a per-source log-line budget. */
export class SourceLimiter {
  private readonly sources = new Map<string, Source>();
  /** Sessions open, by source and network. */
  private readonly open: DoorCount;
  private lastSweepMs: number;
  /** Video phases started in the last hour, per source, per network and in all (./video-book.ts). */
  readonly videoBook: VideoBook;

  constructor(
    private readonly limits: SignalLimits,
    private readonly now: () => number,
    /** Sessions open at once over all sources (DEFAULTS.maxSessions). */
    maxSessions: number,
  ) {
    this.lastSweepMs = now();
    this.videoBook = new VideoBook(CONSTANTS.video, now);
    this.open = new DoorCount(doorBounds(maxSessions, Math.min(limits.maxSessionsPerSource, maxSessions)));
  }

  get bounds(): DoorBounds {
    return this.open.bounds;
  }

  private get(key: string, t: number): Source {
    let s = this.sources.get(key);
    if (!s) {
      s = { windowStartMs: t, newInWindow: 0, logTokens: this.limits.logLinesPerSecondPerSource, logAtMs: t };
      this.sources.set(key, s);
    }
    return s;
  }

  private sweep(t: number): void {
    if (t - this.lastSweepMs < WINDOW_MS) return;
    this.lastSweepMs = t;
    for (const [k, s] of this.sources) if (t - s.windowStartMs >= WINDOW_MS) this.sources.delete(k);
  }

  /**
   * A session from `ip` wants to start: null when it may (then call `release(ip, kind)` once it
   * ends). A video phase (`kind` video) also needs its place in the video book (./video-book.ts).
   */
  tryOpen(ip: string, kind: SignalKind | null = null): SessionRefusal | null {
    const t = this.now();
    this.sweep(t);
    const s = this.get(sourceKey(ip), t);
    if (t - s.windowStartMs >= WINDOW_MS) {
      s.windowStartMs = t;
      s.newInWindow = 0;
    }
    const scope = this.open.check(ip);
    if (scope !== null) return REFUSAL_OF_SCOPE[scope];
    if (s.newInWindow >= this.limits.newSessionsPerMinutePerSource) return 'too-many-new-sessions';
    const video = kind === 'video' ? this.videoBook.tryStart(ip) : null;
    if (video !== null) return video;
    this.open.add(ip);
    s.newInWindow++;
    return null;
  }

  release(ip: string, kind: SignalKind | null = null): void {
    if (this.open.heldBySource(ip) > 0) this.open.release(ip);
    if (kind === 'video') this.videoBook.release();
  }

  /** Sessions open now. */
  get sessionsOpen(): number {
    return this.open.size;
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
