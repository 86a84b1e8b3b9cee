/**
 * The HTTP and WebSocket contract between the page and `callprobe serve`.
 * Types only, shared by both sides.
 */

/** One TURN server the page may use, as handed out by GET /api/config. */
export interface TurnServerEntry {
  /** e.g. "turn:127.0.0.1:3478?transport=udp" (RFC 7065 URI). */
  url: string;
  transport: 'udp' | 'tcp' | 'tls';
  port: number;
}

/** GET /api/config */
export interface ServerConfig {
  callprobeVersion: string;
  /** TURN REST API credentials (username "<unix-expiry>:<id>"), shared by every entry. */
  username: string;
  credential: string;
  /** When the credential stops working (ms since the Unix epoch). */
  credentialExpiresAtMs: number;
  turn: TurnServerEntry[];
  /** Why a transport is not offered (e.g. TLS without a certificate). */
  notOffered: { transport: 'udp' | 'tcp' | 'tls'; reason: string }[];
  /** The reflector's signaling WebSocket path, or null when this server has no reflector. */
  reflectorPath: string | null;
  /** Whether the reflector answers the RTP probe leg (issue 13: signals with leg 'rtp'); false without the embedded relay and reflector, or with `serve --no-rtp`. */
  rtpReflector: boolean;
  /** Whether the relay is callprobe's own or an external one (e.g. coturn). */
  relay: 'embedded' | 'external';
}

/**
 * GET /api/tls-check: whether a TLS handshake from the caller's address to the relay ended
 * lately in a certificate alert (RFC 8446 §6.2): the browser refused the relay's certificate.
 * The page asks after a TLS rung did not answer (Chromium tells it nothing then).
 */
export interface TlsCheck {
  /** The alert's name (e.g. 'certificate_unknown', 'unknown_ca'), or null when none was seen. */
  certificateRefused: { alert: string } | null;
}

/** Opaque simple-peer signal data, forwarded as is. */
export interface SignalData {
  type: string;
  sdp?: string;
  candidate?: { candidate: string; sdpMLineIndex?: number | null; sdpMid?: string | null };
}

/**
 * Which peer connection a signal belongs to: absent for the data-channel leg (simple-peer,
 * probes and control), 'rtp' for the RTP probe leg (issue 13: a plain RTCPeerConnection with
 * one audio transceiver, answered by the server's RTP reflector; offer/answer/candidate as in
 * SignalData). Both legs share one signalling WebSocket and one reflector session.
 */
export type SignalLeg = 'rtp';

/** Page -> server over the signaling WebSocket. */
export type ClientSignalMessage = { type: 'signal'; data: SignalData; leg?: SignalLeg };

/** Server -> page over the signaling WebSocket. */
export type ServerSignalMessage = { type: 'signal'; data: SignalData; leg?: SignalLeg } | { type: 'error'; reason: string; message: string };

/**
 * The results store contract (issue 10). A result code is 8 Crockford base32 symbols
 * (no I, L, O, U), shown as `XXXX-XXXX`, accepted case-insensitively with or without the hyphen.
 */
export const RESULTS_PATH = '/api/results';
/** Anonymous read of one stored, address-free report by its code: GET `${SHARED_RESULT_API}/:code`. */
export const SHARED_RESULT_API = '/api/r';
/** The shareable page of one stored report: `${SHARED_RESULT_PAGE}/:code`. */
export const SHARED_RESULT_PAGE = '/r';

/**
 * One site's report over its stored samples (issue 12), operator token required:
 * GET `${SITES_PATH}/:site/report?since=7d|ISO&profile=&azureRegion=&from=&path=&tz=`.
 */
export const SITES_PATH = '/api/sites';

/** The URL path of a site's report (the site name percent-encoded, RFC 3986 §2.1). */
export function siteReportPath(site: string): string {
  return `${SITES_PATH}/${encodeURIComponent(site)}/report`;
}

/** POST /api/results answers 201 (stored) or 200 (this sampleId was already stored). */
export interface ResultAck {
  /** Internal id, for operators. */
  id: string;
  /** What users see and read out: `XXXX-XXXX`. */
  code: string;
  /** The share link, absolute when the server knows its origin, else a path (`/r/XXXX-XXXX`). */
  url: string;
}

/** GET /api/r/:code: the stored report without any personal data, as stored (any schema version). */
export interface SharedResult {
  code: string;
  /** When the server stored it (ms since the Unix epoch). */
  storedAtMs: number;
  /** The report JSON as the client sent it (a report or a could-not-test record). */
  report: unknown;
}

/**
 * The help desk console (issue 12): POST `${CONSOLE_API}/login` { name, password } sets an
 * HttpOnly session cookie; POST `${CONSOLE_API}/logout`; GET `${CONSOLE_API}/me`;
 * GET `${CONSOLE_API}/results?code=&ticket=&site=&from=&to=&verdict=&tz=` (newest first);
 * GET `${CONSOLE_API}/results/:id?tz=` (one result, redacted for tier 1). The page is /console.
 */
export const CONSOLE_API = '/api/console';
export const CONSOLE_PAGE = '/console';
/** The session cookie's name (RFC 6265 §4.1). */
export const CONSOLE_COOKIE = 'callprobe_console';

/** One row of a console search. */
export interface ConsoleSearchRow {
  id: string;
  code: string;
  kind: 'report' | 'could-not-test';
  startedAt: string;
  startedAtLocal: string;
  site: string | null;
  ticket: string | null;
  verdict: string | null;
}

export interface ConsoleSearchAnswer {
  results: ConsoleSearchRow[];
  /** More results matched than one answer holds (narrow the search). */
  truncated: boolean;
}

export interface ConsoleWho {
  name: string;
  role: 'tier1' | 'tier2';
}
