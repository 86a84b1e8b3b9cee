import { describe, expect, it } from 'vitest';
import { canonicalIp, formatIp, parseIp, parsePrefix, prefixContains, IpParseError, tryParseIp } from '../../../../src/protocol/ip.js';
import { StaticPeerPolicy } from '../../../../server/turn/policy/peer-policy.js';
import { specialRangeOf } from '../../../../server/turn/policy/special-purpose.js';

describe('IP text (same form as Node rinfo.address)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['::', '::'],
    ['0:0:0:0:0:ffff:7f00:1', '::ffff:127.0.0.1'],
    ['::127.0.0.2', '::127.0.0.2'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80:0:0:0:0:0:0:1%eth0', 'fe80::1'],
    ['1::', '1::'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
  ])('%s -> %s', (input, out) => {
    expect(canonicalIp(input)).toBe(out);
  });
  it('rejects junk', () => {
    for (const bad of ['', '1.2.3', '1.2.3.256', '01.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', 'localhost']) {
      expect(tryParseIp(bad), bad).toBeNull();
    }
    expect(() => parseIp('nope')).toThrowError(IpParseError);
    expect(() => parsePrefix('10.0.0.0/33')).toThrowError(IpParseError);
  });
  it('matches prefixes', () => {
    expect(prefixContains(parsePrefix('10.0.0.0/8'), parseIp('10.255.0.1'))).toBe(true);
    expect(prefixContains(parsePrefix('10.0.0.0/9'), parseIp('10.255.0.1'))).toBe(false);
    expect(prefixContains(parsePrefix('fc00::/7'), parseIp('fdff::1'))).toBe(true);
    expect(prefixContains(parsePrefix('0.0.0.0/0'), parseIp('::1'))).toBe(false);
    expect(formatIp(parsePrefix('10.1.2.3/8'))).toBe('10.0.0.0');
  });
});

describe('special-purpose registry', () => {
  it.each([
    ['0.1.2.3', 'this-network'],
    ['10.0.0.1', 'private-use'],
    ['100.64.0.1', 'shared-address-space'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.31.0.1', 'private-use'],
    ['192.0.0.170', 'ietf-protocol-assignments'],
    ['192.0.2.2', 'documentation'],
    ['192.168.1.1', 'private-use'],
    ['198.19.0.1', 'benchmarking'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'limited-broadcast'],
    ['::1', 'ietf-reserved'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:2::1', 'ietf-protocol-assignments'],
    ['64:ff9b:1::1', 'nat64-local-use'],
  ])('%s is %s', (ip, name) => {
    expect(specialRangeOf(parseIp(ip))?.name).toBe(name);
  });
  it('leaves public addresses alone', () => {
    expect(specialRangeOf(parseIp('8.8.8.8'))).toBeUndefined();
    expect(specialRangeOf(parseIp('2606:4700::1111'))).toBeUndefined();
  });
});

describe('StaticPeerPolicy (CVE-2020-26262 class)', () => {
  const refusedBy = (allow: string[], ip: string): string | null => {
    const p = new StaticPeerPolicy(allow);
    const addr = parseIp(ip);
    const d = p.checkIp(addr, formatIp(addr));
    return d.allowed ? null : d.reason;
  };
  it('refuses loopback in every embedding when nothing is allowed', () => {
    for (const ip of [
      '127.0.0.1',
      '::ffff:127.0.0.1',
      '::127.0.0.1',
      '64:ff9b::127.0.0.1',
      '2002:7f00:1::1',
      '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, client 127.0.0.1 (obfuscated)
      '::1',
      '0.0.0.0',
    ]) {
      expect(refusedBy([], ip), ip).not.toBeNull();
    }
  });
  it('does not let a broad allowPeers open special-purpose ranges', () => {
    expect(refusedBy(['0.0.0.0/0'], '8.8.8.8')).toBeNull();
    expect(refusedBy(['0.0.0.0/0'], '127.0.0.1')).toBe('special-purpose');
    expect(refusedBy(['0.0.0.0/0'], '::ffff:10.0.0.1')).toBe('special-purpose');
    expect(refusedBy(['::/0'], '::ffff:127.0.0.1')).toBe('special-purpose');
    expect(refusedBy(['::/0', '0.0.0.0/0'], '2002:0a00:0001::1')).toBe('special-purpose'); // 6to4 is itself special
    expect(refusedBy(['2002::/16'], '2002:7f00:1::1')).toBe('embedded-special-purpose');
    expect(refusedBy(['::/0'], '2606:4700::1111')).toBeNull();
  });
  it('opens a special range only for entries inside it', () => {
    expect(refusedBy(['127.0.0.1/32'], '127.0.0.1')).toBeNull();
    expect(refusedBy(['127.0.0.1/32'], '::ffff:127.0.0.1')).toBeNull();
    expect(refusedBy(['127.0.0.1/32'], '127.0.0.2')).toBe('special-purpose');
    expect(refusedBy(['10.0.0.0/8'], '10.9.9.9')).toBeNull();
    expect(refusedBy(['10.0.0.0/7'], '10.9.9.9')).toBe('special-purpose');
    expect(refusedBy(['8.8.8.0/24'], '8.8.4.4')).toBe('not-allowed');
  });
  it('registers exact endpoints with a refcounted, idempotent undo', () => {
    const p = new StaticPeerPolicy([]);
    const g0 = p.generation;
    const undo1 = p.allowEndpoint(parseIp('127.0.0.1'), 5000);
    const undo2 = p.allowEndpoint(parseIp('::ffff:127.0.0.1'), 5000);
    expect(p.generation).toBeGreaterThan(g0);
    expect(p.checkIp(parseIp('127.0.0.1'), '127.0.0.1')).toEqual({ allowed: true, via: 'endpoint' });
    expect(p.endpointRegistered('127.0.0.1', 5000)).toBe(true);
    expect(p.endpointRegistered('127.0.0.1', 5001)).toBe(false);
    undo1();
    undo1();
    expect(p.endpointRegistered('127.0.0.1', 5000)).toBe(true);
    undo2();
    expect(p.endpointRegistered('127.0.0.1', 5000)).toBe(false);
    expect(p.checkIp(parseIp('127.0.0.1'), '127.0.0.1').allowed).toBe(false);
  });
});
