/**
 * The one key every per-source limit counts by, on the HTTP side and at the relay: a source is
 * an IPv4 address or an IPv6 /64. A /64 is what one subscriber gets (RFC 6177 §3: a home or
 * office site gets a /48 or /56, each LAN one /64, RFC 4291 §2.5.1), and every address in it
 * is free to that subscriber: keyed by full address, five addresses of one /64 would count as
 * five clients. IPv4-mapped IPv6 (RFC 4291 §2.5.5.2, a dual-stack socket's view of an IPv4
 * client) is the IPv4 address it carries.
 */
import { formatIp, tryParseIp, unmapIpv4Mapped, type IpAddress } from '../../src/protocol/ip.js';

/** Bytes of an IPv6 address that name its /64 (a source). */
const IPV6_SOURCE_BYTES = 8;
/** Bytes of an IPv6 address that name its /48 (a network: one site's allocation, RFC 6177 §3). */
const IPV6_NETWORK_BYTES = 6;

/** The key of `ip` at `prefixBytes` of IPv6 (IPv4 as is, IPv4-mapped unwrapped); null for text that is not an address. */
function keyAt(ip: string, prefixBytes: number): string | null {
  const parsed = tryParseIp(ip);
  if (parsed === null) return null;
  const a: IpAddress = unmapIpv4Mapped(parsed);
  if (a.family === 4) return formatIp(a);
  const net = new Uint8Array(16);
  net.set(a.bytes.subarray(0, prefixBytes));
  return formatIp({ family: 6, bytes: net });
}

/**
 * The source of `ip`: an IPv4 address as is (IPv4-mapped IPv6 unwrapped), an IPv6 address as
 * its /64 (host bits zero, RFC 5952 text, e.g. `2001:db8:1:2::`). Text that is not an address
 * is its own key (lower case); a missing address (a request injected in tests) is `unknown`.
 */
export function sourceKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  return keyAt(ip, IPV6_SOURCE_BYTES) ?? ip.toLowerCase();
}

/**
 * The network of `ip`, the second scope every per-source limit also counts by: an IPv6 address
 * as its /48 (`2001:db8:1::`), the most a site is given (RFC 6177 §3), so that the /64s of one
 * site together cannot take what many sites share. An IPv4 address is its own network (one
 * address, as its source: a NAT's users are one source already). Text that is not an address is
 * its own key; a missing address is `unknown`.
 */
export function networkKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  return keyAt(ip, IPV6_NETWORK_BYTES) ?? ip.toLowerCase();
}
