/**
 * The results routes (issue 10): POST /api/results (anonymous, bounded: schema, size, rate per
 * address), GET /api/r/:code and /r/:code (the only anonymous views, address-free), and the
 * operator's GET /api/results/:id and GET /api/results (export), behind the admin token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sourceKey } from './signal-limits.js';
import type { SiteAlerts } from '../alerts/index.js';
import { RESULTS_PATH, SHARED_RESULT_API, SHARED_RESULT_PAGE, SITES_OVERVIEW_PATH, SITES_PATH, type ResultAck } from '../../src/protocol/api.js';
import { BOUNDS, ConfigError, DEFAULTS, parseSinceSpan, parseTimeZone } from '../../src/protocol/defaults.js';
import { parseResultCode, ResultCodeError } from '../../src/protocol/result-code.js';
import type { Report, ReportV1 } from '../../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { ReportShapeError } from '../reports/accept.js';
import { parseIsoMs, readUpload } from '../reports/upload.js';
import { couldNotTestRow, csvHeader, csvLine, orderedRow, reportRow, type Cell } from '../reports/export.js';
import { unmapIpv4 } from '../store/address.js';
import { siteReportFromStore, SiteReportTooLarge, sitesOverviewFromStore } from '../reports/site.js';
import { SiteReportError, type PoolChoice } from '../../src/analysis/site/site.js';
import type { ResultStore, StoredResult } from '../store/types.js';

export interface ResultsOptions {
  /** The store, or null when serve runs with --no-store. */
  store: ResultStore | null;
  /** The operator token (--admin-token, CALLPROBE_ADMIN_TOKEN), or null: operator endpoints off. */
  adminToken: string | null;
  bodyLimitBytes: number;
  postsPerMinutePerIp: number;
  readsPerMinutePerIp: number;
  /** Whether the built page is there (/r/:code answers its index.html). */
  pageBuilt: boolean;
  /** Site alerts (serve --alerts): fed every newly stored report that has a site. */
  alerts?: SiteAlerts | null;
  /** The help desk console's role of this request's session (serve --users), or null: none. */
  consoleRole?: (req: FastifyRequest) => 'tier1' | 'tier2' | null;
}

/** The JSON body of every refusal of these routes. */
export interface ResultsRefusal {
  reason: string;
  message: string;
}

export class Refusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** What the Authorization header proves: nothing (401), a wrong token (403), the operator (ok). */
export function operatorCheck(req: FastifyRequest, token: string | null): 'ok' | Refusal {
  if (token === null) return new Refusal(404, 'no-operator', 'operator endpoints are off: start serve with --admin-token (or CALLPROBE_ADMIN_TOKEN)');
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m?.[1]) return new Refusal(401, 'no-token', 'give the operator token: Authorization: Bearer <token>');
  return timingSafeEqual(digest(m[1]), digest(token)) ? 'ok' : new Refusal(403, 'bad-token', 'the operator token is wrong');
}

/** The operator token, or a console session of at least `need` (tier 2 covers tier 1). */
function operatorOrConsole(req: FastifyRequest, opts: ResultsOptions, need: 'tier1' | 'tier2'): 'ok' | Refusal {
  const role = opts.consoleRole?.(req) ?? null;
  if (role === 'tier2' || (role === 'tier1' && need === 'tier1')) return 'ok';
  const who = operatorCheck(req, opts.adminToken);
  if (who !== 'ok' && role !== null) return new Refusal(403, 'needs-tier2', 'this needs a tier 2 help desk login (or the operator token)');
  if (who !== 'ok' && who.statusCode === 404 && opts.consoleRole !== undefined)
    return new Refusal(401, 'no-login', `log in to the help desk console (${need}) or give the operator token`);
  return who;
}

