/**
 * Edge tokens: the hub's operator makes one per edge (POST /api/edge-tokens), lists them (GET,
 * never the tokens) and revokes them (DELETE /api/edge-tokens/:id), as the site tokens
 * (./site-tokens.ts). A token binds what the operator said: one edge id, the Azure region it
 * stands in and the hosts it advertises (../edges/hosts.ts); an edge that holds one may register
 * and beat as that edge, from there, and nothing else (./edges.ts). The token is shown once, at
 * creation; the store keeps its SHA-256. A revoked token's edge leaves the registry at once.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import {
  EDGE_TOKEN_PREFIX,
  EDGE_TOKENS_PATH,
  EdgeTokenCreateBody,
  EdgeTokenIdParams,
  EdgeTokenListQuery,
  type EdgeTokenCreate,
  type EdgeTokenCreated,
  type EdgeTokenList,
  type EdgeTokenView,
} from '../../src/protocol/api-edges.js';
import type { EdgeToken, EdgesRepository } from '../store/edges/types.js';
import type { EdgeRegistry } from '../edges/registry.js';
import { operatorCheck } from './access.js';
import { edgeTokenHash } from './edges.js';
import { Refusal, refusalHandler } from './refusal.js';
import { azureRegionOrNull } from '../edges/azure-region.js';
import { EdgeHostError, edgeHosts } from '../edges/hosts.js';

export interface EdgeTokensOptions {
  store: { edges: EdgesRepository };
  registry: EdgeRegistry;
  adminToken: string | null;
  /** The hub stands on a special-purpose address itself (a lab): its edges may too (../edges/hosts.ts). */
  labAddresses: boolean;
  nowMs: () => number;
}

function view(t: EdgeToken): EdgeTokenView {
  return {
    id: t.id,
    edge: t.edgeId,
    azureRegion: t.binding?.azureRegion ?? null,
    hosts: t.binding?.hosts ?? [],
    createdAt: new Date(t.createdAtMs).toISOString(),
    revokedAt: t.revokedAtMs === null ? null : new Date(t.revokedAtMs).toISOString(),
  };
}

/** A new token's hosts, checked (400 bad-host or special-address). */
function hostsOf(values: readonly string[], lab: boolean): string[] {
  try {
    return edgeHosts(values, lab);
  } catch (err) {
    if (err instanceof EdgeHostError) throw new Refusal(err.reason, err.message, 400);
    throw err;
  }
}

export const edgeTokensPlugin: FastifyPluginAsync<EdgeTokensOptions> = async (app, opts) => {
  app.setErrorHandler(refusalHandler);
  const { store } = opts;
  const operator = async (req: FastifyRequest): Promise<void> => {
    const who = operatorCheck(req, opts.adminToken);
    if (who !== 'ok') throw who;
  };

  app.post<{ Body: EdgeTokenCreate }>(
    EDGE_TOKENS_PATH,
    { schema: { body: EdgeTokenCreateBody }, preValidation: operator },
    async (req, reply): Promise<EdgeTokenCreated> => {
      const azureRegion = azureRegionOrNull(req.body.azureRegion);
      if (azureRegion === null)
        throw new Refusal('bad-azure-region', `"${req.body.azureRegion}" is not spelled as a region of the Azure table's region column`, 400);
      const hosts = hostsOf(req.body.hosts, opts.labAddresses);
      const token = `${EDGE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const binding = { azureRegion, hosts };
      const t: EdgeToken = { id: randomBytes(8).toString('hex'), edgeId: req.body.edge, binding, createdAtMs: opts.nowMs(), revokedAtMs: null };
      await store.edges.createToken({ ...t, binding, tokenHash: edgeTokenHash(token) });
      req.log.info({ edgeToken: t.id, edge: t.edgeId, azureRegion, hosts }, 'edge token created');
      reply.code(201).header('cache-control', 'no-store');
      return { ...view(t), token };
    },
  );

  app.get<{ Querystring: EdgeTokenList }>(
    EDGE_TOKENS_PATH,
    { schema: { querystring: EdgeTokenListQuery }, preValidation: operator },
    async (req, reply): Promise<EdgeTokenView[]> => {
      reply.header('cache-control', 'no-store');
      const edge = req.query.edge;
      return (await store.edges.listTokens(edge === undefined || edge === '' ? null : edge)).map(view);
    },
  );

  app.delete<{ Params: Static<typeof EdgeTokenIdParams> }>(
    `${EDGE_TOKENS_PATH}/:id`,
    { schema: { params: EdgeTokenIdParams }, preValidation: operator },
    async (req, reply) => {
      if (!(await store.edges.revokeToken(req.params.id, opts.nowMs()))) throw new Refusal('unknown-token', 'no live edge token has this id', 404);
      opts.registry.forgetToken(req.params.id);
      req.log.info({ edgeToken: req.params.id }, 'edge token revoked');
      return reply.code(204).send();
    },
  );
};
