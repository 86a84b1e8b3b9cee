import { formatIp, tryParseIp, unmapIpv4Mapped } from '../../src/protocol/ip.js';

/**
 * ICE candidates as RFC 8839 §5.1 writes them, read strictly: one candidate, single spaces,
 * nothing a second parser could read differently. The reflector signals only its RTP leg's UDP
 * host candidate on its one address and its data-channel leg's relay candidates on our relay,
 * and takes remote candidates only on the relay (RelayEndpoints).
 */

/** The RFC 8839 §5.1 candidate-attribute fields the reflector needs. */
export interface ParsedCandidate {
  /** The transport, lower case ("udp", "tcp"). */
  protocol: string;
  /** The connection-address as written: an IP literal or an FQDN (an mDNS ".local" name). */
  address: string;
  port: number;
  /** cand-type: "host", "srflx", "prflx", "relay" or an extension token. */
  type: string;
}

/** RFC 8839 §5.1 ice-char, 1 to 32 of them. */
const FOUNDATION = /^[A-Za-z0-9+/]{1,32}$/;
/** RFC 3261 §25.1 token (transport-extension, cand-type and extension-att-name in RFC 8839 §5.1). */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** An IP literal or an FQDN (RFC 8866 §9 connection-address, unicast). */
const ADDRESS = /^[A-Za-z0-9.:-]{1,253}$/;
/** VCHAR (RFC 5234 Appendix B.1): the extension-att-value characters. */
const VCHARS = /^[\x21-\x7e]+$/;

function portOf(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/**
 * Reads "candidate:<foundation> <component-id> <transport> <priority> <connection-address>
 * <port> typ <cand-type> [raddr <address>] [rport <port>] *(<name> <value>)" (RFC 8839 §5.1,
 * the attribute without its "a="); null when `text` is anything else, including a candidate
 * followed by more text, a second candidate, or whitespace other than single spaces.
 */
export function parseCandidate(text: string): ParsedCandidate | null {
  if (!text.startsWith('candidate:')) return null;
  const parts = text.slice('candidate:'.length).split(' ');
  if (parts.length < 8 || parts.length % 2 !== 0) return null;
  const [foundation = '', component = '', transport = '', priority = '', address = '', portText = '', typ = '', type = ''] = parts;
  if (!FOUNDATION.test(foundation) || !/^[0-9]{1,3}$/.test(component) || !TOKEN.test(transport) || !/^[0-9]{1,10}$/.test(priority)) return null;
  const port = portOf(portText);
  if (!ADDRESS.test(address) || port === null || typ !== 'typ' || !TOKEN.test(type)) return null;
  for (let i = 8; i < parts.length; i += 2) {
    const name = parts[i] ?? '';
    const value = parts[i + 1] ?? '';
    if (!TOKEN.test(name) || !VCHARS.test(value)) return null;
    if (name === 'raddr' && !ADDRESS.test(value)) return null;
    if (name === 'rport' && portOf(value) === null) return null;
  }
  return { protocol: transport.toLowerCase(), address, port, type };
}

/** Keep a candidate only if it is a UDP host candidate on the configured address. */
export function isSignalledCandidate(c: ParsedCandidate | null, address: string): c is ParsedCandidate {
  return c !== null && c.protocol === 'udp' && c.type === 'host' && sameIp(c.address, address);
}

/**
 * Where the reflector's remote candidates may point: the relay's relayed address of each
 * family and its relay port range. The page reaches the reflector only through the relay,
 * so any other remote candidate would make the reflector a packet source for the page's
 * choice of target. A range of {min: 0, max: 0} is the relay's OS-chosen ephemeral ports
 * (tests): any port of the relayed address.
 */
export interface RelayEndpoints {
  addresses: string[];
  portRange: { min: number; max: number };
}

/**
 * The canonical text of an IP literal, an IPv4-mapped IPv6 address as IPv4; null for anything
 * else. A NAT64 spelling (64:ff9b::a.b.c.d) stays IPv6: it names a translator, not the relay, so
 * a candidate spelled so is not the relay's (the relay's peer policy, which asks where a packet
 * would end up, maps it to IPv4: server/turn/policy/peer-policy.ts).
 */
export function canonicalAddress(address: string): string | null {
  const ip = tryParseIp(address);
  return ip === null ? null : formatIp(unmapIpv4Mapped(ip));
}

function sameIp(a: string, b: string): boolean {
  const x = canonicalAddress(a);
  return x !== null && x === canonicalAddress(b);
}

/** True when ip:port (an IP literal) is one of the relay's relayed addresses, inside its port range. */
export function isRelayEndpoint(address: string, port: number, relay: RelayEndpoints): boolean {
  if (!relay.addresses.some((a) => sameIp(a, address))) return false;
  const { min, max } = relay.portRange;
  return (min === 0 && max === 0) || (port >= min && port <= max);
}

/**
 * Keep one of the data-channel leg's own candidates only if it is a UDP relay candidate on the
 * relay's relayed addresses and ports: that leg gathers relay candidates only (session.ts).
 */
export function isOwnRelayedCandidate(c: ParsedCandidate | null, relay: RelayEndpoints): c is ParsedCandidate {
  return c !== null && c.type === 'relay' && c.protocol === 'udp' && isRelayEndpoint(c.address, c.port, relay);
}

/** True when a remote (page) candidate is a UDP candidate on one of the relay's relayed addresses and ports. */
export function isRelayCandidate(c: ParsedCandidate | null, relay: RelayEndpoints): c is ParsedCandidate {
  return c !== null && c.protocol === 'udp' && isRelayEndpoint(c.address, c.port, relay);
}

/** "udp 127.0.0.1:9" for refusals and logs: what the candidate points at, never the rest of what was sent. */
export function describeCandidate(c: ParsedCandidate): string {
  return `${c.protocol} ${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port}`;
}
