/**
 * The one key every per-source limit counts by, on the HTTP side and at the relay: a source is
 * an IPv4 address or an IPv6 /64. A /64 is what one subscriber gets (RFC 6177 §3: a home or
 * office site gets a /48 or /56, each LAN one /64, RFC 4291 §2.5.1), and every address in it
 * is free to that subscriber: keyed by full address, five addresses of one /64 would count as
 * five clients. IPv4-mapped IPv6 (RFC 4291 §2.5.5.2, a dual-stack socket's view of an IPv4
 * client) is the IPv4 address it carries.
 */
import { formatIp, tryParseIp } from './ip.js';

/** Bytes of an IPv6 address that name its /64. */
const IPV6_PREFIX_BYTES = 8;

/** `::ffff:0:0/96` (RFC 4291 §2.5.5.2). */
function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * The source of `ip`: an IPv4 address as is (IPv4-mapped IPv6 unwrapped), an IPv6 address as
 * its /64 (host bits zero, RFC 5952 text, e.g. `2001:db8:1:2::`). Text that is not an address
 * is its own key (lower case); a missing address (a request injected in tests) is `unknown`.
 */
export function sourceKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  const a = tryParseIp(ip);
  if (a === null) return ip.toLowerCase();
  if (a.family === 4) return formatIp(a);
  if (isIpv4Mapped(a.bytes)) return formatIp({ family: 4, bytes: a.bytes.slice(12) });
  const net = new Uint8Array(16);
  net.set(a.bytes.subarray(0, IPV6_PREFIX_BYTES));
  return formatIp({ family: 6, bytes: net });
}
