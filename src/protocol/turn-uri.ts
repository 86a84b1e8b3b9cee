/**
 * The TURN URI grammar (RFC 7065), one for the page, the session's statistics, the server and
 * the CLI: parse a URI into its parts or into the entry the page receives, and write one for
 * a relay listener. Pure.
 */
import type { TurnServerEntry } from './api.js';
import { BOUNDS } from './defaults.js';
import { ConfigError } from './config-error.js';

/** RFC 7065 §3: default ports of turn: and turns: URIs (RFC 8656 §3). */
const TURN_DEFAULT_PORT = { turn: 3478, turns: 5349 } as const;

/** RFC 7065 §3.1: the parts of a TURN URI as written (nothing defaulted). */
export interface TurnUriParts {
  /** "turns" = TLS to the server (RFC 7065 §3.1 <secure>). */
  scheme: 'turn' | 'turns';
  /** Host name or IP address; an IPv6 literal without its brackets. */
  host: string;
  /** The port as written, or null (then 3478 for turn:, 5349 for turns:). */
  port: number | null;
  /** The ?transport= parameter, or null when absent. */
  transport: 'udp' | 'tcp' | null;
}

// RFC 3986 §3.2.2: IP-literal (here IPv6 only) or IPv4address / reg-name (unreserved, pct-encoded, sub-delims).
const TURN_URI = /^(turns?):(?:\[([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\]|([A-Za-z0-9\-._~%!$&'()*+,;=]+))(?::(\d{1,5}))?(?:\?transport=([A-Za-z0-9\-._~]+))?$/;

function readTurnUri(text: string): TurnUriParts | string {
  // Lower-case scheme and transport only, as WebRTC's ICE server parsing (Chromium) compares them.
  const m = TURN_URI.exec(text);
  if (!m) return 'expected turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT][?transport=tcp]';
  const scheme = m[1] === 'turns' ? 'turns' : 'turn';
  const port = m[4] === undefined ? null : Number(m[4]);
  if (port !== null && (port < BOUNDS.port.min || port > BOUNDS.port.max)) return `port ${port} is not ${BOUNDS.port.min}..${BOUNDS.port.max}`;
  const t = m[5];
  if (t !== undefined && t !== 'udp' && t !== 'tcp') return `transport "${t}" is not udp or tcp`;
  // turns: over UDP would be DTLS (RFC 7350), which neither Chromium nor this relay speak.
  if (scheme === 'turns' && t === 'udp') return 'turns: runs over TCP (TLS); DTLS (transport=udp) is not supported';
  return { scheme, host: m[2] ?? m[3] ?? '', port, transport: t ?? null };
}

/** Parses an RFC 7065 TURN URI into its parts; throws ConfigError (reason bad-turn-uri). */
export function parseTurnUriParts(uri: string): TurnUriParts {
  const r = readTurnUri(uri.trim());
  if (typeof r === 'string') throw new ConfigError('bad-turn-uri', `not a TURN URI (RFC 7065): "${uri}": ${r}`);
  return r;
}

/** The parts of a TURN URI, or null when it is not one (e.g. a getStats `url` from another relay). */
export function tryParseTurnUriParts(uri: string): TurnUriParts | null {
  const r = readTurnUri(uri.trim());
  return typeof r === 'string' ? null : r;
}

/** Parses "turn:host:port?transport=udp" / "turns:host:port" into the entry the page receives. */
export function parseTurnUri(uri: string): TurnServerEntry {
  const p = parseTurnUriParts(uri);
  const secure = p.scheme === 'turns';
  const transport: TurnServerEntry['transport'] = secure ? 'tls' : p.transport === 'tcp' ? 'tcp' : 'udp';
  return { url: uri.trim(), transport, port: p.port ?? TURN_DEFAULT_PORT[p.scheme] };
}

/** The RFC 7065 URI of one relay listener: `turn:HOST:PORT?transport=udp|tcp`, TLS as `turns:HOST:PORT?transport=tcp`. */
export function formatTurnUri(host: string, port: number, transport: TurnServerEntry['transport']): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return transport === 'tls' ? `turns:${h}:${port}?transport=tcp` : `turn:${h}:${port}?transport=${transport}`;
}
