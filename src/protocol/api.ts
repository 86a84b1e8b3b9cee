/**
 * The HTTP and WebSocket contract between the page (and the client programs) and `callprobe
 * serve`: paths, answers, error bodies and signalling messages, shared by both sides. The help
 * desk console's answers are in ./api-console.ts, the schemas of every request (query string,
 * path parameters, body) in ./api-requests.ts, and the one results client in ./results-client.ts.
 */
import type { RelayEvidence } from './could-not-finish.js';
import type { LoadOffer } from './api-load.js';
import type { ReachabilityTarget } from './reachability.js';
import type { TurnTransport } from './defaults.js';

/**
 * The body of every refusal of the results, sites and console routes (and of a signalling
 * error): a machine reason (e.g. "no-store", "bad-since") and one sentence for a person.
 */
export interface ErrorBody {
  reason: string;
  message: string;
}

/** GET /healthz */
export interface Health {
  status: 'ok';
  /** Reflector sessions open now. */
  sessions: number;
}

/** One TURN server the page may use, as handed out by GET /api/config. */
export interface TurnServerEntry {
  /** e.g. "turn:127.0.0.1:3478?transport=udp" (RFC 7065 URI). */
  url: string;
  transport: TurnTransport;
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
  /** The reflector's signaling WebSocket path (in an edge's configuration, its absolute http(s) URL on the edge), or null when this server has no reflector. */
  reflectorPath: string | null;
  /** Whether the reflector answers the RTP probe leg (signals with leg 'rtp'); false without the embedded relay and reflector, or with `serve --no-rtp`. */
  rtpReflector: boolean;
  /** Whether the relay is callprobe's own or an external one (e.g. coturn). */
  relay: 'embedded' | 'external';
  /** The signalling protocol the server speaks (SIGNAL_PROTOCOL); absent from servers older than version 2. */
  signalProtocol: number;
  /** The busy-line phase this server offers (api-load.ts), or null (`serve --no-load`); absent from older servers. */
  load?: LoadOffer | null;
  /**
   * A hub's ready edges (./api-edges.ts), each with a configuration of its own: its relay's
   * entries, credentials minted with that edge's secret, and `reflectorPath` an absolute URL on
   * the edge. Absent or empty: the test runs on this server, as an all-in-one server's does.
   */
  edges?: EdgeOffer[];
  /**
   * The origins whose pages may frame the test page (`serve --embed-origins`): an embedded page
   * posts its messages to the one that framed it, if listed. Absent: none may (and older servers).
   */
  embedOrigins?: string[];
  /**
   * The address this request came from, as the server saw it (after its trusted proxies): the
   * page compares it with the address its relay allocation came from, to tell a split path, and
   * keeps neither. Absent from older servers and from `run --turn`'s page host.
   */
  clientAddress?: string;
  /**
   * The media relays the operator listed (`serve --teams-reachability FILE`, ./reachability.ts):
   * the page asks each for its reflexive address (UDP) or a 401 (TCP, TLS) after the test and
   * reports whether each port answered: reachability, not quality. The server itself never
   * sends to them. Absent when not configured, and from older servers.
   */
  teamsReachability?: ReachabilityTarget[];
  /**
   * The server's evidence that its relay answers: a test connected through it within the last 10
   * minutes (./could-not-finish.ts). A test that reached this answer but none of the relay's ports
   * is then told the caller's network blocked them. Absent or null: no such evidence (a server
   * just started, a hub's edge, an older server): either side.
   */
  relayEvidence?: RelayEvidence | null;
}

/** Which edge a test ran on: its id and the Azure region it stands in (a value of the Azure table's region column). */
export interface EdgeIdentity {
  id: string;
  azureRegion: string;
}

/** One ready edge of a hub, as the page gets it in GET /api/config. */
export interface EdgeOffer extends EdgeIdentity {
  config: ServerConfig;
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
 * probes and control), 'rtp' for the RTP probe leg (a plain RTCPeerConnection with
 * one audio transceiver, answered by the server's RTP reflector; offer/answer/candidate as in
 * SignalData). Both legs share one signalling WebSocket and one reflector session.
 */
export type SignalLeg = 'rtp';

