/**
 * IP address parsing, formatting and prefix matching, with no sockets.
 *
 * Formatting follows the same rules as libuv's `uv_inet_ntop` (the ISC inet_ntop that Node
 * uses for `rinfo.address`), so an address decoded from an XOR-PEER-ADDRESS and the address
 * Node reports for a datagram from that peer give the same string: map keys built from
 * either side match. RFC 5952 §4 (text representation), §5 (mixed notation for mapped).
 */
import { TypedError } from './typed-error.js';

export type IpFamily = 4 | 6;

/** A parsed IP address: 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
}

/** An address prefix (CIDR block). */
export interface IpPrefix {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
  readonly prefixLen: number;
}

/** Why a text is not an IP literal or prefix. */
export type IpParseErrorReason = 'not-an-ip' | 'bad-prefix-length';

export class IpParseError extends TypedError<IpParseErrorReason> {
  override readonly name = 'IpParseError';
  constructor(
    reason: IpParseErrorReason,
    detail: string,
    readonly input: string,
  ) {
    super(reason, `invalid IP "${input}": ${detail}`);
  }
}

function parseIpv4Bytes(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p)) return null;
    if (p.length > 1 && p.startsWith('0')) return null; // no octal-looking forms
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6Bytes(text: string): Uint8Array | null {
  let s = text;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct); // zone id: irrelevant for policy
  if (s.length === 0) return null;
  const out = new Uint8Array(16);
  let tail: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    tail = parseIpv4Bytes(s.slice(lastColon + 1));
    if (!tail) return null;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const vals: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      vals.push(parseInt(g, 16));
    }
    return vals;
  };
  let words: number[];
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl));
    const rest = parseGroups(s.slice(dbl + 2));
    if (!head || !rest) return null;
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    words = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    const all = parseGroups(s);
    if (!all || all.length !== 8) return null;
    words = all;
  }
  for (let i = 0; i < 8; i++) {
    const w = words[i] ?? 0;
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** Parses an IPv4 or IPv6 literal; returns null when it is not one. */
export function tryParseIp(text: string): IpAddress | null {
  if (text.includes(':')) {
    const bytes = parseIpv6Bytes(text);
    return bytes ? { family: 6, bytes } : null;
  }
  const bytes = parseIpv4Bytes(text);
  return bytes ? { family: 4, bytes } : null;
}

/** Parses an IP literal or throws IpParseError. */
export function parseIp(text: string): IpAddress {
  const ip = tryParseIp(text);
  if (!ip) throw new IpParseError('not-an-ip', 'not an IPv4 or IPv6 literal', text);
  return ip;
}

function formatIpv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

function formatIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((b[i * 2] ?? 0) << 8) | (b[i * 2 + 1] ?? 0));
  // Longest run of zero words (length >= 2), first one on ties.
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else {
      curBase = -1;
      curLen = 0;
    }
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // Mixed notation exactly where inet_ntop uses it: ::a.b.c.d and ::ffff:a.b.c.d.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += formatIpv4(b, 12);
      break;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** Formats an address the way Node reports `rinfo.address`. */
/**
 * An IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2, ::ffff:0:0/96) as the IPv4 address it is; any
 * other address unchanged. Only this form: a NAT64 address (RFC 6052, 64:ff9b::/96) is a
 * different destination on the wire (a translator's), so it is never the same endpoint.
 */
export function unmapIpv4Mapped(ip: IpAddress): IpAddress {
  if (ip.family !== 6) return ip;
  const b = ip.bytes;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return ip;
  if (b[10] !== 0xff || b[11] !== 0xff) return ip;
  return { family: 4, bytes: b.slice(12, 16) };
}

export function formatIp(ip: IpAddress): string {
  return ip.family === 4 ? formatIpv4(ip.bytes) : formatIpv6(ip.bytes);
}

/** Canonical text of an IP literal (throws IpParseError on bad input). */
export function canonicalIp(text: string): string {
  return formatIp(parseIp(text));
}

/** Parses "a.b.c.d/n", "x::/n" or a bare address (full-length prefix). */
export function parsePrefix(text: string): IpPrefix {
  const slash = text.indexOf('/');
  const ip = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  const maxLen = ip.family === 4 ? 32 : 128;
  let prefixLen = maxLen;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) throw new IpParseError('bad-prefix-length', 'bad prefix length', text);
    prefixLen = Number(lenText);
    if (prefixLen > maxLen) throw new IpParseError('bad-prefix-length', `prefix length over ${maxLen}`, text);
  }
  const bytes = new Uint8Array(ip.bytes);
  // Zero host bits so equal prefixes compare equal.
  for (let bit = prefixLen; bit < maxLen; bit++) {
    const idx = bit >> 3;
    bytes[idx] = (bytes[idx] ?? 0) & ~(0x80 >> (bit & 7));
  }
  return { family: ip.family, bytes, prefixLen };
}

/** True when `ip` is inside `prefix` (same family only). */
export function prefixContains(prefix: IpPrefix, ip: IpAddress): boolean {
  if (prefix.family !== ip.family) return false;
  const full = prefix.prefixLen >> 3;
  for (let i = 0; i < full; i++) if (prefix.bytes[i] !== ip.bytes[i]) return false;
  const rem = prefix.prefixLen & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return ((prefix.bytes[full] ?? 0) & mask) === ((ip.bytes[full] ?? 0) & mask);
}
