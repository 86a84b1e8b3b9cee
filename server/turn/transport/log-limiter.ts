/**
 * Keeps the relay's log readable under attack, and the journal from filling: each source (an
 * IPv4 address, an IPv6 /64: server/common/source-key.ts) has its own token bucket of log lines,
 * so one flooder uses up only its own and other callers' allocation lines still get through;
 * a bucket over all lines bounds what many sources together can write. What is held back is
 * counted, said in the next line written (per source and in all), and in /metrics.
 */
import { sourceKey } from '../../common/source-key.js';
import type { RelayLogger } from './logger.js';
import type { LogLevel } from '../core/types.js';

/** The budgets: per source, and over every line together. */
export interface LogBudget {
  perSourcePerSecond: number;
  perSourceBurst: number;
  totalPerSecond: number;
  totalBurst: number;
  /** Sources remembered at once (the idlest forgotten first): bounds memory whatever the flood. */
  maxSources: number;
}

/** One source's budget: 2 lines a second, 10 at once (an allocation's created and deleted lines, a few refusals). */
export const DEFAULT_LOG_BUDGET: LogBudget = { perSourcePerSecond: 2, perSourceBurst: 10, totalPerSecond: 20, totalBurst: 50, maxSources: 10_000 };

class Bucket {
  tokens: number;
  atMs: number;
  suppressed = 0;
  constructor(
    readonly rate: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.atMs = nowMs;
  }

  take(t: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.atMs) / 1000) * this.rate);
    this.atMs = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class LogLimiter {
  private readonly total: Bucket;
  private readonly sources = new Map<string, Bucket>();
  private suppressedTotal = 0;

  constructor(
    private readonly logger: RelayLogger,
    private readonly budget: LogBudget = DEFAULT_LOG_BUDGET,
    private readonly now: () => number = Date.now,
  ) {
    this.total = new Bucket(budget.totalPerSecond, budget.totalBurst, now());
  }

  /** The bucket of `source`, most recently used last (so the first is the idlest). */
  private bucketOf(source: string, t: number): Bucket {
    const key = sourceKey(source);
    let b = this.sources.get(key);
    if (b === undefined) {
      b = new Bucket(this.budget.perSourcePerSecond, this.budget.perSourceBurst, t);
      while (this.sources.size >= this.budget.maxSources) {
        const idlest = this.sources.keys().next().value;
        if (idlest === undefined) break;
        this.sources.delete(idlest);
      }
    } else {
      this.sources.delete(key);
    }
    this.sources.set(key, b);
    return b;
  }

  /** Writes a line unless its source's budget, or the budget of all lines, is spent (then counts it). */
  log(level: LogLevel, fields: Readonly<Record<string, unknown>>, msg: string, source?: string): void {
    if (level === 'debug') {
      this.logger.debug(fields, msg);
      return;
    }
    const t = this.now();
    const own = source === undefined ? null : this.bucketOf(source, t);
    if ((own !== null && !own.take(t)) || !this.total.take(t)) {
      if (own !== null) own.suppressed++;
      else this.total.suppressed++;
      this.suppressedTotal++;
      return;
    }
    const held = (own?.suppressed ?? 0) + this.total.suppressed;
    if (held > 0) {
      this.logger.warn(
        { suppressed: held, ...(own !== null && own.suppressed > 0 ? { source: sourceKey(source) } : {}) },
        'TURN relay: log lines suppressed by rate limit',
      );
      if (own !== null) own.suppressed = 0;
      this.total.suppressed = 0;
    }
    this.logger[level](fields, msg);
  }

  /** Sources whose budgets are remembered now (at most maxSources). */
  get sourcesRemembered(): number {
    return this.sources.size;
  }

  /** Lines held back since start (for /metrics). */
  get suppressed(): number {
    return this.suppressedTotal;
  }
}
