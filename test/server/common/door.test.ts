/** doorBounds and DoorCount: a door's count per source (/64), per network (/48), in total, with a reserve for networks holding none of the rest. */
import { describe, expect, it } from 'vitest';
import { DoorCount, DoorRefusals, doorBounds } from '../../../server/common/door.js';

describe('doorBounds', () => {
  it('gives a network 4 sources, at most an eighth of the total (a source no more than its network); the reserve is the last quarter', () => {
    expect(doorBounds(1000, 256)).toEqual({ total: 1000, perSource: 125, perNetwork: 125, reserve: 250 });
    expect(doorBounds(4096, 256)).toEqual({ total: 4096, perSource: 256, perNetwork: 512, reserve: 1024 });
    expect(doorBounds(50, 16)).toEqual({ total: 50, perSource: 6, perNetwork: 6, reserve: 12 });
    expect(doorBounds(10_000, 16)).toEqual({ total: 10_000, perSource: 16, perNetwork: 64, reserve: 2500 });
    expect(doorBounds(4, 4)).toEqual({ total: 4, perSource: 1, perNetwork: 1, reserve: 1 });
  });
});

describe('DoorCount', () => {
  it('refuses by source, then network, then total, then the reserve (only for a network that holds some of the rest)', () => {
    const d = new DoorCount({ total: 12, perSource: 3, perNetwork: 4, reserve: 4 });
    for (let i = 0; i < 3; i++) expect(d.take('2001:db8:1:1::1')).toBeNull();
    expect(d.take('2001:db8:1:1::9')).toBe('source');
    expect(d.take('2001:db8:1:2::1')).toBeNull();
    expect(d.take('2001:db8:1:3::1')).toBe('network');
    for (let i = 0; i < 3; i++) expect(d.take('198.51.100.1')).toBeNull(); // 7 held
    expect(d.take('198.51.100.2')).toBeNull(); // 8 held: the reserve begins
    // A network that holds some of the first eight takes none of the reserve; a newcomer takes its share there.
    expect(d.take('198.51.100.2')).toBe('reserve');
    expect(d.take('2001:db8:1:4::1')).toBe('network');
    expect(d.take('198.51.100.3')).toBeNull();
    expect(d.take('198.51.100.3')).toBeNull();
    expect(d.take('198.51.100.4')).toBeNull();
    expect(d.take('198.51.100.4')).toBeNull();
    expect(d.take('198.51.100.5')).toBe('total');
    // What a newcomer took in the reserve keeps it a newcomer: released and taken again, it is still served.
    d.release('198.51.100.4');
    expect(d.take('198.51.100.4')).toBeNull();
    d.release('198.51.100.4');
    d.release('2001:db8:1:1::77');
    expect(d.heldBySource('2001:db8:1:1::1')).toBe(2);
    expect(d.heldByNetwork('2001:db8:1:ffff::1')).toBe(3);
    expect(d.size).toBe(10);
    // Still in the reserve (10 of 12 held): the old networks stay out, a new one gets in.
    expect(d.take('198.51.100.2')).toBe('reserve');
    expect(d.take('203.0.113.9')).toBeNull();
  });

  it('needs eight networks to fill a door: four hold half of it, and a newcomer gets in until eight hold it all', () => {
    const b = doorBounds(1000, 256);
    const d = new DoorCount(b);
    const fill = (ip: string): number => {
      let n = 0;
      while (d.take(ip) === null) n++;
      return n;
    };
    const four = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'].map(fill);
    expect(four).toEqual([125, 125, 125, 125]);
    expect(d.take('192.0.2.5')).toBeNull();
    for (const ip of ['192.0.2.5', '192.0.2.6']) fill(ip);
    expect(d.size).toBe(750); // the first three quarters: six networks
    expect(fill('192.0.2.7')).toBe(125);
    expect(fill('192.0.2.8')).toBe(125);
    expect(d.size).toBe(1000);
    expect(d.take('192.0.2.9')).toBe('total');
  });

  it('counts every door at every scope of callprobe_refusals_total (the relay allocations also by `ports`)', () => {
    const r = new DoorRefusals();
    r.count('http-connection', 'network');
    r.include(() => [
      ['relay-allocation', 'reserve', 3],
      ['relay-allocation', 'ports', 2],
    ]);
    const all = r.all();
    expect(all).toContainEqual(['http-connection', 'network', 1]);
    expect(all).toContainEqual(['relay-allocation', 'reserve', 3]);
    expect(all).toContainEqual(['relay-allocation', 'ports', 2]);
    expect(all).toHaveLength(25);
  });
});
