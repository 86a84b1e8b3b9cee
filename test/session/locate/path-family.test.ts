/**
 * The family of the page's own path to the hub, from the address the hub saw, and the entry the
 * locate reaches each edge through: its first UDP entry of that family, else its first UDP entry.
 */
import { describe, expect, it } from 'vitest';
import type { TurnServerEntry } from '../../../src/protocol/api.js';
import { entryOf, pathFamily } from '../../../src/session/locate/locate.js';

describe('pathFamily', () => {
  it('reads IPv4, an IPv4-mapped IPv6 address as IPv4, IPv6, and nothing when the hub did not say', () => {
    expect(pathFamily('203.0.113.7')).toBe('ipv4');
    expect(pathFamily('::ffff:203.0.113.7')).toBe('ipv4');
    expect(pathFamily('2001:db8::7')).toBe('ipv6');
    expect(pathFamily('::1')).toBe('ipv6');
    expect(pathFamily(undefined)).toBeNull();
    expect(pathFamily('')).toBeNull();
  });
});

describe('entryOf', () => {
  const e = (url: string, transport: TurnServerEntry['transport'], port: number): TurnServerEntry => ({ url, transport, port });
  const dual = [
    e('turn:198.51.100.7:3478?transport=tcp', 'tcp', 3478),
    e('turn:198.51.100.7:3478?transport=udp', 'udp', 3478),
    e('turn:[2001:db8::7]:3478?transport=udp', 'udp', 3478),
  ];
  it("takes the page's family on a dual-stack edge, else the first UDP entry, else the first", () => {
    expect(entryOf({ turn: dual }, 'ipv6')?.url).toBe('turn:[2001:db8::7]:3478?transport=udp');
    expect(entryOf({ turn: dual }, 'ipv4')?.url).toBe('turn:198.51.100.7:3478?transport=udp');
    expect(entryOf({ turn: dual }, null)?.url).toBe('turn:198.51.100.7:3478?transport=udp');
    expect(entryOf({ turn: dual.slice(0, 2) }, 'ipv6')?.url).toBe('turn:198.51.100.7:3478?transport=udp');
    expect(entryOf({ turn: dual.slice(0, 1) }, 'ipv4')?.url).toBe('turn:198.51.100.7:3478?transport=tcp');
    expect(entryOf({ turn: [] }, 'ipv4')).toBeUndefined();
  });
});