function refuse(reply: FastifyReply, r: Refusal): FastifyReply {
  if (r.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="callprobe"');
  return reply.code(r.statusCode).send({ reason: r.reason, message: r.message } satisfies ResultsRefusal);
}

function sharePath(code: string): string {
  return `${SHARED_RESULT_PAGE}/${code}`;
}

function ack(r: StoredResult): ResultAck {
  return { id: r.id, code: r.code, url: sharePath(r.code) };
}

/** The error handler of these routes: every failure as { reason, message } with its status. */
export function resultsErrorHandler(this: FastifyInstance, err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof Refusal) return refuse(reply, err);
  if (err instanceof ReportShapeError) return refuse(reply, new Refusal(400, err.reason, err.message));
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return refuse(reply, new Refusal(413, 'too-large', `the body is over ${DEFAULTS.results.bodyLimitBytes} bytes`));
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return refuse(reply, new Refusal(415, 'not-json', 'send the report as application/json'));
  if (err.statusCode === 429) return refuse(reply, new Refusal(429, 'rate-limited', err.message));
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
    return refuse(reply, new Refusal(err.statusCode, 'bad-request', err.message));
  req.log.error({ err }, 'results route failed');
  return refuse(reply, new Refusal(500, 'server-error', 'the result could not be stored or read; nothing was lost on your side, try again'));
}

export function parseCodeParam(text: string): string | null {
  try {
    return parseResultCode(text);
  } catch (err) {
    if (err instanceof ResultCodeError) return null;
    throw err;
  }
}

/** ?since=: an ISO 8601 time with a zone, or a date (midnight UTC). */
function parseSince(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseIsoMs(`${text}T00:00:00Z`) : parseIsoMs(text);
  if (ms === null) throw new Refusal(400, 'bad-since', 'since must be ISO 8601 UTC, e.g. 2026-01-31 or 2026-01-31T08:00:00Z');
  return ms;
}

/** A query parameter given at most once. */
function oneQuery(query: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, v] of Object.entries(query)) {
    if (typeof v !== 'string') throw new Refusal(400, 'bad-query', `give ${name} once`);
    out[name] = v;
  }
  return out;
}

/** A flag-style value checked by a defaults.ts parser: its ConfigError becomes a 400 with `reason`. */
export function checked<T>(reason: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigError) throw new Refusal(400, reason, err.message);
    throw err;
  }
}

/** ?profile=&azureRegion=&from=&path= of a site report: null picks what most samples used. */
/** ?since=7d (a span back from now) or an ISO 8601 time or date; absent: DEFAULTS.siteReport.sinceMs back from now. */
function siteSince(text: string | undefined): number {
  const since = text ?? '';
  return since === ''
    ? Date.now() - DEFAULTS.siteReport.sinceMs
    : /^\d+[dhm]$/.test(since)
      ? Date.now() - checked('bad-since', () => parseSinceSpan(since, 'since'))
      : (parseSince(since) as number);
}

function poolChoice(q: Record<string, string | undefined>): PoolChoice {
  const id = q.profile === undefined || q.profile === '' ? null : q.profile;
  if (id !== null && id !== 'client-to-edge' && id !== 'edge-to-edge' && id !== 'azure-region')
    throw new Refusal(400, 'bad-profile', 'profile is client-to-edge, edge-to-edge or azure-region');
  const region = q.azureRegion === undefined || q.azureRegion === '' ? undefined : q.azureRegion;
  if (region !== undefined && region.length > BOUNDS.siteChars) throw new Refusal(400, 'bad-profile', `azureRegion is at most ${BOUNDS.siteChars} characters`);
  const from = q.from === undefined || q.from === '' ? undefined : q.from;
  if (from !== undefined && from !== 'site' && from !== 'edge') throw new Refusal(400, 'bad-profile', 'from is site or edge');
  if (id !== 'azure-region' && (region !== undefined || from !== undefined))
    throw new Refusal(400, 'bad-profile', 'azureRegion and from go with profile=azure-region');
  const path = q.path === undefined || q.path === '' ? null : q.path;
  if (path !== null && path !== 'rtp' && path !== 'datachannel') throw new Refusal(400, 'bad-path', 'path is rtp or datachannel');
  return {
    profile: id === null ? null : { id, ...(region === undefined ? {} : { azureRegion: region }), ...(from === undefined ? {} : { from }) },
    probePath: path,
  };
}

/** The export row of one stored result. */
export function storedRow(r: StoredResult): Record<string, Cell> {
  const parsed = JSON.parse(r.reportJson) as unknown;
  return r.kind === 'could-not-test' ? couldNotTestRow(r, parsed as CouldNotTest, r.startedAtMs) : reportRow(r, parsed as Report | ReportV1);
}