/**
 * The signalling protocol: what the page and the reflector must agree on beyond the messages'
 * shape (today: where the control messages go). The page sends its own when it opens the
 * reflector's WebSocket (`SIGNAL_PROTOCOL_QUERY`), so a page cached from an older release meets
 * a newer server with a refusal in words, not a silent timeout.
 * 1 (never sent): control channel on SCTP stream id 1001. 2: control channel on stream id 2.
 * 3: no control channel: the control messages ride the signalling WebSocket (the page's `stop`,
 * the reflector's receipts, tallies and finals), so a test graded on RTP needs no data channel.
 */
export const SIGNAL_PROTOCOL = 3;
export const SIGNAL_PROTOCOL_PARAM = 'protocol';
/** What the page appends to the reflector's signalling path. */
export const SIGNAL_PROTOCOL_QUERY = `?${SIGNAL_PROTOCOL_PARAM}=${String(SIGNAL_PROTOCOL)}`;

/**
 * What a signalling session is for, in the page's query when it opens the WebSocket: absent for
 * a test (its RTP leg, or its data-channel leg where that cannot run), `echo` for the device
 * step's echo test (the RTP leg alone, cut by the reflector CONSTANTS.echo.serverCutMs after its
 * first frame, never measured), `video` for a test's video phase (one video section through the
 * relay each way, server/reflector/video/session.ts, after the voice probes of the test's own session).
 */
export const SIGNAL_KIND_PARAM = 'kind';
export type SignalKind = 'echo' | 'video';

/** The kind a page's query names: null for a test, 'echo', 'video', or 'unknown' for anything else (refused). */
export function signalKind(value: unknown): SignalKind | null | 'unknown' {
  if (value === undefined) return null;
  return value === 'echo' || value === 'video' ? value : 'unknown';
}

/**
 * The signalling refusal of a server at its capacity (its most tests at once, or its data plane
 * running late): the load API's code, and the one sentence the page and `callprobe run` show. It
 * comes before any probe is sent, so nothing is measured and nothing is graded.
 */
export const SERVER_BUSY = 'server-busy';
export const SERVER_BUSY_WORDS = 'The test server is busy. Try again in a minute.';

/** Why a page and a server of different protocols cannot test together, with the sentence the page shows. */
export const SIGNAL_PROTOCOL_REFUSALS = {
  'page-outdated':
    'This page is out of date: the test server runs a newer callprobe. Reload the page (or clear the browser cache for this site) and start the test again.',
  'server-outdated':
    'This page is newer than the test server: the server runs an older callprobe. Reload the page; if this stays, the server is being updated, so try again later.',
} as const;
export type SignalProtocolRefusal = keyof typeof SIGNAL_PROTOCOL_REFUSALS;

/** Whether a page speaking `pageProtocol` (null: it sent none, protocol 1) may signal with this server, and if not why. */
export function signalProtocolRefusal(pageProtocol: string | null): SignalProtocolRefusal | null {
  const v = pageProtocol === null ? 1 : Number(pageProtocol);
  if (!Number.isInteger(v) || v < SIGNAL_PROTOCOL) return 'page-outdated';
  return v > SIGNAL_PROTOCOL ? 'server-outdated' : null;
}

/** The same check from the page's side, on the server's `signalProtocol` in GET /api/config (a server older than 2 has none). */
export function serverProtocolRefusal(serverProtocol: unknown): SignalProtocolRefusal | null {
  if (typeof serverProtocol !== 'number' || serverProtocol < SIGNAL_PROTOCOL) return 'server-outdated';
  return serverProtocol > SIGNAL_PROTOCOL ? 'page-outdated' : null;
}

// Page -> server and server -> page over the signaling WebSocket: the messages' TypeBox schemas
// and types are in ./api-signal.ts, checked at both ends by ./signal-check.ts.

/** The path of the signalling WebSocket (ServerConfig.reflectorPath). */
export const SIGNAL_PATH = '/api/signal';

/**
 * The results store contract. A result code is 8 Crockford base32 symbols
 * (no I, L, O, U), shown as `XXXX-XXXX`, accepted case-insensitively with or without the hyphen.
 */
export const RESULTS_PATH = '/api/results';
/** Anonymous read of one stored, address-free report by its code: GET `${SHARED_RESULT_API}/:code`. */
export const SHARED_RESULT_API = '/api/r';
/** The shareable page of one stored report: `${SHARED_RESULT_PAGE}/:code`. */
export const SHARED_RESULT_PAGE = '/r';

