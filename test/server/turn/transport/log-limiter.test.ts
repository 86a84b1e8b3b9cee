/**
 * The relay's log budget (server/turn/transport/log-limiter.ts): one flooder's lines no longer
 * crowd out another caller's allocation lines, the addresses of one IPv6 /64 share one budget,
 * many sources together stay within the total, and what was held back is counted and said.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOG_BUDGET, LogLimiter } from '../../../../server/turn/transport/log-limiter.js';
import type { RelayLogger } from '../../../../server/turn/transport/logger.js';

interface Line {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

function capture(): { logger: RelayLogger; lines: Line[] } {
  const lines: Line[] = [];
  const push = (level: string) => (fields: object, msg: string) => void lines.push({ level, fields: fields as Record<string, unknown>, msg });
  return { logger: { info: push('info'), warn: push('warn'), error: push('error'), debug: push('debug') }, lines };
}

describe('relay log budget per source', () => {
  it("one flooder's refusals do not suppress another caller's allocation line, and are counted", () => {
    let t = 1_000_000;
    const { logger, lines } = capture();
    const log = new LogLimiter(logger, DEFAULT_LOG_BUDGET, () => t);
    for (let i = 0; i < 1000; i++) log.log('warn', { reason: 'unauthorized' }, 'TURN request refused: 401', '198.51.100.7');
    log.log('info', { client: '203.0.113.5:40000' }, 'TURN allocation created', '203.0.113.5');
    expect(lines.filter((l) => l.msg === 'TURN request refused: 401')).toHaveLength(DEFAULT_LOG_BUDGET.perSourceBurst);
    expect(lines.at(-1)?.msg).toBe('TURN allocation created');
    expect(log.suppressed).toBe(1000 - DEFAULT_LOG_BUDGET.perSourceBurst);
    // A second later the flooder's next line says how many of its lines were held back.
    t += 1000;
    log.log('warn', { reason: 'unauthorized' }, 'TURN request refused: 401', '198.51.100.7');
    const said = lines.find((l) => l.msg === 'TURN relay: log lines suppressed by rate limit');
    expect(said?.fields).toEqual({ suppressed: 1000 - DEFAULT_LOG_BUDGET.perSourceBurst, source: '198.51.100.7' });
  });

  it('counts the addresses of one IPv6 /64 as one source', () => {
    const t = 5_000;
    const { logger, lines } = capture();
    const log = new LogLimiter(logger, DEFAULT_LOG_BUDGET, () => t);
    for (let i = 1; i <= 100; i++) log.log('warn', {}, 'refused', `2001:db8:1:2::${i.toString(16)}`);
    expect(lines).toHaveLength(DEFAULT_LOG_BUDGET.perSourceBurst);
    log.log('warn', {}, 'refused', '2001:db8:1:3::1');
    expect(lines).toHaveLength(DEFAULT_LOG_BUDGET.perSourceBurst + 1);
  });

  it('keeps many sources together within the total budget', () => {
    const t = 5_000;
    const { logger, lines } = capture();
    const log = new LogLimiter(logger, DEFAULT_LOG_BUDGET, () => t);
    for (let s = 0; s < 200; s++) for (let i = 0; i < 3; i++) log.log('warn', {}, 'refused', `10.0.${s >> 8}.${s & 255}`);
    expect(lines).toHaveLength(DEFAULT_LOG_BUDGET.totalBurst);
    expect(log.suppressed).toBe(600 - DEFAULT_LOG_BUDGET.totalBurst);
  });

  it('remembers at most maxSources sources, whatever the flood', () => {
    const t = 5_000;
    const { logger } = capture();
    const budget = { ...DEFAULT_LOG_BUDGET, maxSources: 64 };
    const log = new LogLimiter(logger, budget, () => t);
    for (let s = 0; s < 5000; s++) log.log('warn', {}, 'refused', `10.${s >> 16}.${(s >> 8) & 255}.${s & 255}`);
    expect(log.sourcesRemembered).toBe(64);
  });
});
