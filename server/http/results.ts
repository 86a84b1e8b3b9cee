/**
 * The results plugin: POST /api/results (anonymous, bounded: schema, size, rate per address),
 * POST /api/results/check (a token's right to store a site's results, checked before a test),
 * GET /api/r/:code and /r/:code (the only anonymous views, address-free), and the operator's
 * GET /api/results/:id and GET /api/results (export), behind the admin token. It owns no state
 * of its own: the store and the alerts are serve's, closed by serve.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { langOfRequest, type Lang } from '../../src/protocol/lang.js';
import { locatedOf } from '../../src/analysis/site/site.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { SiteAlerts } from '../alerts/index.js';
import type { ResultPosts } from '../alerts/result-webhook.js';
import {
  RESULTS_PATH,
  SHARED_RESULT_API,
  SHARED_RESULT_PAGE,
  UPLOAD_CHECK_PATH,
  type OperatorResult,
  type ResultAck,
  type UploadCheckAnswer,
} from '../../src/protocol/api.js';
import {
  ExportQuery,
  ResultCodeParams,
  SharedPageQuery,
  ResultIdParams,
  ResultUploadBody,
  UploadCheckBody,
  type ExportRequest,
  type ResultUpload,
  type UploadCheck,
} from '../../src/protocol/api-requests.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { ReportV1 } from '../../src/analysis/schema/report-v1-schema.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { readUpload, withCheckedPrevious, withUnverifiedSite, type Upload } from '../reports/upload.js';
import { canonicalSite, SiteNameError } from '../../src/protocol/site-name.js';
import {
  couldNotTestRow,
  csvHeader,
  csvLine,
  csvDecimalOf,
  csvSeparatorNamed,
  orderedRow,
  reportRows,
  type Cell,
  type CsvOptions,
} from '../../src/analysis/report/export.js';
import { unmapIpv4 } from '../store/address.js';
import { knownSite } from '../reports/site-names.js';
import { siteKeyOf } from '../store/site-key.js';
import type { ResultsRepository, StoredResult } from '../store/results/types.js';
import type { SitesRepository } from '../store/sites/types.js';
import type { SiteToken, SiteTokensRepository } from '../store/site-tokens/types.js';
import type { ChainRepository, ClaimedResult } from '../store/chain/types.js';
import { clientAddresses } from '../console/view.js';
import { deadSiteToken, operatorCheck, operatorOrConsole, siteTokenOf, type RoleOf } from './access.js';
import { codeParam, findResult, given, sinceParam } from './query.js';
import { rateLimited, Refusal, refusalHandler } from './refusal.js';
import { sourceKey } from './signal-limits.js';
import { ResultsDoors } from './results-doors.js';
import type { DoorRefusals } from '../common/door.js';

export interface ResultsOptions {
  /** The results, the known sites (a listing's site), the site tokens (an upload's) and the chain (a claimed earlier result), or null when serve runs with --no-store. */
  store: { results: ResultsRepository; sites: SitesRepository; siteTokens: SiteTokensRepository; chain: ChainRepository } | null;
  /** The operator token (--admin-token, CALLPROBE_ADMIN_TOKEN), or null: operator endpoints off. */
  adminToken: string | null;
  bodyLimitBytes: number;
  postsPerMinutePerIp: number;
  readsPerMinutePerIp: number;
  /** Bytes of results one anonymous source may have stored per day (uploads with the operator token or a site token are exempt). */
  storedBytesPerDayPerSource: number;
  /** Failed result-code lookups per minute over every source together; beyond, every lookup is refused until the minute ends. */
  failedLookupsPerMinute: number;
  /** The clock of the budgets above (ms since the epoch); default Date.now. */
  nowMs?: () => number;
  /** Whether the built page is there (/r/:code answers its index.html). */
  pageBuilt: boolean;
  /** Where the built page is (/r/:code reads its index.html to name the reader's language in it). */
  webRoot: string;
  /** Site alerts (serve --alerts): fed every newly stored report that has a site. */
  alerts?: SiteAlerts | null;
  /** The result webhooks (serve --result-webhook): each newly stored result's posts, kept with it. */
  resultPosts?: ResultPosts | null;
  /** The help desk console's role of this request's session (serve --users), or absent: no console. */
  consoleRole?: RoleOf;
  /** Where refusals of uploads and code lookups are counted by scope (callprobe_refusals_total). */
  doorRefusals?: DoorRefusals;
}

/** The refusal of a server without a store. */
export const noStore = (): Refusal => new Refusal('no-store', 'this server does not store results (serve --no-store, or an edge: its hub stores them)', 404);

/** The page's index.html naming the reader's language: `<html lang>` and `data-served-lang`, which the page reads before the browser's. */
function pageInLanguage(indexHtml: string, lang: Lang): string {
  return indexHtml.replace(/<html lang="[^"]*">/, `<html lang="${lang}" data-served-lang="${lang}">`);
}

