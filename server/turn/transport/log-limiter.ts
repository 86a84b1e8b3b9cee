/** Keeps refusal logs readable under attack: a token bucket of log lines, with a count of what was held back. */
import type { RelayLogger } from './logger.js';
import type { LogLevel } from '../core/types.js';

export class LogLimiter {
  private tokens: number;
  private lastMs: number;
  private suppressed = 0;

  constructor(
    private readonly logger: RelayLogger,
    private readonly perSecond = 20,
    private readonly burst = 50,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.lastMs = now();
  }

  log(level: LogLevel, fields: Readonly<Record<string, unknown>>, msg: string): void {
    if (level === 'debug') {
      this.logger.debug(fields, msg);
      return;
    }
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.lastMs) / 1000) * this.perSecond);
    this.lastMs = t;
    if (this.tokens < 1) {
      this.suppressed++;
      return;
    }
    this.tokens -= 1;
    if (this.suppressed > 0) {
      this.logger.warn({ suppressed: this.suppressed }, 'TURN relay: log lines suppressed by rate limit');
      this.suppressed = 0;
    }
    this.logger[level](fields, msg);
  }
}
