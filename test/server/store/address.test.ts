import { describe, expect, it } from 'vitest';
import { addressPrefix, unmapIpv4 } from '../../../server/store/address.js';

describe('client address prefixes', () => {
  it('truncates IPv4 to /24 and IPv6 to /48 (RFC 5952 text)', () => {
    expect(addressPrefix('203.0.113.77', 24, 48)).toBe('203.0.113.0/24');
    expect(addressPrefix('::ffff:203.0.113.77', 24, 48)).toBe('203.0.113.0/24');
    expect(addressPrefix('2001:db8:1234:5678:9abc::1', 24, 48)).toBe('2001:db8:1234::/48');
    expect(addressPrefix('2001:DB8:1234:5678::1', 24, 64)).toBe('2001:db8:1234:5678::/64');
    expect(addressPrefix('::1', 24, 48)).toBe('::/48');
    expect(addressPrefix('fe80::1%eth0', 24, 64)).toBe('fe80::/64');
    expect(addressPrefix('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 24, 56)).toBe('2001:db8:ffff:ff00::/56');
    expect(addressPrefix('64:ff9b::198.51.100.1', 24, 128)).toBe('64:ff9b::c633:6401/128');
  });

  it('gives null for what is not an address', () => {
    expect(addressPrefix('example.org', 24, 48)).toBeNull();
    expect(addressPrefix('', 24, 48)).toBeNull();
    expect(addressPrefix('1.2.3.256', 24, 48)).toBeNull();
  });

  it('reads IPv4-mapped IPv6 as IPv4 only', () => {
    expect(unmapIpv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(unmapIpv4('::1')).toBe('::1');
  });
});
