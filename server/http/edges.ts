/**
 * The hub's side of its edges: an edge's beat (PUT /api/edges/:id/heartbeat, its edge token as
 * Bearer: the first beat registers it) and the list of the edges heard from lately (GET
 * /api/edges, anyone, never a secret). A beat from an unknown or revoked token, or for another
 * edge than its token's, is refused; one that names a region outside the Azure table, or a URL
 * or TURN entry that is not one, is refused in words the edge logs. What the token binds holds
 * too (403 with the reason): the region it names (`region-mismatch`), the hosts of its URLs and
 * TURN entries (`host-mismatch`), no more TURN entries than one serve advertises
 * (`too-many-turn-entries`), no special-purpose address unless the hub stands on one itself
 * (`special-address`), and no edge id another token's edge holds now (`id-taken`). A token made
 * before tokens named a region and hosts is refused (`token-unbound`): the operator makes a new
 * one. Both routes are rate-limited per source.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import {
  EDGE_TOKEN_PREFIX,
  EDGES_PATH,
  EdgeHeartbeatSchema,
  EdgeIdParams,
  type EdgeHeartbeat,
  type EdgeHeartbeatAck,
  type EdgeList,
} from '../../src/protocol/api-edges.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { parseTurnUri, parseTurnUriParts } from '../../src/protocol/turn-uri.js';
import type { EdgeToken, EdgesRepository } from '../store/edges/types.js';
import { canonicalHost, isSpecialHost } from '../edges/hosts.js';
import type { EdgeRegistry } from '../edges/registry.js';
import { azureRegionOrNull } from '../edges/azure-region.js';
import { checked, rateLimited, Refusal, refusalHandler } from './refusal.js';

export interface EdgesOptions {
  store: { edges: EdgesRepository };
  registry: EdgeRegistry;
  /** The hub stands on a special-purpose address itself (a lab): its edges may advertise one too (../edges/hosts.ts). */
  labAddresses: boolean;
  heartbeatMs: number;
  silentAfterMs: number;
  heartbeatsPerMinutePerSource: number;
  listPerMinutePerSource: number;
  nowMs: () => number;
}

/** The SHA-256 (hex) the store keeps of an edge token. */
export function edgeTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function bearerOf(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1] ?? null;
}

/** A beat's contents the schema cannot check: the region is the table's, the URLs are http(s) URLs, each TURN entry says what its URI says. */
function checkBeat(beat: EdgeHeartbeat): void {
  if (azureRegionOrNull(beat.azureRegion) !== beat.azureRegion)
    throw new Refusal('bad-azure-region', `"${beat.azureRegion}" is not spelled as a region of the Azure table's region column`, 400);
  for (const url of [beat.urls.http, ...(beat.urls.signal === null ? [] : [beat.urls.signal])]) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Refusal('bad-url', `${url} is not a URL`, 400);
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username !== '' || u.password !== '')
      throw new Refusal('bad-url', `${url} is not an http(s) URL without credentials`, 400);
  }
  for (const e of beat.urls.turn) {
    const parsed = checked('bad-turn-uri', () => parseTurnUri(e.url));
    if (parsed.transport !== e.transport || parsed.port !== e.port)
      throw new Refusal('bad-turn-uri', `${e.url} is ${parsed.transport} port ${parsed.port}, not ${e.transport} port ${e.port}`, 400);
  }
}

/** The hosts a beat advertises: its URLs' and its TURN entries' (canonical; null for one that is no host). */
function advertisedHosts(beat: EdgeHeartbeat): (string | null)[] {
  const urls = [beat.urls.http, ...(beat.urls.signal === null ? [] : [beat.urls.signal])].map((u) => canonicalHost(new URL(u).hostname));
  return [...urls, ...beat.urls.turn.map((e) => canonicalHost(parseTurnUriParts(e.url).host))];
}

/** What the token binds, checked against the beat (403 with the reason); `lab`: special-purpose addresses are the hub's own kind. */
function checkBinding(beat: EdgeHeartbeat, token: EdgeToken, lab: boolean): void {
  const b = token.binding;
  if (b === null)
    throw new Refusal(
      'token-unbound',
      `this edge token was made before tokens named the edge's region and hosts: make a new one (callprobe edge-token create --edge ${token.edgeId} --azure-region NAME --host HOST) and revoke this one`,
      403,
    );
  if (beat.azureRegion !== b.azureRegion)
    throw new Refusal('region-mismatch', `this edge token is for an edge in ${b.azureRegion}, not ${beat.azureRegion}`, 403);
  if (beat.urls.turn.length > BOUNDS.edgeTurnEntriesMax)
    throw new Refusal(
      'too-many-turn-entries',
      `${beat.urls.turn.length} TURN entries: an edge advertises at most ${BOUNDS.edgeTurnEntriesMax} (4 UDP, 1 TCP and 1 TLS per family)`,
      403,
    );
  for (const host of advertisedHosts(beat)) {
    if (host === null || !b.hosts.includes(host))
      throw new Refusal('host-mismatch', `this edge token's edge advertises ${b.hosts.join(', ')}, not ${host ?? 'a name that is no host'}`, 403);
    if (!lab && isSpecialHost(host))
      throw new Refusal('special-address', `${host} is a special-purpose address: pages on the Internet cannot reach an edge there`, 403);
  }
}

export const edgesPlugin: FastifyPluginAsync<EdgesOptions> = async (app, opts) => {
  app.setErrorHandler(refusalHandler);

  app.put<{ Params: Static<typeof EdgeIdParams>; Body: EdgeHeartbeat }>(
    `${EDGES_PATH}/:id/heartbeat`,
    {
      bodyLimit: BOUNDS.edgeHeartbeatBytesMax,
      schema: { params: EdgeIdParams, body: EdgeHeartbeatSchema },
      config: rateLimited(opts.heartbeatsPerMinutePerSource, 'edge-heartbeat'),
    },
    async (req, reply): Promise<EdgeHeartbeatAck> => {
      const token = bearerOf(req);
      if (token === null) throw new Refusal('no-token', 'give the edge token: Authorization: Bearer <token>', 401);
      const live = token.startsWith(EDGE_TOKEN_PREFIX) ? await opts.store.edges.tokenByHash(edgeTokenHash(token)) : null;
      if (live === null) throw new Refusal('bad-edge-token', 'this edge token is unknown or revoked (callprobe edge-token list)', 403);
      if (live.edgeId !== req.params.id) throw new Refusal('wrong-edge', `this edge token registers edge ${live.edgeId} only`, 403);
      checkBeat(req.body);
      checkBinding(req.body, live, opts.labAddresses);
      const holder = opts.registry.listed().find((r) => r.id === req.params.id);
      if (holder !== undefined && holder.tokenId !== live.id)
        throw new Refusal('id-taken', `edge ${req.params.id} is beating now under another of its tokens: stop that edge, or revoke its token, first`, 403);
      const record = { id: req.params.id, tokenId: live.id, beat: req.body, lastBeatMs: opts.nowMs() };
      await opts.store.edges.beat(record);
      opts.registry.heard(record);
      reply.header('cache-control', 'no-store');
      return { heartbeatMs: opts.heartbeatMs, silentAfterMs: opts.silentAfterMs };
    },
  );

  app.get(EDGES_PATH, { config: rateLimited(opts.listPerMinutePerSource, 'edge-list') }, async (_req, reply): Promise<EdgeList> => {
    reply.header('cache-control', 'no-store');
    return { edges: opts.registry.views() };
  });
};
