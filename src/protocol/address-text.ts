/**
 * IP addresses in free text (error messages, reasons, notes, tickets), found and replaced: what
 * keeps a client's address out of a stored report and out of what a tier 1 agent reads.
 *
 * Found: IPv4 dotted quads (each part 0-255), also before a port or a sentence's full stop and
 * inside IPv4-mapped IPv6 (RFC 4291 §2.5.5.2); IPv6 literals (RFC 4291 §2.2, the text of RFC
 * 5952 and any other valid spelling, upper case too), also before `:port`, `]`, a zone (`%eth0`)
 * or a full stop. IPv6 literals inside ::/8 (RFC 4291 §2.4: reserved; what text like `std::map`
 * or `a::b` parses as) are left alone, except the loopback ::1 and IPv4-mapped or -compatible
 * addresses, which name a host. A run of hex digits and colons that is no address (a time,
 * `10:30:00`) stays as it is.
 *
 * Replaced by `[address]`, or a shorter mark where the address itself is shorter (`[ip]`, then
 * asterisks), so a scrubbed text is never longer than the original and fits every bound the
 * original fit.
 */
import { tryParseIp } from './ip.js';

const MARK = '[address]';
const SHORT_MARK = '[ip]';

/** The mark for an address of `length` characters: never longer than it. */
function markFor(length: number): string {
  if (length >= MARK.length) return MARK;
  if (length >= SHORT_MARK.length) return SHORT_MARK;
  return '*'.repeat(length);
}

/** Whether `text` (no port, no zone) is an IPv6 address that names a host. */
function isHostIpv6(text: string): boolean {
  if (!text.includes(':')) return false;
  const a = tryParseIp(text);
  if (a === null || a.family !== 6) return false;
  if (a.bytes[0] !== 0) return true;
  // Inside ::/8: only ::1, ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated) name a host.
  let zeros = 0;
  while (zeros < 16 && a.bytes[zeros] === 0) zeros++;
  if (zeros === 15) return a.bytes[15] === 1;
  if (zeros >= 12) return zeros < 16;
  return zeros === 10 && a.bytes[10] === 0xff && a.bytes[11] === 0xff;
}

/** A maximal run of hex digits, colons and dots (one pass, no backtracking): an IPv6 literal when it has a colon and parses. */
const HEX_RUN = /[0-9A-Fa-f:.]+/g;
/** A dotted quad, not inside a longer run of digits and dots (a trailing full stop is allowed). */
const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\.?\d)/g;

/** The IPv6 address at the start of `run` (whole, or before `:port`, `.` or `:`), as its length, or 0. */
function ipv6Prefix(run: string): number {
  const candidates = [run, run.replace(/\.+$/, ''), run.replace(/:\d{1,5}\.*$/, ''), run.replace(/:+\.*$/, '')];
  for (const c of candidates) if (c.length > 1 && isHostIpv6(c)) return c.length;
  return 0;
}

/** `text` with every IP address in it replaced (see the file comment). */
export function scrubAddresses(text: string): string {
  const v6 = text.replace(HEX_RUN, (run) => {
    const n = run.includes(':') ? ipv6Prefix(run) : 0;
    return n === 0 ? run : markFor(n) + run.slice(n);
  });
  return v6.replace(IPV4, (quad) => (quad.split('.').every((p) => Number(p) <= 255) ? markFor(quad.length) : quad));
}

/** Whether `text` holds an IP address `scrubAddresses` would replace. */
export function hasAddress(text: string): boolean {
  return scrubAddresses(text) !== text;
}
