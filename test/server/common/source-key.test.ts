/**
 * sourceKey: an IPv4 address as is, an IPv6 address by its /64, IPv4-mapped IPv6 as IPv4;
 * checked by hand and against @fastify/rate-limit's normalizeIP(ip, 64) (built on the
 * ip-address package) as an independent oracle over random addresses.
 */
import { normalizeIP } from '@fastify/rate-limit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkKey, sourceKey } from '../../../server/common/source-key.js';

describe('sourceKey', () => {
  it('keys IPv4 by address, IPv6 by /64, IPv4-mapped IPv6 as IPv4', () => {
    expect(sourceKey('203.0.113.1')).toBe('203.0.113.1');
    expect(sourceKey('::ffff:203.0.113.1')).toBe('203.0.113.1');
    expect(sourceKey('::FFFF:cb00:7101')).toBe('203.0.113.1');
    expect(sourceKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::');
    expect(sourceKey('2001:DB8:1:2::ffff')).toBe('2001:db8:1:2::');
    expect(sourceKey('2001:db8::1')).toBe('2001:db8::');
    expect(sourceKey('::1')).toBe('::');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80::');
    expect(sourceKey(undefined)).toBe('unknown');
    expect(sourceKey('')).toBe('unknown');
    expect(sourceKey('Not-An-Address')).toBe('not-an-address');
  });

  it('agrees with @fastify/rate-limit normalizeIP(ip, 64) on random addresses (seeded)', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
    // Words biased towards 0, so the '::' runs (RFC 5952 §4.2) come in every length and place.
    const word = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    const v6 = fc.array(word, { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'));
    const mapped = v4.map((a) => `::ffff:${a}`);
    fc.assert(
      fc.property(fc.oneof(v4, v6, mapped), (ip) => {
        expect(sourceKey(ip)).toBe(normalizeIP(ip, 64));
      }),
      { seed: 6477, numRuns: 2000 },
    );
  });
});

describe('networkKey', () => {
  it('keys IPv4 by address, IPv6 by /48, IPv4-mapped IPv6 as IPv4', () => {
    expect(networkKey('203.0.113.1')).toBe('203.0.113.1');
    expect(networkKey('::ffff:203.0.113.1')).toBe('203.0.113.1');
    expect(networkKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1::');
    expect(networkKey('2001:db8:1:ffff::1')).toBe('2001:db8:1::');
    expect(networkKey('2001:db8:2:2::1')).toBe('2001:db8:2::');
    expect(networkKey(undefined)).toBe('unknown');
    expect(networkKey('Not-An-Address')).toBe('not-an-address');
  });

  it('agrees with @fastify/rate-limit normalizeIP(ip, 48) on random addresses (seeded)', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
    const word = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    const v6 = fc.array(word, { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'));
    fc.assert(
      fc.property(fc.oneof(v4, v6), (ip) => {
        expect(networkKey(ip)).toBe(normalizeIP(ip, 48));
      }),
      { seed: 4848, numRuns: 2000 },
    );
  });
});
