/**
 * The hub's side of its edges: an edge's beat (PUT /api/edges/:id/heartbeat, its edge token as
 * Bearer: the first beat registers it) and the list of the edges heard from lately (GET
 * /api/edges, anyone, never a secret). A beat from an unknown or revoked token, or for another
 * edge than its token's, is refused; one that names a region outside the Azure table, or a URL
 * or TURN entry that is not one, is refused in words the edge logs. Both routes are rate-limited
 * per source.
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
import { parseTurnUri } from '../../src/protocol/turn-uri.js';
import type { EdgesRepository } from '../store/edges/types.js';
import type { EdgeRegistry } from '../edges/registry.js';
import { azureRegionOrNull } from '../edges/azure-region.js';
import { checked, rateLimited, Refusal, refusalHandler } from './refusal.js';

export interface EdgesOptions {
  store: { edges: EdgesRepository };
  registry: EdgeRegistry;
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
