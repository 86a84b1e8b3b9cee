/**
 * IANA special-purpose address registries (IPv4: RFC 6890 + updates; IPv6: RFC 6890 + updates),
 * plus multicast and the IETF-reserved IPv6 ::/8, as of 2024. A TURN relay must never send to
 * these unless the operator explicitly allowed a range inside them (the class of CVE-2020-26262:
 * peers written as IPv4-mapped/compatible, NAT64, 6to4 or Teredo forms of 127.0.0.1, 10/8 ...).
 * Globally reachable anycast entries (AS112, AMT, PCP/TURN anycast) are denied too: no probe peer
 * lives there.
 */
import { parsePrefix, prefixContains, type IpAddress, type IpPrefix } from '../../../src/protocol/ip.js';

export interface SpecialRange {
  readonly prefix: IpPrefix;
  readonly name: string;
}

function table(rows: readonly (readonly [string, string])[]): SpecialRange[] {
  return rows.map(([cidr, name]) => ({ prefix: parsePrefix(cidr), name }));
}

/** IANA IPv4 Special-Purpose Address Registry, multicast (RFC 5771) and limited broadcast. */
export const IPV4_SPECIAL: readonly SpecialRange[] = table([
  ['0.0.0.0/8', 'this-network'],
  ['10.0.0.0/8', 'private-use'],
  ['100.64.0.0/10', 'shared-address-space'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private-use'],
  ['192.0.0.0/24', 'ietf-protocol-assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.31.196.0/24', 'as112'],
  ['192.52.193.0/24', 'amt'],
  ['192.88.99.0/24', 'deprecated-6to4-relay'],
  ['192.168.0.0/16', 'private-use'],
  ['192.175.48.0/24', 'as112-direct-delegation'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['255.255.255.255/32', 'limited-broadcast'],
]);

/** IANA IPv6 Special-Purpose Address Registry, multicast, and IETF-reserved ranges. */
export const IPV6_SPECIAL: readonly SpecialRange[] = table([
  ['::/8', 'ietf-reserved'], // holds ::, ::1, IPv4-compatible ::/96 (mapped is normalized first)
  ['64:ff9b:1::/48', 'nat64-local-use'],
  ['100::/64', 'discard-only'],
  ['100:0:0:1::/64', 'dummy-prefix'],
  ['2001::/23', 'ietf-protocol-assignments'], // Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID ...
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4'],
  ['2620:4f:8000::/48', 'as112-v6'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'srv6-sid'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'deprecated-site-local'],
  ['ff00::/8', 'multicast'],
]);

/** The most specific special range holding `ip`, if any. */
export function specialRangeOf(ip: IpAddress): SpecialRange | undefined {
  const list = ip.family === 4 ? IPV4_SPECIAL : IPV6_SPECIAL;
  let best: SpecialRange | undefined;
  for (const r of list) {
    if (prefixContains(r.prefix, ip) && (!best || r.prefix.prefixLen > best.prefix.prefixLen)) best = r;
  }
  return best;
}

function v4At(bytes: Uint8Array, off: number, xor = 0): IpAddress {
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) out[i] = (bytes[off + i] ?? 0) ^ xor;
  return { family: 4, bytes: out };
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

const ZERO10 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/**
 * RFC 4291 §2.5.5.2 (IPv4-mapped ::ffff:0:0/96) and RFC 6052 §2.1 (NAT64 64:ff9b::/96) carry an
 * IPv4 destination: such an address IS that IPv4 address for policy purposes.
 */
export function normalizeEmbeddedIpv4(ip: IpAddress): IpAddress {
  if (ip.family !== 6) return ip;
  const b = ip.bytes;
  if (startsWith(b, [...ZERO10, 0xff, 0xff])) return v4At(b, 12);
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return v4At(b, 12);
  return ip;
}

/**
 * IPv4 addresses an IPv6 address embeds without being that IPv4 address: IPv4-compatible
 * (RFC 4291 §2.5.5.1), 6to4 (RFC 3056 §2), Teredo server and obfuscated client (RFC 4380 §4).
 */
export function embeddedIpv4(ip: IpAddress): IpAddress[] {
  if (ip.family !== 6) return [];
  const b = ip.bytes;
  const out: IpAddress[] = [];
  if (startsWith(b, [...ZERO10, 0, 0])) {
    const v4 = v4At(b, 12);
    // :: and ::1 are not compatible-form addresses.
    if (!(v4.bytes[0] === 0 && v4.bytes[1] === 0 && v4.bytes[2] === 0 && (v4.bytes[3] ?? 0) <= 1)) out.push(v4);
  }
  if (b[0] === 0x20 && b[1] === 0x02) out.push(v4At(b, 2));
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) {
    out.push(v4At(b, 4));
    out.push(v4At(b, 12, 0xff));
  }
  return out;
}
