/**
 * The value grammars both programs read, from flags and from requests alike: integers within
 * bounds, ports and port ranges, durations and spans, times (ISO 8601 with a zone), time zones,
 * the operator token and the client-made sample id. The server (server/config/, server/http/), the client (client/) and
 * the relay's own process (server/turn/main.ts) check these values one way. Each throws
 * ConfigError naming what was refused. Pure: neither DOM nor Node.
 */
import { BOUNDS, DEFAULTS } from './defaults.js';
import { EDGE_ID_PATTERN } from './edge-id.js';
import { ConfigError } from './config-error.js';

/** Parses a decimal integer within [min, max]; `what` names it in the error (e.g. "--http-port"). */
export function parseIntInRange(text: string, what: string, bounds: { readonly min: number; readonly max: number }): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
    throw new ConfigError('bad-value', `${what} must be an integer ${bounds.min}..${bounds.max}, not "${text}"`);
  }
  return n;
}

/** Parses "3478-3481" or "3478,3480" or "3478" into a list of ports (0 allowed: "any", for tests). */
export function parsePortList(text: string): number[] {
  const ports: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new ConfigError('bad-port', `not a port or port range: "${part}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 0 || hi > BOUNDS.port.max || hi < lo) throw new ConfigError('bad-port-range', `bad port range: "${part}"`);
    if (hi - lo >= BOUNDS.portListMaxPorts) throw new ConfigError('bad-port-range', `port range too long (max ${BOUNDS.portListMaxPorts} ports): "${part}"`);
    for (let p = lo; p <= hi; p++) ports.push(p);
  }
  if (ports.length === 0) throw new ConfigError('bad-port', 'empty port list');
  return ports;
}

/** Parses a relay port range "MIN-MAX" (e.g. 49152-65535): both 1..65535, MIN <= MAX. */
export function parseRelayPortRange(text: string, what = '--relay-ports'): { min: number; max: number } {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ConfigError('bad-port-range', `${what} must look like ${DEFAULTS.relayPortRange.min}-${DEFAULTS.relayPortRange.max}, not "${text}"`);
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < BOUNDS.port.min || max > BOUNDS.port.max) {
    throw new ConfigError('bad-port-range', `${what} ${text}: ports must be ${BOUNDS.port.min}..${BOUNDS.port.max}`);
  }
  if (min > max) throw new ConfigError('bad-port-range', `${what} ${text}: the first port is above the last`);
  return { min, max };
}

/** Parses an operator token (--admin-token, CALLPROBE_ADMIN_TOKEN): printable, no spaces, bounded. */
export function parseAdminToken(text: string): string {
  const b = BOUNDS.adminTokenChars;
  if (text.length < b.min || text.length > b.max || !/^[\x21-\x7e]+$/.test(text)) {
    throw new ConfigError('bad-value', `the admin token must be ${b.min}..${b.max} printable characters without spaces (e.g. openssl rand -hex 24)`);
  }
  return text;
}

/** Whether a client-made sampleId has the allowed shape (8..64 of [A-Za-z0-9._-]). */
export function isSampleId(value: unknown): value is string {
  const b = BOUNDS.sampleIdChars;
  return typeof value === 'string' && value.length >= b.min && value.length <= b.max && /^[A-Za-z0-9._-]+$/.test(value);
}

/** Parses a span back from now (`7d`, `36h`, `90m`) within BOUNDS.siteReportSinceMs; returns ms. */
export function parseSinceSpan(text: string, what = '--since'): number {
  return parseDurationMs(text, what, BOUNDS.siteReportSinceMs);
}

/** Parses an IANA time zone name (e.g. Europe/Paris, UTC) as Intl knows it; returns its canonical spelling. */
export function parseTimeZone(text: string, what = '--tz'): string {
  const t = text.trim();
  if (t.length === 0 || t.length > BOUNDS.timeZoneChars || !/^[A-Za-z0-9_+\-/]+$/.test(t)) {
    throw new ConfigError('bad-value', `${what} must be an IANA time zone name such as Europe/Paris or UTC, not "${text}"`);
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: t }).resolvedOptions().timeZone;
  } catch (err) {
    if (err instanceof RangeError)
      throw new ConfigError('bad-value', `${what}: "${text}" is not a time zone this runtime knows (IANA names, e.g. Europe/Paris)`);
    throw err;
  }
}

/** The units a duration may be written in (`5s`, `10m`, `2h`, `7d`), in ms. */
const DURATION_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration such as `5s`, `10m`, `2h` or `7d` (an integer and one unit, which is
 * required: a bare `10` could mean seconds or minutes) into ms within `bounds`.
 */
export function parseDurationMs(text: string, what: string, bounds: { readonly min: number; readonly max: number }): number {
  const m = /^\s*(\d{1,9})\s*([smhd])\s*$/.exec(text);
  const n = m ? Number(m[1]) * DURATION_UNIT_MS[m[2] as keyof typeof DURATION_UNIT_MS] : Number.NaN;
  if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
    throw new ConfigError(
      'bad-value',
      `${what} must be a duration ${formatDurationMs(bounds.min)}..${formatDurationMs(bounds.max)} written like 5s, 10m, 2h or 7d, not "${text}"`,
    );
  }
  return n;
}

/** A duration in ms as the largest whole unit (`600000` -> `10m`), else in ms (`1500ms`). */
export function formatDurationMs(ms: number): string {
  for (const [unit, size] of Object.entries(DURATION_UNIT_MS).reverse()) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** ISO 8601 with a time and a zone (what reports write: `toISOString()`, or an offset such as +02:00), as ms; null otherwise. */
export function parseIsoMs(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** Parses a point in time written as ISO 8601 with its zone (`2026-02-02T18:00:00+01:00`, or `Z`), never a local time; returns ms. */
export function parseInstant(text: string, what: string): number {
  const ms = parseIsoMs(text.trim());
  if (ms === null)
    throw new ConfigError(
      'bad-value',
      `${what} must be an ISO 8601 time with its offset, such as 2026-02-02T18:00:00+01:00 or 2026-02-02T17:00:00Z, not "${text}"`,
    );
  return ms;
}

/** Parses an edge's id (EDGE_ID_PATTERN); `what` names the flag in the error. */
export function parseEdgeId(text: string, what = '--edge-id'): string {
  if (!new RegExp(EDGE_ID_PATTERN).test(text))
    throw new ConfigError(
      'bad-value',
      `${what} must be 1 to ${BOUNDS.edgeIdChars} lower-case letters, digits and hyphens, starting with a letter or digit (e.g. weu-1), not "${text}"`,
    );
  return text;
}

/** Parses an edge token (`serve --edge-token`, CALLPROBE_EDGE_TOKEN): as the operator token, printable and bounded. */
export function parseEdgeToken(text: string): string {
  const b = BOUNDS.adminTokenChars;
  if (text.length < b.min || text.length > b.max || !/^[\x21-\x7e]+$/.test(text))
    throw new ConfigError('bad-value', `--edge-token must be ${b.min}..${b.max} printable characters without spaces: the line edge-token create printed`);
  return text;
}