export async function registerResults(app: FastifyInstance, opts: ResultsOptions): Promise<void> {
  const limited = (max: number, groupId: string) => ({
    rateLimit: {
      max,
      timeWindow: 60_000,
      groupId,
      keyGenerator: (req: FastifyRequest) => sourceKey(req.ip),
      errorResponseBuilder: (_req: FastifyRequest, ctx: { after: string }) =>
        new Refusal(429, 'rate-limited', `too many requests from your address: retry in ${ctx.after}`),
    },
  });
  const store = opts.store;
  const noStore = (): Refusal => new Refusal(404, 'no-store', 'this server does not store results (serve --no-store)');

  app.post(
    RESULTS_PATH,
    { bodyLimit: opts.bodyLimitBytes, config: limited(opts.postsPerMinutePerIp, 'results-post'), errorHandler: resultsErrorHandler },
    async (req, reply) => {
      if (store === null) throw noStore();
      const upload = readUpload(req.body);
      if (upload.result.site !== null) {
        const who = operatorCheck(req, opts.adminToken);
        if (who !== 'ok') {
          throw who.statusCode === 404
            ? new Refusal(403, 'site-needs-operator', 'a result with a site is accepted only with the operator token, and this server has none (--admin-token)')
            : who;
        }
      }
      const { result, created } = await store.put({ ...upload.result, address: unmapIpv4(req.ip) });
      if (created) req.log.info({ id: result.id, code: result.code, kind: result.kind, site: result.site }, 'result stored');
      if (created && result.site !== null && upload.accepted.kind === 'report')
        // Evaluated (and committed) before the answer; the webhook posts are not awaited.
        await opts.alerts?.afterStored({ id: result.id, site: result.site, grades: upload.accepted.report.grades });
      return reply.code(created ? 201 : 200).send(ack(result));
    },
  );

  app.get<{ Params: { code: string } }>(
    `${SHARED_RESULT_API}/:code`,
    { config: limited(opts.readsPerMinutePerIp, 'results-read'), errorHandler: resultsErrorHandler },
    async (req, reply) => {
      if (store === null) throw noStore();
      const code = parseCodeParam(req.params.code);
      const r = code === null ? null : await store.getByCode(code);
      if (r === null) throw new Refusal(404, 'unknown-code', 'no result has this code (codes are kept for a limited time)');
      reply.header('cache-control', 'private, max-age=60').header('x-robots-tag', 'noindex').type('application/json; charset=utf-8');
      // The stored JSON goes out as stored: no parse and re-serialization.
      return reply.send(`{"code":${JSON.stringify(r.code)},"storedAtMs":${r.storedAtMs},"report":${r.reportJson}}`);
    },
  );

  app.get<{ Params: { code: string } }>(
    `${SHARED_RESULT_PAGE}/:code`,
    { config: limited(opts.readsPerMinutePerIp, 'results-read'), errorHandler: resultsErrorHandler },
    async (req, reply) => {
      const code = parseCodeParam(req.params.code);
      const known = store !== null && code !== null && (await store.getByCode(code)) !== null;
      reply.header('x-robots-tag', 'noindex');
      if (!opts.pageBuilt)
        return reply
          .code(known ? 503 : 404)
          .type('text/plain')
          .send(known ? 'page not built: run `npm run build`\n' : 'no result has this code\n');
      // The page reads the code from its URL and renders the stored report (or says it is unknown).
      return reply.code(known ? 200 : 404).sendFile('index.html');
    },
  );

  app.get<{ Params: { id: string } }>(`${RESULTS_PATH}/:id`, { errorHandler: resultsErrorHandler }, async (req, reply) => {
    const who = operatorCheck(req, opts.adminToken);
    if (who !== 'ok') throw who;
    if (store === null) throw noStore();
    // An id, or the code a user read out (the help desk's way in).
    const code = /^[0-9a-f]{32}$/.test(req.params.id) ? null : parseCodeParam(req.params.id);
    const id = code === null ? req.params.id : ((await store.getByCode(code))?.id ?? null);
    const r = id !== null && /^[0-9a-f]{32}$/.test(id) ? await store.getById(id) : null;
    if (r === null) throw new Refusal(404, 'unknown-id', 'no result has this id or code');
    reply.header('cache-control', 'no-store');
    return {
      id: r.id,
      code: r.code,
      url: sharePath(r.code),
      sampleId: r.sampleId,
      kind: r.kind,
      storedAt: new Date(r.storedAtMs).toISOString(),
      startedAt: new Date(r.startedAtMs).toISOString(),
      site: r.site,
      ticket: r.ticket,
      verdict: r.verdict,
      addresses: r.addresses.map((a) => ({ address: a.address, truncated: a.truncated, storedAt: new Date(a.storedAtMs).toISOString() })),
      report: JSON.parse(r.reportJson) as unknown,
    };
  });

  app.get<{ Params: { site: string }; Querystring: Record<string, unknown> }>(
    `${SITES_PATH}/:site/report`,
    { errorHandler: resultsErrorHandler },
    async (req, reply) => {
      const who = operatorOrConsole(req, opts, 'tier1');
      if (who !== 'ok') throw who;
      if (store === null) throw noStore();
      const q = oneQuery(req.query);
      const site = req.params.site;
      if (site.length === 0 || site.length > BOUNDS.siteChars) throw new Refusal(400, 'bad-site', `site is 1 to ${BOUNDS.siteChars} characters`);
      const sinceMs = siteSince(q.since);
      const timeZone = q.tz === undefined || q.tz === '' ? DEFAULTS.siteReport.timeZone : checked('bad-tz', () => parseTimeZone(q.tz ?? '', 'tz'));
      try {
        const report = await siteReportFromStore(store, { site, sinceMs, choice: poolChoice(q), timeZone });
        reply.header('cache-control', 'no-store');
        return report;
      } catch (err) {
        if (err instanceof SiteReportTooLarge) throw new Refusal(413, err.reason, err.message);
        if (err instanceof SiteReportError) throw new Refusal(400, err.reason, err.message);
        throw err;
      }
    },
  );

  app.get<{ Querystring: Record<string, unknown> }>(SITES_OVERVIEW_PATH, { errorHandler: resultsErrorHandler }, async (req, reply) => {
    const who = operatorOrConsole(req, opts, 'tier1');
    if (who !== 'ok') throw who;
    if (store === null) throw noStore();
    const q = oneQuery(req.query);
    for (const name of Object.keys(q)) if (name !== 'since') throw new Refusal(400, 'bad-query', `unknown parameter ${name}: the overview takes since`);
    const sinceMs = siteSince(q.since);
    const overview = await sitesOverviewFromStore(store, sinceMs);
    reply.header('cache-control', 'no-store');
    return overview;
  });

  app.get<{ Querystring: { since?: string; site?: string; format?: string } }>(RESULTS_PATH, { errorHandler: resultsErrorHandler }, async (req, reply) => {
    const who = operatorOrConsole(req, opts, 'tier2');
    if (who !== 'ok') throw who;
    if (store === null) throw noStore();
    for (const [name, v] of Object.entries(req.query)) {
      if (typeof v !== 'string') throw new Refusal(400, 'bad-query', `give ${name} once`);
    }
    const format = req.query.format ?? 'json';
    if (format !== 'csv' && format !== 'ndjson' && format !== 'json') throw new Refusal(400, 'bad-format', 'format is csv, ndjson or json');
    const site = req.query.site === undefined || req.query.site === '' ? null : req.query.site;
    if (site !== null && site.length > BOUNDS.siteChars) throw new Refusal(400, 'bad-site', `site is at most ${BOUNDS.siteChars} characters`);
    const sinceMs = parseSince(req.query.since);
    const max = BOUNDS.exportMaxRows;
    const rows = await store.list({ sinceMs, site, limit: max + 1 });
    if (rows.length > max) {
      rows.length = max;
      // The next page starts where this one ended (rows are ordered by start time).
      reply.header('x-callprobe-truncated', new Date(rows[rows.length - 1]?.startedAtMs ?? 0).toISOString());
    }
    reply.header('cache-control', 'no-store');
    const out = rows.map((r) => orderedRow(storedRow(r)));
    if (format === 'csv') {
      const stamp = new Date().toISOString().slice(0, 10);
      reply.type('text/csv; charset=utf-8; header=present').header('content-disposition', `attachment; filename="callprobe-results-${stamp}.csv"`);
      return reply.send(csvHeader() + out.map(csvLine).join(''));
    }
    if (format === 'ndjson') return reply.type('application/x-ndjson; charset=utf-8').send(out.map((r) => `${JSON.stringify(r)}\n`).join(''));
    return out;
  });
}
