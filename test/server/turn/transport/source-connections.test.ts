/** SourceConnections: TURN TCP/TLS connections counted per source (IPv4 address, IPv6 /64), per network (IPv6 /48) and in total, with a reserve. */
import { describe, expect, it } from 'vitest';
import { SourceConnections } from '../../../../server/turn/transport/source-connections.js';

describe('SourceConnections', () => {
  it('counts every address of a /64 as one source, up to the bound; others keep theirs', () => {
    const c = new SourceConnections(3, 100);
    expect(['2001:db8:7:1::1', '2001:db8:7:1::2', '2001:db8:7:1:ffff::9'].map((ip) => c.tryOpen(ip))).toEqual([null, null, null]);
    expect(c.tryOpen('2001:db8:7:1::4')).toBe('source');
    expect(c.tryOpen('2001:db8:7:2::1')).toBeNull();
    expect(c.tryOpen('::ffff:203.0.113.5')).toBeNull();
    expect(c.openFrom('2001:db8:7:1::77')).toBe(3);
    expect(c.openFrom('203.0.113.5')).toBe(1);
    expect(c.sources).toBe(3);
  });

  it('gives a closed connection back, and forgets a source with none open', () => {
    const c = new SourceConnections(1, 100);
    expect(c.tryOpen('198.51.100.1')).toBeNull();
    expect(c.tryOpen('198.51.100.1')).toBe('source');
    c.release('198.51.100.1');
    expect(c.sources).toBe(0);
    expect(c.tryOpen('198.51.100.1')).toBeNull();
  });

  it('the attack: 4 /64s of one /48 hold one network share (125 of 1,000), and a fresh source of another /48 still gets in', () => {
    const c = new SourceConnections(256, 1000);
    expect(c.bounds).toEqual({ total: 1000, perSource: 125, perNetwork: 125, reserve: 250 });
    let admitted = 0;
    for (let lan = 1; lan <= 4; lan++) for (let i = 1; i <= 256; i++) if (c.tryOpen(`2001:db8:48:${lan}::${i.toString(16)}`) === null) admitted++;
    expect(admitted).toBe(125);
    expect(c.openFromNetwork('2001:db8:48:ffff::1')).toBe(125);
    expect(c.tryOpen('2001:db8:48:5::1')).toBe('network');
    expect(c.tryOpen('2001:db8:99:1::1')).toBeNull();
  });

  it('keeps the last quarter of the total for networks holding none of the rest', () => {
    const c = new SourceConnections(256, 1000);
    // Six /48s of 125 each (their network share): 750 open, the reserve begins.
    for (let net = 1; net <= 6; net++) for (let i = 1; i <= 125; i++) expect(c.tryOpen(`2001:db8:${net}:1::${i.toString(16)}`)).toBeNull();
    expect(c.open).toBe(750);
    c.release('2001:db8:1:1::1');
    c.tryOpen('2001:db8:7:1::1'); // 750 again, a seventh network holding one of them
    expect(c.tryOpen('2001:db8:7:2::1')).toBe('reserve'); // its network holds some: refused
    // Two newcomers take their share each from the reserve.
    for (const ip of ['198.51.100.1', '198.51.100.2']) for (let i = 0; i < 125; i++) expect(c.tryOpen(ip)).toBeNull();
    expect(c.tryOpen('198.51.100.200')).toBe('total');
  });
});
