/**
 * Signalling sessions per network (IPv6 /48) and the reserve, on the limiter with injected
 * addresses (loopback carries no /48). The red team's attack: 4 /64s of one /48, 16 sessions
 * each, held all 50. Now one /48 holds 16 of them (a source's bound: a quarter of 50 is less),
 * and the last 5 go only to a source that holds no session.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { SourceLimiter } from '../../../server/http/signal-limits.js';

const limiter = (): SourceLimiter => new SourceLimiter({ ...DEFAULTS.signalling }, () => 0, DEFAULTS.maxSessions);

describe('signalling sessions per /48, with a reserve for new sources', () => {
  it('the attack: 4 /64s of one /48 hold 16 of the 50 sessions together; a fresh /64 of another /48 still gets one', () => {
    const l = limiter();
    expect(l.bounds).toEqual({ total: 50, perSource: 16, perNetwork: 16, reserve: 5 });
    const got = [1, 2, 3, 4].map((lan) => {
      let n = 0;
      for (let i = 0; i < 16; i++) if (l.tryOpen(`2001:db8:48:${lan}::${i + 1}`) === null) n++;
      return n;
    });
    expect(got).toEqual([16, 0, 0, 0]);
    expect(l.tryOpen('2001:db8:48:5::1')).toBe('network-sessions');
    expect(l.tryOpen('2001:db8:77:1::1')).toBeNull();
    expect(l.sessionsOpen).toBe(17);
  });

  it('keeps the last 5 for sources holding none, and gives a slot back on release', () => {
    const l = limiter();
    // 45 held by three /48s (15 each): the reserve begins.
    for (const net of [1, 2, 3]) for (let i = 0; i < 15; i++) expect(l.tryOpen(`2001:db8:${net}:1::1`)).toBeNull();
    expect(l.tryOpen('2001:db8:1:1::1')).toBe('reserve');
    for (let n = 1; n <= 5; n++) expect(l.tryOpen(`198.51.100.${n}`)).toBeNull();
    expect(l.tryOpen('198.51.100.6')).toBe('busy');
    l.release('198.51.100.5');
    expect(l.tryOpen('198.51.100.6')).toBeNull();
  });
});
