/**
 * The sites plugin: one site's report over its stored samples (GET /api/sites/:site/report) and
 * the all-sites overview (GET /api/sites), for the operator token or a help desk login. It owns
 * no state: the store is serve's.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { SITES_OVERVIEW_PATH, SITES_PATH } from '../../src/protocol/api.js';
import { SiteParams, SiteReportQuery, SitesOverviewQuery, type SiteReportRequest, type SitesOverviewRequest } from '../../src/protocol/api-requests.js';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { parseTimeZone } from '../../src/protocol/values.js';
import { SiteReportError, type PoolChoice } from '../../src/analysis/site/site.js';
import { siteReportFromStore, SiteReportTooLarge, sitesOverviewFromStore, type OverviewRepositories, type ServiceClock } from '../reports/site.js';
import type { HealthRules } from '../../src/analysis/site/health.js';
import type { AlertsConfig } from '../alerts/config.js';
import type { ServiceSettings } from '../alerts/index.js';
import { operatorOrConsole, type RoleOf } from './access.js';
import { given, siteSince } from './query.js';
import { checked, Refusal, refusalHandler } from './refusal.js';
import { noStore } from './results.js';

export interface SitesOptions {
  /** The sites, the heartbeats and the raised alerts, or null when serve runs with --no-store. */
  store: OverviewRepositories | null;
  adminToken: string | null;
  /** The help desk console's role of this request's session, or absent: no console. */
  consoleRole?: RoleOf;
  /** The site alert rules (serve --alerts), or null: the overview flags sites by their silence and outage rules, else by its defaults. */
  alerts: AlertsConfig | null;
  /** How our own outages are told from the sites': the fleet's heartbeat grace and how far back it reads (ServeOptions.fleet). */
  service: ServiceSettings;
}

/** Now, as telling our outages from the sites' reads it (server/reports/site.ts). */
function serviceClock(service: ServiceSettings): ServiceClock & { lookbackMs: number } {
  return { nowMs: Date.now(), heartbeatGraceMs: service.heartbeatGraceMs, lookbackMs: service.lookbackMs };
}

/** When the overview flags a site: the alert rules' silentFor and share when configured, else the overview's defaults. */
function healthRules(alerts: AlertsConfig | null): HealthRules {
  return {
    silentForMs: alerts?.silence?.silentForMs ?? CONSTANTS.alerts.overviewSilentForMs,
    outagesAbovePct: alerts?.couldNotTest?.abovePct ?? CONSTANTS.alerts.overviewOutagesAbovePct,
  };
}

/** The pool of a site report (null: what most samples used); the shapes are checked by the schema, how they go together here. */
function poolChoice(q: SiteReportRequest): PoolChoice {
  const id = given(q.profile);
  const region = given(q.azureRegion);
  const from = given(q.from);
  if (id !== 'azure-region' && (region !== null || from !== null)) throw new Refusal('bad-profile', 'azureRegion and from go with profile=azure-region', 400);
  return {
    profile: id === null ? null : { id, ...(region === null ? {} : { azureRegion: region }), ...(from === null ? {} : { from }) },
    probePath: given(q.path),
  };
}

export const sitesPlugin: FastifyPluginAsync<SitesOptions> = async (app, opts) => {
  app.setErrorHandler(refusalHandler);
  const store = opts.store;
  /** Checked before the request's schema: a tier 1 login or the operator, and a store. */
  const allowed = async (req: FastifyRequest): Promise<void> => {
    const who = operatorOrConsole(req, opts.adminToken, opts.consoleRole, 'tier1');
    if (who !== 'ok') throw who;
    if (store === null) throw noStore();
  };

  app.get<{ Params: Static<typeof SiteParams>; Querystring: SiteReportRequest }>(
    `${SITES_PATH}/:site/report`,
    { schema: { params: SiteParams, querystring: SiteReportQuery }, preValidation: allowed },
    async (req, reply) => {
      if (store === null) throw noStore();
      const q = req.query;
      const sinceMs = siteSince(q.since, Date.now());
      const tz = given(q.tz);
      const timeZone = tz === null ? CONSTANTS.siteReport.timeZone : checked('bad-tz', () => parseTimeZone(tz, 'tz'));
      try {
        const report = await siteReportFromStore(store, { site: req.params.site, sinceMs, choice: poolChoice(q), timeZone }, serviceClock(opts.service));
        reply.header('cache-control', 'no-store');
        return report;
      } catch (err) {
        if (err instanceof SiteReportTooLarge) throw new Refusal(err.reason, err.message, 413);
        if (err instanceof SiteReportError) throw new Refusal(err.reason, err.message, 400);
        throw err;
      }
    },
  );

  app.get<{ Querystring: SitesOverviewRequest }>(
    SITES_OVERVIEW_PATH,
    { schema: { querystring: SitesOverviewQuery }, preValidation: allowed },
    async (req, reply) => {
      if (store === null) throw noStore();
      const overview = await sitesOverviewFromStore(store, siteSince(req.query.since, Date.now()), serviceClock(opts.service), healthRules(opts.alerts));
      reply.header('cache-control', 'no-store');
      return overview;
    },
  );
};