function sharePath(code: string): string {
  return `${SHARED_RESULT_PAGE}/${code}`;
}

function ack(r: StoredResult): ResultAck {
  return { id: r.id, code: r.code, url: sharePath(r.code) };
}

/** An uploaded site name in its canonical form (src/protocol/site-name.ts), before any access check; 400 bad-site when it cannot be one. */
function canonicalUploadSite(name: string): string {
  try {
    return canonicalSite(name).display;
  } catch (err) {
    if (err instanceof SiteNameError) throw new Refusal('bad-site', `meta.site: ${err.message}`, 400);
    throw err;
  }
}

/**
 * Who may store results of `site` (its canonical name) with the request's token: the operator,
 * or a live site token of that site; else the refusal, which names the token it is about.
 */
async function siteAccess(
  req: FastifyRequest,
  siteTokens: SiteTokensRepository,
  adminToken: string | null,
  site: string,
): Promise<{ operator: boolean; siteToken: SiteToken | null }> {
  const who = operatorCheck(req, adminToken);
  if (who === 'ok') return { operator: true, siteToken: null };
  const siteToken = await siteTokenOf(req, siteTokens);
  if (siteToken === 'dead') throw deadSiteToken();
  if (siteToken === null)
    throw who.statusCode === 404
      ? new Refusal(
          'site-needs-operator',
          'a result with a site is accepted only with the operator token or a site token, and this server has no operator (--admin-token)',
          403,
        )
      : who;
  if (siteToken.siteKey !== siteKeyOf(site)) throw new Refusal('wrong-site', `this site token stores samples for ${siteToken.display} only`, 403);
  return { operator: false, siteToken };
}

/** POST /api/results/check: would an upload of `site` with this token be stored? The upload's checks, nothing stored (run --site, the scheduler). */
function uploadCheckRoute(app: FastifyInstance, opts: ResultsOptions, config: ReturnType<typeof rateLimited>, storeThere: () => Promise<void>): void {
  const store = opts.store;
  app.post<{ Body: UploadCheck }>(
    UPLOAD_CHECK_PATH,
    { config, schema: { body: UploadCheckBody }, preValidation: storeThere },
    async (req, reply): Promise<UploadCheckAnswer> => {
      if (store === null) throw noStore();
      if (req.headers.authorization === undefined)
        throw new Refusal('no-token', "give the site's token (or the operator token): Authorization: Bearer <token>", 401);
      const site = canonicalUploadSite(req.body.site);
      const { siteToken } = await siteAccess(req, store.siteTokens, opts.adminToken, site);
      reply.header('cache-control', 'no-store');
      return { site: siteToken?.display ?? site, token: siteToken === null ? 'operator' : 'site' };
    },
  );
}

/** The export rows of one stored result, split by edge (a region leg is a row of its own): raw figures (JSON, NDJSON), or rounded as the page shows them (the CSV). */
function storedRows(r: StoredResult, figures: 'raw' | 'page' = 'raw'): Array<Record<string, Cell>> {
  const parsed = JSON.parse(r.reportJson) as unknown;
  if (r.kind === 'could-not-test') return [couldNotTestRow(r, parsed as CouldNotTest, r.startedAtMs)];
  return reportRows(r, parsed as Report | ReportV1, figures);
}

/** The store of a server that stores results (ResultsOptions.store, not null). */
type ResultsStore = NonNullable<ResultsOptions['store']>;

/**
 * Who stores an upload: the operator, a site's own token (./site-tokens.ts: its own site's
 * samples), or no one (anonymous: a site it names is kept apart as unverified); the upload with
 * its site in canonical form and its claimed earlier result checked.
 */
async function uploader(
  req: FastifyRequest<{ Body: ResultUpload }>,
  opts: ResultsOptions,
  store: ResultsStore,
  doors: ResultsDoors,
): Promise<{ upload: Upload; operator: boolean; siteToken: SiteToken | null }> {
  const nowMs = opts.nowMs ?? (() => Date.now());
  let upload = readUpload(req.body, nowMs());
  if (upload.scrubbed.length > 0)
    req.log.warn({ results: 'addresses-scrubbed', paths: upload.scrubbed.slice(0, 20) }, 'an IP address in an uploaded body was replaced before storing');
  let operator = operatorCheck(req, opts.adminToken) === 'ok';
  // Not the operator: a live site token (./site-tokens.ts) stores its own site's samples.
  const carried = operator || req.headers.authorization === undefined ? null : await siteTokenOf(req, store.siteTokens);
  let siteToken = carried === 'dead' ? null : carried;
  if (upload.result.site !== null) {
    if (req.headers.authorization === undefined) {
      // No token at all (a ?site= link anyone may open): stored, the site kept apart as unverified.
      upload = withUnverifiedSite(upload);
    } else {
      const site = canonicalUploadSite(upload.result.site);
      ({ operator, siteToken } = await siteAccess(req, store.siteTokens, opts.adminToken, site));
      upload = { ...upload, result: { ...upload.result, site } };
    }
  }
  // A claimed earlier result is kept only when it is stored here, young enough, and started before this test.
  const claimed = (code: string, sinceMs: number): Promise<ClaimedResult | null> => doors.claimed(req.ip, () => store.chain.claimed(code, sinceMs));
  upload = await withCheckedPrevious(upload, claimed, nowMs(), unmapIpv4(req.ip));
  return { upload, operator, siteToken };
}

