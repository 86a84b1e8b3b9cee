/**
 * Random client addresses for property tests (fast-check arbitraries): IPv4 as text, and IPv6
 * outside ::/8 (what a host has) in three spellings: RFC 5952, upper case, every group written
 * out with its leading zeros.
 */
import fc from 'fast-check';
import { formatIp } from '../../src/protocol/ip.js';

export const anyIpv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));

const ipv6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 }).filter((b) => b[0] !== 0);

export const anyIpv6 = fc.tuple(ipv6Bytes, fc.nat(2)).map(([bytes, spelling]) => {
  const text = formatIp({ family: 6, bytes });
  if (spelling === 1) return text.toUpperCase();
  if (spelling === 2)
    return Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16).padStart(4, '0')).join(':');
  return text;
});
