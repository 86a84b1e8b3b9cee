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