/** POST /api/results: an upload admitted by the doors, stored once by its sampleId, its alerts and webhooks fed. */
function uploadRoute(app: FastifyInstance, opts: ResultsOptions, doors: ResultsDoors, storeThere: () => Promise<void>): void {
  app.post<{ Body: ResultUpload }>(
    RESULTS_PATH,
    { bodyLimit: opts.bodyLimitBytes, config: doors.posts(), schema: { body: ResultUploadBody }, preValidation: storeThere },
    async (req, reply) => {
      const store = opts.store;
      if (store === null) throw noStore();
      doors.admitPost(req.ip);
      const { upload, operator, siteToken } = await uploader(req, opts, store, doors);
      // The operator and a site's own token are exempt from the per-source budget (a site's prober is the operator's).
      const sampleId = upload.result.sampleId;
      const charge = await doors.admitUpload(
        req.ip,
        Buffer.byteLength(upload.result.reportJson),
        operator || siteToken !== null,
        async () => sampleId !== null && (await store.results.getBySampleId(sampleId)) !== null,
      );
      // Its result webhooks' posts are kept with it, worded when sent in the language the upload asked for (the page sends its own).
      const posts = opts.resultPosts?.postsFor(upload.result, langOfRequest(undefined, req.headers['accept-language'])) ?? [];
      const { result, created } = await store.results.put({ ...upload.result, address: unmapIpv4(req.ip), posts });
      if (!created) {
        doors.refund(charge);
        // Its code goes only to the source that stored it (a retry whose answer was lost), the operator, or the token of
        // the site it is stored under (a prober whose address changed), never to another caller.
        const mine =
          operator ||
          (siteToken !== null && result.site !== null && siteKeyOf(result.site) === siteToken.siteKey) ||
          ((await store.results.getById(result.id))?.addresses.some((a) => sourceKey(a.address) === charge.source) ?? false);
        if (!mine) throw new Refusal('already-stored', 'a result with this sampleId is already stored; its code was given to the address that stored it', 409);
        return reply.code(200).send(ack(result));
      }
      req.log.info({ id: result.id, code: result.code, kind: result.kind, site: result.site }, 'result stored');
      opts.resultPosts?.stored(posts);
      if (result.site !== null)
        // Evaluated (and committed, with its webhook posts to deliver) before the answer.
        await opts.alerts?.afterStored({
          id: result.id,
          site: result.site,
          kind: upload.accepted.kind,
          grades: upload.accepted.kind === 'report' ? upload.accepted.report.grades : [],
          located: upload.accepted.kind === 'report' ? locatedOf(upload.accepted.report) : [],
        });
      return reply.code(201).send(ack(result));
    },
  );
}

/** GET /api/results (the export, CSV, NDJSON or JSON): the operator's, or a tier 2 console session's. */
function exportRoute(app: FastifyInstance, opts: ResultsOptions): void {
  app.get<{ Querystring: ExportRequest }>(
    RESULTS_PATH,
    {
      schema: { querystring: ExportQuery },
      preValidation: async (req) => {
        const who = operatorOrConsole(req, opts.adminToken, opts.consoleRole, 'tier2');
        if (who !== 'ok') throw who;
        if (opts.store === null) throw noStore();
      },
    },
    async (req, reply) => {
      const store = opts.store;
      if (store === null) throw noStore();
      const format = req.query.format ?? 'json';
      const sinceMs = sinceParam(req.query.since);
      const max = BOUNDS.exportMaxRows;
      // Any spelling of a known site; a typo is answered with the names it most likely meant.
      const asked = given(req.query.site);
      const site = asked === null ? null : knownSite(asked, await store.sites.list()).key;
      const rows = await store.results.list({ sinceMs, site, limit: max + 1 });
      if (rows.length > max) {
        rows.length = max;
        // The next page starts where this one ended (rows are ordered by start time).
        reply.header('x-callprobe-truncated', new Date(rows[rows.length - 1]?.startedAtMs ?? 0).toISOString());
      }
      reply.header('cache-control', 'no-store');
      if (format === 'csv') {
        const stamp = new Date().toISOString().slice(0, 10);
        const csv: CsvOptions = {
          sep: csvSeparatorNamed(req.query.sep ?? '') ?? ',',
          bom: req.query.bom === '1',
          decimal: csvDecimalOf(given(req.query.decimal) ?? undefined, given(req.query.lang) ?? undefined),
        };
        reply.type('text/csv; charset=utf-8; header=present').header('content-disposition', `attachment; filename="callprobe-results-${stamp}.csv"`);
        return reply.send(csvHeader(csv) + rows.flatMap((r) => storedRows(r, 'page').map((row) => csvLine(row, csv))).join(''));
      }
      const out = rows.flatMap((r) => storedRows(r).map(orderedRow));
      if (format === 'ndjson') return reply.type('application/x-ndjson; charset=utf-8').send(out.map((r) => `${JSON.stringify(r)}\n`).join(''));
      return out;
    },
  );
}

