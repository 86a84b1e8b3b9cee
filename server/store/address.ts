/**
 * Client addresses as the store and the rate limit need them: the network part only (IPv4 /24,
 * IPv6 /48 for the store's truncated form; IPv6 /64 for the rate-limit key), IPv4-mapped IPv6
 * (RFC 4291 §2.5.5.2) read as IPv4.
 */
import { isIP } from 'node:net';

/** ::ffff:a.b.c.d -> a.b.c.d (a dual-stack socket's view of an IPv4 client); anything else as is. */
export function unmapIpv4(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m?.[1] ?? address;
}

/** The 8 16-bit groups of an IPv6 address (RFC 4291 §2.2, an embedded IPv4 tail included). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1, 5).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const h = head === '' ? [] : head.split(':');
  const t = tail === null || tail === '' ? [] : tail.split(':');
  const fill = tail === null ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

function formatIpv6(groups: number[]): string {
  // RFC 5952 §4: the longest run of zero groups (2 or more) becomes ::, lower case.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { start: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.len).join(':')}`;
}

/** The network of `address` with `bits` of prefix, as `net/bits`; null when it is not an IP address. */
export function addressPrefix(address: string, ipv4Bits: number, ipv6Bits: number): string | null {
  const a = unmapIpv4(address.trim());
  const family = isIP(a.replace(/%.*$/, ''));
  if (family === 4) {
    const value = a.split('.').reduce((v, o) => v * 256 + Number(o), 0);
    const size = 2 ** (32 - ipv4Bits);
    const net = Math.floor(value / size) * size;
    const octets = [24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256);
    return `${octets.join('.')}/${ipv4Bits}`;
  }
  if (family === 6) {
    const groups = ipv6Groups(a).map((g, i) => {
      const keep = Math.max(0, Math.min(16, ipv6Bits - i * 16));
      return keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
    });
    return `${formatIpv6(groups)}/${ipv6Bits}`;
  }
  return null;
}
