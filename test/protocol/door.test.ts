/** doorBounds and DoorCount: a door's count per source (/64), per network (/48), in total, with a reserve for sources holding nothing. */
import { describe, expect, it } from 'vitest';
import { DoorCount, DoorRefusals, doorBounds } from '../../src/protocol/door.js';

describe('doorBounds', () => {
  it('gives a network 4 sources, at most a quarter of the total, never less than one source; the reserve is 10 %', () => {
    expect(doorBounds(1000, 256)).toEqual({ total: 1000, perSource: 256, perNetwork: 256, reserve: 100 });
    expect(doorBounds(4096, 256)).toEqual({ total: 4096, perSource: 256, perNetwork: 1024, reserve: 409 });
    expect(doorBounds(50, 16)).toEqual({ total: 50, perSource: 16, perNetwork: 16, reserve: 5 });
    expect(doorBounds(10_000, 16)).toEqual({ total: 10_000, perSource: 16, perNetwork: 64, reserve: 1000 });
  });
});

describe('DoorCount', () => {
  it('refuses by source, then network, then total, then the reserve (only for a source that holds some)', () => {
    const d = new DoorCount({ total: 10, perSource: 3, perNetwork: 4, reserve: 2 });
    for (let i = 0; i < 3; i++) expect(d.take('2001:db8:1:1::1')).toBeNull();
    expect(d.take('2001:db8:1:1::9')).toBe('source');
    expect(d.take('2001:db8:1:2::1')).toBeNull();
    expect(d.take('2001:db8:1:3::1')).toBe('network');
    for (let i = 0; i < 3; i++) expect(d.take('198.51.100.1')).toBeNull(); // 7 held
    expect(d.take('198.51.100.2')).toBeNull(); // 8 held: the reserve begins
    expect(d.take('198.51.100.2')).toBe('reserve');
    expect(d.take('198.51.100.3')).toBeNull();
    expect(d.take('198.51.100.4')).toBeNull();
    expect(d.take('198.51.100.5')).toBe('total');
    d.release('198.51.100.4');
    d.release('2001:db8:1:1::77');
    expect(d.heldBySource('2001:db8:1:1::1')).toBe(2);
    expect(d.heldByNetwork('2001:db8:1:ffff::1')).toBe(3);
    expect(d.size).toBe(8);
  });

  it('renders every door and scope in callprobe_refusals_total', () => {
    const r = new DoorRefusals();
    r.count('http-connection', 'network');
    r.include(() => [['relay-allocation', 'reserve', 3]]);
    const text = r.render();
    expect(text).toContain('callprobe_refusals_total{door="http-connection",scope="network"} 1');
    expect(text).toContain('callprobe_refusals_total{door="relay-allocation",scope="reserve"} 3');
    expect(text.match(/^callprobe_refusals_total\{/gm)).toHaveLength(24);
  });
});