export const resultsPlugin: FastifyPluginAsync<ResultsOptions> = async (app, opts) => {
  app.setErrorHandler(refusalHandler);
  const store = opts.store;
  const doors = new ResultsDoors(opts);
  const reads = doors.reads();
  /** A result code typed by a user, looked up within the doors' budget of failed lookups. */
  const lookUp = (typed: string, ip: string): Promise<StoredResult | null> =>
    doors.lookUp(ip, async () => {
      const code = codeParam(typed);
      return store === null || code === null ? null : await store.results.getByCode(code);
    });
  /** Checked before the request's schema: who may, and whether there is a store at all. */
  const storeThere = async (): Promise<void> => {
    if (store === null) throw noStore();
  };
  const operator = async (req: FastifyRequest): Promise<void> => {
    const who = operatorCheck(req, opts.adminToken);
    if (who !== 'ok') throw who;
    if (store === null) throw noStore();
  };
  uploadRoute(app, opts, doors, storeThere);
  uploadCheckRoute(app, opts, doors.posts(), storeThere);

  app.get<{ Params: Static<typeof ResultCodeParams> }>(
    `${SHARED_RESULT_API}/:code`,
    { config: reads, schema: { params: ResultCodeParams }, preValidation: storeThere },
    async (req, reply) => {
      doors.admitRead(req);
      const r = await lookUp(req.params.code, req.ip);
      if (r === null) throw new Refusal('unknown-code', 'no result has this code (codes are kept for a limited time)', 404);
      reply.header('cache-control', 'private, max-age=60').header('x-robots-tag', 'noindex').type('application/json; charset=utf-8');
      // The stored JSON goes out as stored (no response schema, no parse and re-serialization): SharedResult.
      return reply.send(`{"code":${JSON.stringify(r.code)},"storedAtMs":${r.storedAtMs},"report":${r.reportJson}}`);
    },
  );

  app.get<{ Params: Static<typeof ResultCodeParams>; Querystring: Static<typeof SharedPageQuery> }>(
    `${SHARED_RESULT_PAGE}/:code`,
    { config: reads, schema: { params: ResultCodeParams, querystring: SharedPageQuery } },
    async (req, reply) => {
      doors.admitRead(req);
      const known = (await lookUp(req.params.code, req.ip)) !== null;
      reply.header('x-robots-tag', 'noindex');
      if (!opts.pageBuilt)
        return reply
          .code(known ? 503 : 404)
          .type('text/plain')
          .send(known ? 'page not built: run `npm run build`\n' : 'no result has this code\n');
      // The page reads the code from its URL and renders the stored report (or says it is unknown),
      // in the reader's language: ?lang=, then Accept-Language (named in <html>, read by src/web/i18n.ts).
      const lang = langOfRequest(req.query.lang, req.headers['accept-language']);
      const index = await readFile(join(opts.webRoot, 'index.html'), 'utf8');
      return reply
        .code(known ? 200 : 404)
        .header('vary', 'accept-language')
        .header('content-language', lang)
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(pageInLanguage(index, lang));
    },
  );

  app.get<{ Params: Static<typeof ResultIdParams> }>(
    `${RESULTS_PATH}/:id`,
    { schema: { params: ResultIdParams }, preValidation: operator },
    async (req, reply): Promise<OperatorResult> => {
      const r = store === null ? null : await findResult(store.results, req.params.id);
      if (r === null) throw new Refusal('unknown-id', 'no result has this id or code', 404);
      reply.header('cache-control', 'no-store');
      return {
        ...ack(r),
        sampleId: r.sampleId,
        kind: r.kind,
        storedAt: new Date(r.storedAtMs).toISOString(),
        startedAt: new Date(r.startedAtMs).toISOString(),
        site: r.site,
        ticket: r.ticket,
        verdict: r.verdict,
        addresses: clientAddresses(r.addresses),
        report: JSON.parse(r.reportJson) as unknown,
      };
    },
  );

  exportRoute(app, opts);
};
