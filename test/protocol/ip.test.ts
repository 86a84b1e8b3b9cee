import { describe, expect, it } from 'vitest';
import { formatIp, tryParseIp, unmapIpv4Mapped } from '../../src/protocol/ip.js';

const unmapped = (text: string): string => {
  const ip = tryParseIp(text);
  if (ip === null) throw new TypeError(`not an IP literal: ${text}`);
  return formatIp(unmapIpv4Mapped(ip));
};

describe('unmapIpv4Mapped', () => {
  it('reads an IPv4-mapped IPv6 address (::ffff:0:0/96) as its IPv4 address', () => {
    expect(unmapped('::ffff:192.0.2.2')).toBe('192.0.2.2');
    expect(unmapped('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(unmapped('0:0:0:0:0:ffff:c000:202')).toBe('192.0.2.2');
  });

  it('leaves every other address as it is: NAT64, IPv4-compatible, plain IPv6 and IPv4', () => {
    expect(unmapped('64:ff9b::7f00:1')).toBe('64:ff9b::7f00:1');
    expect(unmapped('::7f00:1')).toBe('::127.0.0.1');
    expect(unmapped('::fffe:7f00:1')).toBe('::fffe:7f00:1');
    expect(unmapped('1::ffff:7f00:1')).toBe('1::ffff:7f00:1');
    expect(unmapped('2001:db8::1')).toBe('2001:db8::1');
    expect(unmapped('192.0.2.2')).toBe('192.0.2.2');
  });
});
