/**
 * The contract between a hub and its edges, and what the hub tells of them (TypeBox schemas:
 * JSON Schema at run time, the types by `Static`). An edge is a `callprobe serve --hub` that runs
 * the data plane (relay, reflectors, signalling, the relay's witness) and stores nothing; the hub
 * is a `serve` with a store that serves the page and keeps the registry of its edges.
 *
 * - An edge sends `EdgeHeartbeat` (PUT `edgeHeartbeatPath(id)`, its edge token as Bearer) at
 *   start and every `DEFAULTS.edges.heartbeatMs`; the hub answers `EdgeHeartbeatAck`. The first
 *   beat registers it: every beat carries all the hub needs (the URLs a page uses, the relay's
 *   TURN REST secret, its last check of its own relay, the busy line it offers), so a hub that
 *   lost its registry learns it again within one beat. A beat with a revoked token is refused
 *   403 `edge-token-revoked` (EDGE_TOKEN_REVOKED): the edge then stops (its relay's secret
 *   replaced, no more tests, `serve` exits 3). A hub older than its edges refuses fields it does
 *   not know: upgrade the hub first.
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

/** The reason a beat with a revoked edge token is refused for (403): the edge that hears it stops. */
export const EDGE_TOKEN_REVOKED = 'edge-token-revoked';

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
 * refuse a test, as a locate service's server may refuse for capacity), `relay-down` (its own
 * relay check found a UDP port it advertises not answering: a page's locate and test would wait
 * on it for nothing), `draining` (stopping: sent once as it shuts down, so the hub drops it at
 * once). Only `ready` edges are offered to pages; a reader of GET /api/edges skips a state it does
 * not know (a newer release's).
 */
const EdgeStateSchema = Type.Union([Type.Literal('ready'), Type.Literal('full'), Type.Literal('relay-down'), Type.Literal('draining')]);

const EdgeLoadSchema = Type.Object(
  {
    sessions: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Reflector sessions open now.' }),
    maxSessions: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'The most it opens at once (0: no reflector).' }),
    started: Type.Optional(
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Tests started since the edge started (absent: an older edge).' }),
    ),
  },
  { additionalProperties: false },
);

const TransportSchema = Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]);

/**
 * The edge's last check of its own relay: from its HTTP process (outside the relay's), a TURN
 * Allocate with a credential of its own secret on every TURN entry it advertises, every
 * DEFAULTS.edges.relayCheckMs. `ageMs`: how long before this beat it ran (the hub dates it on its
 * own clock). A port `ok` answered the Allocate with a relayed address; `error` says what the
 * others did (no answer, refused, a TURN error).
 */
const RelayCheckSchema = Type.Object(
  {
    ageMs: Type.Integer({ minimum: 0, maximum: 24 * 3_600_000 }),
    ports: Type.Array(
      Type.Object(
        {
          transport: TransportSchema,
          port: Type.Integer({ minimum: BOUNDS.port.min, maximum: BOUNDS.port.max }),
          ok: Type.Boolean(),
          error: Type.Optional(Type.String({ maxLength: 128 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: BOUNDS.edgeTurnEntriesSchemaMax },
    ),
  },
  { additionalProperties: false },
);

/** The busy-line phase as the edge offers it (its own load sink and source, ./api-load.ts): null with `serve --no-load`. */
const BusyLineSchema = Type.Union([
  Type.Object(
    {
      maxBytesPerDirection: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
      maxFlowsPerSource: Type.Integer({ minimum: 1, maximum: 1000 }),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

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
    notOffered: Type.Array(Type.Object({ transport: TransportSchema, reason: Type.String({ maxLength: 256 }) }, { additionalProperties: false }), {
      maxItems: 3,
    }),
    /** Its last relay check (absent: an older edge, or none finished yet). */
    relayCheck: Type.Optional(RelayCheckSchema),
    /** The busy-line phase on this edge (absent: an older edge, which serves none to the hub's pages). */
    busyLine: Type.Optional(BusyLineSchema),
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
export type EdgeRelayCheck = Static<typeof RelayCheckSchema>;
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
  /** Its last relay check: when (the hub's clock), whether every advertised port answered, and the ports that did not; null: none told (an older edge, or none finished yet). */
  relayCheck: { checkedAt: string; ok: boolean; failed: { transport: 'udp' | 'tcp' | 'tls'; port: number; error: string }[] } | null;
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