/**
 * One site's report over its stored samples, operator token required:
 * GET `${SITES_PATH}/:site/report?since=7d|ISO&profile=&azureRegion=&from=&path=&tz=`.
 */
export const SITES_PATH = '/api/sites';

/**
 * The all-sites overview, same access as a site report: GET `${SITES_PATH}?since=7d|ISO`,
 * per site the samples in the span and the P90 of each graded metric with its grade.
 */
export const SITES_OVERVIEW_PATH = SITES_PATH;

/** The URL path of a site's report (the site name percent-encoded, RFC 3986 §2.1). */
export function siteReportPath(site: string): string {
  return `${SITES_PATH}/${encodeURIComponent(site)}/report`;
}

/**
 * Upload-only site tokens, operator token required: POST (create: `{site}`, answers the token
 * once), GET (`?site=`: list, never the tokens), DELETE `${SITE_TOKENS_PATH}/:id` (revoke).
 */
export const SITE_TOKENS_PATH = '/api/site-tokens';

/** A site token as listed: never the token itself (the store keeps only its hash). */
export interface SiteTokenView {
  id: string;
  site: string;
  createdAt: string;
  revokedAt: string | null;
  /** Made with awaitFirstSample: its site's silence is counted from its first stored sample, not from the token. */
  awaitsFirstSample: boolean;
}

/** POST /api/site-tokens answers 201 with the token, shown this once. */
export interface SiteTokenCreated extends SiteTokenView {
  token: string;
}

/**
 * Before a test (`run --site` with a token): may this token store samples of this site? POST
 * `{site}` with the token as `Authorization: Bearer`; 200 UploadCheckAnswer, or the refusal the
 * upload itself would get (401/403 with one of TOKEN_REFUSALS). Nothing is stored.
 */
export const UPLOAD_CHECK_PATH = '/api/results/check';

export interface UploadCheckAnswer {
  /** The site's name as the server files it. */
  site: string;
  /** Whose token it is: the operator's, or an upload-only site token of this site. */
  token: 'operator' | 'site';
}

/**
 * The refusal reasons (401/403) that are about the token a request carries: the operator token
 * wrong, a site token unknown or revoked, another site's token, a site result on a server
 * without an operator. A client stops on these (exit 3); any other refusal is not the token's.
 */
export const TOKEN_REFUSALS: readonly string[] = ['no-token', 'bad-token', 'bad-site-token', 'wrong-site', 'site-needs-operator'];

/**
 * `callprobe alerts test` (operator token): POST, no body. serve posts a test event (`"test":
 * true`) to every webhook of its alerts file and every result webhook (--result-webhook) and
 * answers what each receiver answered; 404 `no-alerts` when serve runs with neither.
 */
export const ALERTS_TEST_PATH = '/api/alerts/test';

/** What one webhook receiver answered the test event. */
export interface AlertsTestReceiver {
  /** The webhook's origin (its path, which often holds the webhook's secret, left out). */
  webhook: string;
  format: 'json' | 'teams' | 'slack';
  /** What it is posted: site alerts (a webhook of the alerts file) or stored results (serve --result-webhook). */
  receives: 'alerts' | 'results';
  /** A 2xx answer. */
  ok: boolean;
  /** Its HTTP status, or null when none came (no answer in time, no connection). */
  status: number | null;
  /** What happened, in words. */
  message: string;
}

export interface AlertsTestAnswer {
  receivers: AlertsTestReceiver[];
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

/** A client address kept with a result (within --retain-ip-days), for the operator and tier 2. */
export interface ClientAddress {
  address: string;
  /** The same address truncated: IPv4 /24, IPv6 /48 (e.g. 203.0.113.0/24). */
  truncated: string;
  /** ISO 8601 UTC. */
  storedAt: string;
}

/** GET /api/results/:id (operator token): one stored result with everything kept of it. */
export interface OperatorResult extends ResultAck {
  sampleId: string | null;
  kind: 'report' | 'could-not-test';
  /** ISO 8601 UTC. */
  storedAt: string;
  startedAt: string;
  site: string | null;
  ticket: string | null;
  verdict: string | null;
  addresses: ClientAddress[];
  /** The report JSON as stored. */
  report: unknown;
}
