/**
 * Each site's quality on /metrics: the all-sites overview's figures (the store's site query,
 * graded by src/analysis/site/overview.ts, the same as `GET /api/sites` and `report --all`) over
 * the samples of the last 7 days, computed on a schedule by the fleet loop (./loop.ts), never per
 * scrape: a scrape reads the last ones.
 *
 * - `callprobe_site_p90{site, target, direction}`: each graded target's P90 of the site's own
 *   pool, in the target's unit (ms or %, as the report says it).
 * - `callprobe_site_verdict{site}`: 1 pass, 0 fail, -1 no verdict (too few samples, or none judged).
 * - `callprobe_site_samples{site, cause}`: `all` every sample, `pooled` those graded above,
 *   `other-pool` reports of another profile or probe path, `could-not-test`, `unreadable`, and the
 *   causes that cost the site its evidence (src/analysis/site/causes.ts): `blocked` (its network
 *   blocked every relay port offered), `blocked-every-port` (of those, every port Teams uses: a
 *   fail each), `device-busy`, `server-side`, `server-busy`. A sample counts in `all` and may count
 *   in several others: never sum over `cause`.
 * - On a hub whose edges ran the site's tests, per edge (the site's own pool and those graded
 *   apart): `callprobe_site_edge_p90{site, edge, target, direction}`,
 *   `callprobe_site_edge_verdict{site, edge}`, `callprobe_site_edge_samples{site, edge}`.
 * - `callprobe_site_series_timestamp_seconds`: when they were last computed.
 *
 * Labels are bounded (anyone may name a site): the `maxSites` sites with most samples
 * (--metrics-max-sites; ties: the smaller key) have series of their own; the others' samples are
 * summed as `site="_other"` (a P90 or a verdict does not sum: theirs are left out).
 */
import type { Registry } from 'prom-client';
import type { Verdict } from '../../src/analysis/schema/report-schema.js';
import { sitesOverview, type SitesOverview } from '../../src/analysis/site/overview.js';
import type { SitesRepository } from '../store/sites/types.js';
import { readGauge } from '../metrics/registry.js';

export interface SiteSeriesSettings {
  /** Computed this often (DEFAULTS.siteSeries.intervalMs). */
  intervalMs: number;
  /** Over the samples started this long before (DEFAULTS.siteSeries.spanMs). */
  spanMs: number;
  /** Sites with series of their own; the others summed as site="_other". */
  maxSites: number;
}

/** The site label of every site past the bound. */
const OTHER_SITES = '_other';

type Sample<L extends string> = readonly [Readonly<Record<L, string>>, number];

/** The series' samples as last computed. */
interface SiteSeriesSamples {
  p90: Array<Sample<'site' | 'target' | 'direction'>>;
  verdict: Array<Sample<'site'>>;
  samples: Array<Sample<'site' | 'cause'>>;
  edgeP90: Array<Sample<'site' | 'edge' | 'target' | 'direction'>>;
  edgeVerdict: Array<Sample<'site' | 'edge'>>;
  edgeSamples: Array<Sample<'site' | 'edge'>>;
}

type OverviewSite = SitesOverview['sites'][number];

const VERDICT_VALUE: Record<Verdict, number> = { pass: 1, fail: 0, insufficient: -1 };

/** `callprobe_site_samples`' causes, each read of a site. */
const CAUSES: ReadonlyArray<readonly [string, (s: OverviewSite) => number]> = [
  ['all', (s) => s.samplesTotal],
  ['pooled', (s) => s.samples],
  ['other-pool', (s) => s.otherPool],
  ['could-not-test', (s) => s.couldNotTest],
  ['unreadable', (s) => s.unreadable],
  ['blocked', (s) => s.causes.blocked],
  ['blocked-every-port', (s) => s.causes.blockedEveryPort],
  ['device-busy', (s) => s.causes.deviceBusy],
  ['server-side', (s) => s.causes.serverSide],
  ['server-busy', (s) => s.causes.serverBusy],
];

/** A site's pools on a hub's edges (its own first), or none off a hub. */
function edgePoolsOf(s: OverviewSite): Array<Pick<OverviewSite, 'samples' | 'metrics' | 'verdict'> & { edge: string }> {
  if (s.edge === null) return [];
  return [{ edge: s.edge.id, samples: s.samples, metrics: s.metrics, verdict: s.verdict }, ...s.otherEdges.map((e) => ({ ...e, edge: e.edge.id }))];
}

