/**
 * Signalling sessions per network (IPv6 /48; an IPv4 address is its own) and the reserve, on the
 * limiter with injected addresses (loopback carries no /48). The red team's attacks: 4 /64s of one
 * /48, 16 sessions each, held all 50; later 8 networks held all 50 for up to 12 minutes each. Now
 * one network holds an eighth of them (6), and the last quarter (12) goes only to a network that
 * holds none of the rest: eight networks are needed to fill the door.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { SourceLimiter } from '../../../server/http/signal-limits.js';

const limiter = (): SourceLimiter => new SourceLimiter({ ...DEFAULTS.signalling }, () => 0, DEFAULTS.maxSessions);

describe('signalling sessions per network, with a reserve for new networks', () => {
  it('the attack: 4 /64s of one /48 hold 6 of the 50 sessions together; a fresh /64 of another /48 still gets one', () => {
    const l = limiter();
    expect(l.bounds).toEqual({ total: 50, perSource: 6, perNetwork: 6, reserve: 12 });
    const got = [1, 2, 3, 4].map((lan) => {
      let n = 0;
      for (let i = 0; i < 16; i++) if (l.tryOpen(`2001:db8:48:${lan}::${i + 1}`) === null) n++;
      return n;
    });
    expect(got).toEqual([6, 0, 0, 0]);
    expect(l.tryOpen('2001:db8:48:5::1')).toBe('network-sessions');
    expect(l.tryOpen('2001:db8:77:1::1')).toBeNull();
    expect(l.sessionsOpen).toBe(7);
  });

  it('keeps the last 12 for networks holding none of the rest, and gives a slot back on release', () => {
    const l = limiter();
    // 38 held by seven networks (six of 6, one of 2): the reserve begins.
    for (let net = 1; net <= 6; net++) for (let i = 0; i < 6; i++) expect(l.tryOpen(`192.0.2.${net}`)).toBeNull();
    for (let i = 0; i < 2; i++) expect(l.tryOpen('2001:db8:7:1::1')).toBeNull();
    expect(l.sessionsOpen).toBe(38);
    expect(l.tryOpen('2001:db8:7:2::1')).toBe('reserve');
    for (let n = 1; n <= 12; n++) expect(l.tryOpen(`198.51.100.${Math.ceil(n / 6)}`)).toBeNull();
    expect(l.tryOpen('198.51.100.6')).toBe('busy');
    l.release('198.51.100.2');
    expect(l.tryOpen('198.51.100.6')).toBeNull();
  });
});
