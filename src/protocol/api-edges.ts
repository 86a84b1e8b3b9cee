/**
 * The contract between a hub and its edges, and what the hub tells of them (TypeBox schemas:
 * JSON Schema at run time, the types by `Static`). An edge is a `callprobe serve --hub` that runs
 * the data plane (relay, reflectors, signalling, the relay's witness) and stores nothing; the hub
 * is a `serve` with a store that serves the page and keeps the registry of its edges.
 *
 * - An edge sends `EdgeHeartbeat` (PUT `edgeHeartbeatPath(id)`, its edge token as Bearer) at
 *   start and every `DEFAULTS.edges.heartbeatMs`; the hub answers `EdgeHeartbeatAck`. The first
 *   beat registers it: every beat carries all the hub needs (the URLs a page uses, the relay's
 *   TURN REST secret), so a hub that lost its registry learns it again within one beat.
 * - GET `EDGES_PATH` lists the edges heard from within `DEFAULTS.edges.silentAfterMs`
 *   (`EdgeList`: never the secret).
 * - The operator's edge tokens: POST / GET / DELETE `EDGE_TOKENS_PATH` (as the site tokens),
 *   each bound to one edge id, one Azure region and the hosts its edge advertises.
 *
 * The page reads none of these: it gets each ready edge's configuration inside GET /api/config
 * (`ServerConfig.edges`, ./api.ts). Only the types are for the page (`import type`).
 */
import { type Static, Type } from '@sinclair/typebox';
import { BOUNDS } from './defaults.js';
import { EDGE_ID_PATTERN } from './edge-id.js';
import type { TurnServerEntry } from './api.js';

/** GET: the edges heard from lately. PUT `${EDGES_PATH}/:id/heartbeat`: an edge's beat. */
export const EDGES_PATH = '/api/edges';

/** The path an edge sends its heartbeat to (its id percent-encoded, RFC 3986 §2.1). */
export function edgeHeartbeatPath(id: string): string {
  return `${EDGES_PATH}/${encodeURIComponent(id)}/heartbeat`;
}

/** Edge tokens, operator token required: POST (create: `{edge, azureRegion, hosts}`, answers the token once), GET (list, never the tokens), DELETE `${EDGE_TOKENS_PATH}/:id`. */
export const EDGE_TOKENS_PATH = '/api/edge-tokens';

/** An edge token starts with this, so a leaked one is recognised (and told from the operator and site tokens). */
export const EDGE_TOKEN_PREFIX = 'cpedge_';

const EdgeId = Type.String({ minLength: 1, maxLength: BOUNDS.edgeIdChars, pattern: EDGE_ID_PATTERN });

/** An absolute http(s) URL as an edge announces it (checked further by the hub: ./edge-urls in the server). */
const HttpUrl = Type.String({ minLength: 8, maxLength: BOUNDS.edgeUrlChars, pattern: '^https?://' });

/** One TURN entry as GET /api/config hands it out (./api.ts TurnServerEntry). */
const TurnEntrySchema = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 128 }),
    transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]),
    port: Type.Integer({ minimum: BOUNDS.port.min, maximum: BOUNDS.port.max }),
  },
  { additionalProperties: false },
);

/**
 * Where an edge stands in its life: `ready` (takes tests), `full` (at its session bound: it would
 * refuse a test, as a locate service's server may refuse for capacity), `draining` (stopping:
 * sent once as it shuts down, so the hub drops it at once).
 */
const EdgeStateSchema = Type.Union([Type.Literal('ready'), Type.Literal('full'), Type.Literal('draining')]);

const EdgeLoadSchema = Type.Object(
  {
    sessions: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Reflector sessions open now.' }),
    maxSessions: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'The most it opens at once (0: no reflector).' }),
  },
  { additionalProperties: false },
);

/** What a page needs to reach an edge: its HTTP origin, its signalling URL and its relay's TURN entries. */
const EdgeUrlsSchema = Type.Object(
  {
    http: HttpUrl,
    signal: Type.Union([HttpUrl, Type.Null()], {
      description: "The signalling WebSocket's URL (http(s): the page turns it into ws(s)); null without a reflector.",
    }),
    // More than BOUNDS.edgeTurnEntriesMax is refused by the hub in words (403 too-many-turn-entries).
    turn: Type.Array(TurnEntrySchema, { minItems: 1, maxItems: BOUNDS.edgeTurnEntriesSchemaMax }),
  },
  { additionalProperties: false },
);

