/**
 * scrubAddresses: every IPv4 and IPv6 address out of free text, in every spelling a browser, a
 * server or a person writes one (with a port, in brackets, with a zone, mapped, upper case,
 * uncompressed, at a sentence's end), and nothing else changed (times, versions, C++ names).
 * Random addresses are checked by property (seeded), and a pathological text stays linear.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasAddress, scrubAddresses } from '../../src/protocol/address-text.js';
import { anyIpv4, anyIpv6 } from '../kit/addresses.js';

describe('scrubAddresses', () => {
  it('replaces addresses as written in errors, candidates and tickets', () => {
    const cases: Array<[string, string]> = [
      ['2 mappings from 127.0.0.1:40133', '2 mappings from [address]:40133'],
      ['candidate:1 1 udp 2122260223 192.168.1.23 50000 typ host', 'candidate:1 1 udp 2122260223 [address] 50000 typ host'],
      ['raddr 2001:db8:1:2::17 rport 9', 'raddr [address] rport 9'],
      ['turn:[2001:DB8::5]:3478 failed', 'turn:[[address]]:3478 failed'],
      ['2001:db8::1:40133 went away', '[address]:40133 went away'],
      ['fe80::1%eth0', '[ip]%eth0'],
      ['::ffff:198.51.100.7 and ::1.', '[address] and ***.'],
      ['a host at 10.0.0.1.', 'a host at [ip].'],
    ];
    for (const [text, clean] of cases) {
      expect(scrubAddresses(text)).toBe(clean);
      expect(clean.length).toBeLessThanOrEqual(text.length);
    }
  });

  it('leaves texts without an address as they are', () => {
    for (const text of [
      'at 10:30:00, v0.1.0 and 1.2.3',
      'std::string a::b d:: ::',
      'Chromium 156; 300.1.1.1; 1.2.3.4.5',
      'deadbeef cafe:babe 0x1f',
      'ICE failed: 701 STUN binding request timed out.',
    ])
      expect(scrubAddresses(text)).toBe(text);
  });

  it('leaves no random address in any text around it (property, seeded)', () => {
    const around = fc.string({ maxLength: 20 }).map((s) => s.replace(/[0-9A-Fa-f:.%[\]]/g, ' '));
    const spelled = fc.oneof(
      anyIpv4,
      anyIpv6,
      anyIpv4.map((a) => `${a}:40133`),
      anyIpv6.map((a) => `[${a}]:3478`),
      anyIpv4.map((a) => `::ffff:${a}`),
      anyIpv6.map((a) => `${a}%eth0`),
      anyIpv6.map((a) => `${a}.`),
    );
    fc.assert(
      fc.property(around, spelled, around, (before, address, after) => {
        const text = `${before}${address}${after}`;
        const clean = scrubAddresses(text);
        expect(hasAddress(text)).toBe(true);
        expect(clean.length).toBeLessThanOrEqual(text.length);
        expect(hasAddress(clean)).toBe(false);
        expect(clean.startsWith(before)).toBe(true);
      }),
      { seed: 4193, numRuns: 3000 },
    );
  });

  it('stays linear on long runs of digits, dots and colons', () => {
    for (const text of ['a'.repeat(100_000), '1:'.repeat(50_000), '1.'.repeat(50_000), 'f'.repeat(100_000) + ':']) expect(scrubAddresses(text)).toBe(text);
  });
});
