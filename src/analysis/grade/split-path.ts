/**
 * A split path: the page's web traffic and its call traffic leaving from different public
 * addresses. The server saw the page's HTTP request come from one address; the relay saw the
 * page's allocation come from another (its mapped address, RFC 8656 §7.3 XOR-MAPPED-ADDRESS,
 * which the browser gives as the relay candidate's related address, RFC 8445 §5.1.1). A VPN or
 * proxy that carries one and not the other does that. Pure; it keeps neither address.
 *
 * Only addresses of one family are compared (HTTP over IPv6 and media over IPv4 is a dual-stack
 * host, not a split). IPv6 compares /64 prefixes: a host's temporary addresses (RFC 8981) change
 * within its /64 from one connection to the next.
 */
import { tryParseIp, unmapIpv4Mapped, type IpAddress } from '../../protocol/ip.js';

/** `same`, `split`, or `not-compared` (an address missing or hidden, or no media address of the web's family). */
export type SplitPathState = 'same' | 'split' | 'not-compared';

const parsed = (text: string | null): IpAddress | null => {
  const ip = text === null ? null : tryParseIp(text);
  return ip === null ? null : unmapIpv4Mapped(ip);
};

/** Whether two addresses of one family are the same host (IPv4) or the same /64 (IPv6). */
function sameSource(a: IpAddress, b: IpAddress): boolean {
  const bytes = a.family === 4 ? 4 : 8;
  for (let i = 0; i < bytes; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}

/**
 * The split-path state from the HTTP client address and the addresses the relay saw the page's
 * allocations come from (a browser hides some as 0.0.0.0 or "::": left out).
 */
export function splitPath(httpAddress: string | null, mediaAddresses: readonly string[]): SplitPathState {
  const web = parsed(httpAddress);
  if (web === null) return 'not-compared';
  const media = mediaAddresses.map(parsed).filter((ip): ip is IpAddress => ip !== null && ip.family === web.family && ip.bytes.some((b) => b !== 0));
  if (media.length === 0) return 'not-compared';
  return media.some((m) => sameSource(web, m)) ? 'same' : 'split';
}