/** The series of an overview: its `maxSites` sites with most samples each under its name, the others' samples summed as `_other`. */
export function siteSeriesOf(overview: SitesOverview, maxSites: number): SiteSeriesSamples {
  const ranked = [...overview.sites].sort((a, b) => b.samplesTotal - a.samplesTotal || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const own = ranked.slice(0, maxSites);
  const rest = ranked.slice(maxSites);
  const out: SiteSeriesSamples = { p90: [], verdict: [], samples: [], edgeP90: [], edgeVerdict: [], edgeSamples: [] };
  for (const s of own) {
    const site = s.site;
    for (const m of s.metrics) if (m.p90 !== null) out.p90.push([{ site, target: m.target, direction: m.direction }, m.p90]);
    out.verdict.push([{ site }, VERDICT_VALUE[s.verdict]]);
    for (const [cause, n] of CAUSES) out.samples.push([{ site, cause }, n(s)]);
    for (const e of edgePoolsOf(s)) {
      for (const m of e.metrics) if (m.p90 !== null) out.edgeP90.push([{ site, edge: e.edge, target: m.target, direction: m.direction }, m.p90]);
      out.edgeVerdict.push([{ site, edge: e.edge }, VERDICT_VALUE[e.verdict]]);
      out.edgeSamples.push([{ site, edge: e.edge }, e.samples]);
    }
  }
  if (rest.length > 0) {
    for (const [cause, n] of CAUSES) out.samples.push([{ site: OTHER_SITES, cause }, rest.reduce((a, s) => a + n(s), 0)]);
    const byEdge = new Map<string, number>();
    for (const e of rest.flatMap(edgePoolsOf)) byEdge.set(e.edge, (byEdge.get(e.edge) ?? 0) + e.samples);
    for (const [edge, n] of [...byEdge].sort(([a], [b]) => (a < b ? -1 : 1))) out.edgeSamples.push([{ site: OTHER_SITES, edge }, n]);
  }
  return out;
}

const NONE: SiteSeriesSamples = { p90: [], verdict: [], samples: [], edgeP90: [], edgeVerdict: [], edgeSamples: [] };

/** The site series of one serve instance: computed by `refreshIfDue` (the fleet loop's tick), read by its registry's scrapes. */
export class SiteSeries {
  private current: SiteSeriesSamples = NONE;
  private computedAtMs: number | null = null;

  constructor(
    private readonly sites: Pick<SitesRepository, 'overview'>,
    private readonly settings: SiteSeriesSettings,
  ) {}

  /** Computes the series from the store when intervalMs passed since the last time (the first call: at once); `names` are the sites' names by key. */
  async refreshIfDue(nowMs: number, names: ReadonlyMap<string, string>): Promise<void> {
    if (this.computedAtMs !== null && nowMs - this.computedAtMs < this.settings.intervalMs) return;
    const sinceMs = nowMs - this.settings.spanMs;
    this.current = siteSeriesOf(sitesOverview(await this.sites.overview({ sinceMs }), sinceMs, { names }), this.settings.maxSites);
    this.computedAtMs = nowMs;
  }

  /** Registers the site series' families in `registry`, read as last computed. */
  registerMetrics(registry: Registry): void {
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], read: () => Iterable<Sample<L>>): void =>
      void readGauge(registry, { name, help, labelNames, read });
    const c = (): SiteSeriesSamples => this.current;
    const span = `the last ${this.settings.spanMs / 86_400_000} days`;
    gauge(
      'callprobe_site_p90',
      `Each site's 90th percentile of each graded target over ${span}, in the target's unit (ms, or % for loss and reorder).`,
      ['site', 'target', 'direction'],
      () => c().p90,
    );
    gauge('callprobe_site_verdict', `Each site's verdict over ${span}: 1 pass, 0 fail, -1 no verdict.`, ['site'], () => c().verdict);
    gauge(
      'callprobe_site_samples',
      `Each site's samples over ${span}: all, pooled (graded), other-pool, could-not-test, unreadable, and by what cost the evidence (overlapping: never sum over cause).`,
      ['site', 'cause'],
      () => c().samples,
    );
    gauge(
      'callprobe_site_edge_p90',
      `Each site's 90th percentile of each graded target on each edge of the hub over ${span}, in the target's unit.`,
      ['site', 'edge', 'target', 'direction'],
      () => c().edgeP90,
    );
    gauge(
      'callprobe_site_edge_verdict',
      `Each site's verdict on each edge over ${span}: 1 pass, 0 fail, -1 no verdict.`,
      ['site', 'edge'],
      () => c().edgeVerdict,
    );
    gauge('callprobe_site_edge_samples', `Each site's samples graded on each edge over ${span}.`, ['site', 'edge'], () => c().edgeSamples);
    readGauge(registry, {
      name: 'callprobe_site_series_timestamp_seconds',
      help: 'When the site series were last computed from the store (Unix time).',
      read: () => (this.computedAtMs === null ? [] : this.computedAtMs / 1000),
    });
  }
}
