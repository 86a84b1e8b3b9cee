/**
 * Upload-only site tokens: the operator makes one per site (POST /api/site-tokens; with
 * `awaitFirstSample`, for a probe not installed yet: its site's silence waits for its first sample), lists them
 * (GET, never the tokens) and revokes them (DELETE /api/site-tokens/:id). A probe machine that
 * holds one may store samples for its own site and nothing else: a result with another site, or
 * any read or listing, is 403 (server/http/results.ts asks `siteTokenOf`, ./access.ts). The token is shown
 * once, at creation; the store keeps its SHA-256 (server/store/site-tokens/repository.ts).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { SITE_TOKENS_PATH, type SiteTokenCreated, type SiteTokenView } from '../../src/protocol/api.js';
import { SiteTokenCreateBody, SiteTokenIdParams, SiteTokenListQuery, type SiteTokenCreate, type SiteTokenList } from '../../src/protocol/api-requests.js';
import { canonicalSite, SiteNameError } from '../../src/protocol/site-name.js';
import type { SiteToken, SiteTokensRepository } from '../store/site-tokens/types.js';
import { operatorCheck, SITE_TOKEN_PREFIX, siteTokenHash } from './access.js';
import { given } from './query.js';
import { Refusal, refusalHandler } from './refusal.js';
import { noStore } from './results.js';

export interface SiteTokensOptions {
  /** The site tokens, or null when serve runs with --no-store. */
  store: { siteTokens: SiteTokensRepository } | null;
  adminToken: string | null;
  nowMs: () => number;
}

function view(t: SiteToken): SiteTokenView {
  return {
    id: t.id,
    site: t.display,
    createdAt: new Date(t.createdAtMs).toISOString(),
    revokedAt: t.revokedAtMs === null ? null : new Date(t.revokedAtMs).toISOString(),
    awaitsFirstSample: t.awaitsFirstSample,
  };
}

function siteName(name: string): { display: string; key: string } {
  try {
    return canonicalSite(name);
  } catch (err) {
    if (err instanceof SiteNameError) throw new Refusal('bad-site', err.message, 400);
    throw err;
  }
}

export const siteTokensPlugin: FastifyPluginAsync<SiteTokensOptions> = async (app, opts) => {
  app.setErrorHandler(refusalHandler);
  const store = opts.store;
  const operator = async (req: FastifyRequest): Promise<void> => {
    const who = operatorCheck(req, opts.adminToken);
    if (who !== 'ok') throw who;
    if (store === null) throw noStore();
  };

  app.post<{ Body: SiteTokenCreate }>(
    SITE_TOKENS_PATH,
    { schema: { body: SiteTokenCreateBody }, preValidation: operator },
    async (req, reply): Promise<SiteTokenCreated> => {
      if (store === null) throw noStore();
      const site = siteName(req.body.site);
      const token = `${SITE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const t: SiteToken = {
        id: randomBytes(8).toString('hex'),
        siteKey: site.key,
        display: site.display,
        createdAtMs: opts.nowMs(),
        revokedAtMs: null,
        awaitsFirstSample: req.body.awaitFirstSample === true,
      };
      await store.siteTokens.create({ ...t, tokenHash: siteTokenHash(token) });
      req.log.info({ siteToken: t.id, site: t.display, awaitsFirstSample: t.awaitsFirstSample }, 'site token created');
      reply.code(201).header('cache-control', 'no-store');
      return { ...view(t), token };
    },
  );

  app.get<{ Querystring: SiteTokenList }>(
    SITE_TOKENS_PATH,
    { schema: { querystring: SiteTokenListQuery }, preValidation: operator },
    async (req, reply): Promise<SiteTokenView[]> => {
      if (store === null) throw noStore();
      const site = given(req.query.site);
      reply.header('cache-control', 'no-store');
      return (await store.siteTokens.list(site === null ? null : siteName(site).key)).map(view);
    },
  );

  app.delete<{ Params: Static<typeof SiteTokenIdParams> }>(
    `${SITE_TOKENS_PATH}/:id`,
    { schema: { params: SiteTokenIdParams }, preValidation: operator },
    async (req, reply) => {
      if (store === null) throw noStore();
      if (!(await store.siteTokens.revoke(req.params.id, opts.nowMs()))) throw new Refusal('unknown-token', 'no live site token has this id', 404);
      req.log.info({ siteToken: req.params.id }, 'site token revoked');
      return reply.code(204).send();
    },
  );
};
