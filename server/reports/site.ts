/**
 * The site report from the results store: one site's stored samples since a time,
 * as their summary columns (computed at save time through the checks of accept.ts), then the pure site report
 * (src/analysis/report/site-report.ts), the same code `callprobe aggregate` runs over files.
 */
import { buildSiteReport, type SiteReport } from '../../src/analysis/report/site-report.js';
import type { PoolChoice, SiteSample } from '../../src/analysis/site/site.js';
import { sitesOverview, type OverviewHealthFacts, type SitesOverview } from '../../src/analysis/site/overview.js';
import { serviceDowntime, upTimeMs, type Interval } from '../../src/analysis/site/service.js';
import { lastReportHeardAtMs, type HealthRules } from '../../src/analysis/site/health.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { siteSampleOfSummary } from '../store/sites/summary.js';
import type { AlertsRepository } from '../store/alerts/types.js';
import type { FleetRepository } from '../store/fleet/types.js';
import type { SiteSampleRow, SitesRepository } from '../store/sites/types.js';
import type { SiteTokensRepository } from '../store/site-tokens/types.js';
import { tokenOnlySites } from '../store/site-tokens/repository.js';
import { knownSite } from './site-names.js';
import { TypedError } from '../../src/protocol/typed-error.js';

/** Typed error: more samples than one site report reads. */
export class SiteReportTooLarge extends TypedError<'too-many-samples'> {
  override readonly name = 'SiteReportTooLarge';
  constructor(
    readonly site: string,
    readonly sinceMs: number,
    readonly max: number,
  ) {
    super('too-many-samples', `site "${site}" has more than ${max} samples since ${new Date(sinceMs).toISOString()}: ask for a shorter span (since)`);
  }
}

/**
 * A stored row as the site report reads it: from its summary columns alone (../store/summary.ts,
 * computed from the body at save time), never the body. A body that was not JSON or not a
 * report of a version callprobe reads is not dropped: it is an `unreadable` sample, counted apart.
 */
export function siteSampleOf(row: SiteSampleRow): SiteSample {
  return siteSampleOfSummary({ id: row.id, code: row.code, startedAtMs: row.startedAtMs }, row.summary);
}

export interface SiteReportQuery {
  site: string;
  sinceMs: number;
  choice: PoolChoice;
  timeZone: string;
}

/** What telling our outages from the sites' reads: now, and how long after its last beat a dead instance still counts as up. */
export interface ServiceClock {
  nowMs: number;
  heartbeatGraceMs: number;
}

/** What a site report reads: the site's samples, and the heartbeats (our downtime). */
export interface SiteReportRepositories {
  sites: SitesRepository;
  fleet: FleetRepository;
}

/** What the all-sites overview reads: those, the raised alerts, and the site tokens (a site with a token that never reported is listed). */
export interface OverviewRepositories extends SiteReportRepositories {
  alerts: AlertsRepository;
  siteTokens: SiteTokensRepository;
}

/** callprobe's downtime from `fromMs` to now, from the heartbeats every instance keeps in the store. */
async function storeDowntime(fleet: FleetRepository, fromMs: number, c: ServiceClock): Promise<Interval[]> {
  return serviceDowntime(await fleet.heartbeats(fromMs), c.heartbeatGraceMs, fromMs, c.nowMs);
}

/**
 * Reads the site's samples (at most `max`, BOUNDS.siteReportMaxSamples, else SiteReportTooLarge)
 * and builds its report. `q.site` is any spelling of a known site (else UnknownSite, with the
 * names it most likely meant; BadSiteName when it cannot be a name); the report names it as
 * last stored.
 */
export async function siteReportFromStore(
  store: SiteReportRepositories,
  q: SiteReportQuery,
  clock: ServiceClock,
  max: number = BOUNDS.siteReportMaxSamples,
): Promise<SiteReport> {
  const site = knownSite(q.site, await store.sites.list());
  const [rows, down] = await Promise.all([
    store.sites.samples({ site: site.key, sinceMs: q.sinceMs, limit: max + 1 }),
    storeDowntime(store.fleet, q.sinceMs, clock),
  ]);
  if (rows.length > max) throw new SiteReportTooLarge(site.display, q.sinceMs, max);
  return buildSiteReport(rows.map(siteSampleOf), { site: site.display, sinceMs: q.sinceMs, choice: q.choice, settings: { timeZone: q.timeZone }, down });
}

/**
 * The all-sites overview since a time: the store's groups (summary columns only), graded
 * (src/analysis/site/overview.ts), each known site under its display name with its health: last
 * heard of, silent for how much of our up time, its outages told from ours, its raised alerts.
 */
export async function sitesOverviewFromStore(
  store: OverviewRepositories,
  sinceMs: number,
  clock: ServiceClock & { lookbackMs: number },
  rules: HealthRules,
): Promise<SitesOverview> {
  const from = Math.min(sinceMs, clock.nowMs - clock.lookbackMs);
  const [groups, known, raised, down, tokens] = await Promise.all([
    store.sites.overview({ sinceMs }),
    store.sites.list(),
    store.alerts.raised(),
    storeDowntime(store.fleet, from, clock),
    store.siteTokens.list(null),
  ]);
  const never = tokenOnlySites(tokens, new Set(known.map((s) => s.key)));
  const inSpan = down.filter((d) => d.endMs > sinceMs).map((d) => ({ startMs: Math.max(d.startMs, sinceMs), endMs: d.endMs }));
  const ours = await store.sites.couldNotTestDuring(inSpan);
  const raisedOf = (key: string) => raised.filter((r) => r.siteKey === key).map((r) => ({ metric: r.metric, sinceMs: r.sinceMs }));
  const facts = new Map<string, OverviewHealthFacts>([
    ...known.map(
      (s) =>
        [
          s.key,
          {
            lastSampleAtMs: s.lastStartedAtMs,
            lastReportAtMs: s.lastReportAtMs,
            silentUpMs: upTimeMs(down, Math.max(lastReportHeardAtMs(s.lastReportAtMs, s.lastReportStoredAtMs) ?? s.firstStartedAtMs, from), clock.nowMs),
            ourOutages: ours.get(s.key) ?? 0,
            raised: raisedOf(s.key),
          },
        ] as const,
    ),
    // A site with a live token and no sample: a probe never installed is listed, never reported;
    // one whose tokens all await its first sample, not yet installed (no silence counted).
    ...never.map((t) => {
      const common = { lastSampleAtMs: null, lastReportAtMs: null, ourOutages: 0, raised: raisedOf(t.key) };
      const health: OverviewHealthFacts =
        t.firstTokenAtMs === null
          ? { ...common, silentUpMs: 0, notInstalledSinceMs: t.firstMadeAtMs }
          : { ...common, silentUpMs: upTimeMs(down, Math.max(t.firstTokenAtMs, from), clock.nowMs), neverReportedSinceMs: t.firstTokenAtMs };
      return [t.key, health] as const;
    }),
  ]);
  const names = new Map([...known.map((s) => [s.key, s.display] as const), ...never.map((t) => [t.key, t.display] as const)]);
  return sitesOverview(groups, sinceMs, { names, health: { facts, rules } });
}