/** An edge's beat (PUT edgeHeartbeatPath(id), `Authorization: Bearer <edge token>`). */
export const EdgeHeartbeatSchema = Type.Object(
  {
    azureRegion: Type.String({
      minLength: 1,
      maxLength: BOUNDS.azureRegionChars,
      description: "A value of the Azure table's region column (checked by the hub).",
    }),
    state: EdgeStateSchema,
    version: Type.String({ minLength: 1, maxLength: 64 }),
    /** ms since the Unix epoch: a new value is a restart. */
    startedAtMs: Type.Integer({ minimum: 0 }),
    load: EdgeLoadSchema,
    urls: EdgeUrlsSchema,
    /** The relay's TURN REST secret (RFC 8489 §9.2 long-term credentials, the TURN REST API's HMAC key): the hub mints this edge's credentials with it. */
    turnSecret: Type.String({ minLength: BOUNDS.edgeSecretChars.min, maxLength: BOUNDS.edgeSecretChars.max }),
    relay: Type.Union([Type.Literal('embedded'), Type.Literal('external')]),
    rtpReflector: Type.Boolean(),
    signalProtocol: Type.Integer({ minimum: 1, maximum: 1000 }),
    notOffered: Type.Array(
      Type.Object(
        { transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]), reason: Type.String({ maxLength: 256 }) },
        { additionalProperties: false },
      ),
      { maxItems: 3 },
    ),
  },
  { additionalProperties: false },
);

/** The hub's answer to a beat: when to beat next, and how long a silent edge stays listed. */
export const EdgeHeartbeatAckSchema = Type.Object(
  {
    heartbeatMs: Type.Integer({ minimum: 1 }),
    silentAfterMs: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

/** PUT `${EDGES_PATH}/:id/heartbeat`: the edge's id. */
export const EdgeIdParams = Type.Object({ id: EdgeId }, { additionalProperties: false });

/**
 * POST /api/edge-tokens: the edge the new token may register, the region it stands in and the
 * hosts it advertises (its URLs' and TURN entries' hosts: a DNS name, or one address per family):
 * a beat claiming another is refused.
 */
export const EdgeTokenCreateBody = Type.Object(
  {
    edge: EdgeId,
    azureRegion: Type.String({ minLength: 1, maxLength: BOUNDS.azureRegionChars }),
    hosts: Type.Array(Type.String({ minLength: 1, maxLength: BOUNDS.edgeHostChars }), { minItems: 1, maxItems: BOUNDS.edgeHostsMax }),
  },
  {
    additionalProperties: false,
    refusal: {
      reason: 'bad-edge',
      message: `send { "edge", "azureRegion", "hosts": [...] } as JSON: an edge id of 1 to ${BOUNDS.edgeIdChars} lower-case letters, digits and hyphens, starting with a letter or digit, its Azure region, and 1 to ${BOUNDS.edgeHostsMax} hosts it advertises`,
    },
  },
);

/** DELETE /api/edge-tokens/:id. */
export const EdgeTokenIdParams = Type.Object({ id: Type.String({ maxLength: 16, pattern: '^[0-9a-f]{16}$' }) }, { additionalProperties: false });

/** GET /api/edge-tokens?edge=: the tokens of one edge, or of all. */
export const EdgeTokenListQuery = Type.Object({ edge: Type.Optional(Type.String({ maxLength: BOUNDS.edgeIdChars })) }, { additionalProperties: false });

export type EdgeHeartbeat = Static<typeof EdgeHeartbeatSchema>;
export type EdgeHeartbeatAck = Static<typeof EdgeHeartbeatAckSchema>;
export type EdgeState = Static<typeof EdgeStateSchema>;
/** One edge as GET /api/edges lists it (never its secret). */
export interface EdgeView {
  id: string;
  azureRegion: string;
  state: EdgeState;
  /** ISO 8601 UTC, the hub's clock. */
  lastHeartbeatAt: string;
  version: string;
  load: EdgeHeartbeat['load'];
  urls: EdgeHeartbeat['urls'];
}
/** GET /api/edges. */
export interface EdgeList {
  edges: EdgeView[];
}
export type EdgeTokenCreate = Static<typeof EdgeTokenCreateBody>;
export type EdgeTokenList = Static<typeof EdgeTokenListQuery>;

/** An edge token as listed: never the token itself (the store keeps only its hash). */
export interface EdgeTokenView {
  id: string;
  edge: string;
  /** The region its edge must claim; null: a token made before tokens named one (refused, `token-unbound`). */
  azureRegion: string | null;
  /** The hosts its edge may advertise (canonical); empty for such a token. */
  hosts: string[];
  createdAt: string;
  revokedAt: string | null;
}

/** POST /api/edge-tokens answers 201 with the token, shown this once. */
export interface EdgeTokenCreated extends EdgeTokenView {
  token: string;
}

// The schema's TURN entry and the contract's are one shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const turnEntriesAgree: Same<Static<typeof TurnEntrySchema>, TurnServerEntry> = true;
void turnEntriesAgree;
