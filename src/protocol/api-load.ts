/**
 * The busy-line phase's HTTP contract (serve's load sink and source; types and paths only).
 *
 * The page asks for a grant (POST `${LOAD_PATH}/grant`), which carries the phase's byte budget
 * per direction, then loads the line with up to DEFAULTS.load.flowsPerDirection flows per
 * direction: uploads POST `${LOAD_PATH}/up?grant=` with a fixed-size octet-stream body (the sink
 * reads and drops it), downloads GET `${LOAD_PATH}/down?grant=&bytes=` (the source sends that
 * many bytes). Every refusal is a `LoadRefusal` with a reason, never a bare status.
 */

const LOAD_PATH = '/api/load';
export const LOAD_GRANT_PATH = `${LOAD_PATH}/grant`;
export const LOAD_UP_PATH = `${LOAD_PATH}/up`;
export const LOAD_DOWN_PATH = `${LOAD_PATH}/down`;

/** What GET /api/config says about the phase: null when this server does not offer it (`serve --no-load`). */
export interface LoadOffer {
  /** Most bytes one phase may move in each direction. */
  maxBytesPerDirection: number;
  /** Flows one source may hold open at once. */
  maxFlowsPerSource: number;
  /**
   * Where the load sink and source are: in a hub's configuration of an edge, that edge's HTTP
   * origin (its own load book, on the path the test measures); absent: this server.
   */
  url?: string;
}

/** POST /api/load/grant answers 201 with this. */
export interface LoadGrant {
  /** Opaque, for this source only; every load request carries it as `?grant=`. */
  grant: string;
  maxBytesPerDirection: number;
  maxFlowsPerSource: number;
  /** When the grant stops working (ms since the Unix epoch). */
  expiresAtMs: number;
}

export type LoadRefusalReason =
  /** `serve --no-load`. */
  | 'not-offered'
  /** This source started DEFAULTS.load.phasesPerHourPerSource phases in the last hour. */
  | 'too-many-phases'
  /** This source holds its most flows open already. */
  | 'too-many-flows'
  /** The whole server holds its most flows open already. */
  | 'server-busy'
  /** No such grant, expired, or another source's. */
  | 'bad-grant'
  /** The request would move more than the grant has left, or more than one request may. */
  | 'over-budget'
  /** A page from another origin asked for a grant (see `serve --allowed-origins`). */
  | 'bad-origin'
  /** A malformed request (no Content-Length, a bad `bytes`). */
  | 'bad-request'
  /**
   * A flow cut mid-way: its phase's flows together moved less than the floor pays for
   * (DEFAULTS.load.floorBytesPerS per flow), and this was one of its slowest. An upload is
   * answered this when the connection still allows; a download just ends short.
   */
  | 'too-slow'
  /** The server moved its most busy-line bytes this hour (DEFAULTS.load.maxBytesPerHour, both ways together). */
  | 'hour-budget';

/** Every refusal of a load route. */
export interface LoadRefusal {
  error: 'load-refused';
  reason: LoadRefusalReason;
  message: string;
}

/** POST /api/load/up answers this once the body is read. */
export interface LoadUpAck {
  bytes: number;
}
