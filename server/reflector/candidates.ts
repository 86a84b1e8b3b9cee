import { formatIp, tryParseIp } from '../turn/net/ip.js';

/**
 * The reflector signals only its one configured address. @roamhq/wrtc otherwise offers
 * every interface of the machine, ranked above loopback, and the relay would send there.
 */

/** RFC 8839 §5.1 candidate-attribute fields we need. */
export interface ParsedCandidate {
  protocol: string;
  address: string;
  port: number;
  type: string;
}

/** Parses "candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...". */
export function parseCandidate(line: string): ParsedCandidate | null {
  const text = line.startsWith('a=') ? line.slice(2) : line;
  const parts = text.trim().split(/\s+/);
  if (parts.length < 8 || !parts[0]?.startsWith('candidate:') || parts[6] !== 'typ') return null;
  const port = Number(parts[5]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return null;
  return {
    protocol: (parts[2] ?? '').toLowerCase(),
    address: parts[4] ?? '',
    port,
    type: parts[7] ?? '',
  };
}

/** Keep a candidate only if it is a UDP host candidate on the configured address. */
export function isSignalledCandidate(c: ParsedCandidate | null, address: string): c is ParsedCandidate {
  return c !== null && c.protocol === 'udp' && c.type === 'host' && c.address === address;
}

/** Removes every a=candidate line that is not a UDP host candidate on `address`. */
export function filterSdpCandidates(sdp: string, address: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || isSignalledCandidate(parseCandidate(line), address))
    .join('\r\n');
}

/**
 * Where the reflector's remote candidates may point: the relay's relayed address of each
 * family and its relay port range. The page reaches the reflector only through the relay,
 * so any other remote candidate would make the reflector a packet source for the page's
 * choice of target (issue 14, finding 2). A range of {min: 0, max: 0} is the relay's
 * OS-chosen ephemeral ports (tests): any port of the relayed address.
 */
export interface RelayEndpoints {
  addresses: string[];
  portRange: { min: number; max: number };
}

function canonicalOrNull(address: string): string | null {
  const ip = tryParseIp(address);
  return ip === null ? null : formatIp(ip);
}

/** True when a remote (page) candidate is a UDP candidate on one of the relay's relayed addresses and ports. */
export function isRelayCandidate(c: ParsedCandidate | null, relay: RelayEndpoints): c is ParsedCandidate {
  if (c === null || c.protocol !== 'udp') return false;
  const address = canonicalOrNull(c.address);
  if (address === null || !relay.addresses.some((a) => canonicalOrNull(a) === address)) return false;
  const { min, max } = relay.portRange;
  return (min === 0 && max === 0) || (c.port >= min && c.port <= max);
}

/** Removes every a=candidate line of a remote SDP that does not point at the relay. */
export function filterRemoteSdpCandidates(sdp: string, relay: RelayEndpoints): { sdp: string; dropped: number } {
  let dropped = 0;
  const lines = sdp.split('\r\n').filter((line) => {
    if (!line.startsWith('a=candidate:')) return true;
    if (isRelayCandidate(parseCandidate(line), relay)) return true;
    dropped++;
    return false;
  });
  return { sdp: lines.join('\r\n'), dropped };
}
