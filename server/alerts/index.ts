/**
 * Site alerts behind `serve --alerts FILE`. Each stored result with a site is followed by one
 * evaluation of the site's rules that read samples (P90 rules on a report; the could-not-test
 * and could-not-judge rules on any sample); the sweep (`sweep`, each minute, by the one
 * instance holding the alerts lease) evaluates the silence rule of every site, and again the
 * could-not-test and could-not-judge rules of every site where one is raised, so they clear when
 * their window holds no more such samples although the site stores nothing. Each change of
 * state becomes a webhook post kept in the store in the same transaction (delivered by
 * ./delivery.ts, at least once).
 *
 * State lives in the results store (table alert_states), not in the process: the window of a P90
 * rule is the site's last N stored samples that graded its metric (by started_at, read from the
 * summary columns), and every evaluation runs in one transaction per site that holds the site's
 * state rows and reads its facts after that (AlertsRepository.evaluate). Any number of
 * `callprobe serve` instances sharing one store therefore count one sequence of evaluations per
 * (site, rule), and exactly one of them decides each change. A restart keeps every raised alert
 * raised.
 *
 * Silence has one state from one clock, in one place: the sweep raises and clears it from when
 * the site was last heard of (its newest report: the earlier of its start and the server's
 * receipt), read under the lease and the state row, and a report older than the silence's start
 * never clears it (src/analysis/alert/site-rules.ts). A report stored while the sweep runs is
 * seen by this sweep or the next, never half by each: one `raised`, then one `ok` per return.
 *
 * Late samples (a spooled backlog, a second probe of the site): the window is by started_at, not
 * by arrival. A stored sample that is not in its rule's window (older than the window's N newest)
 * changes nothing and counts nothing. One inside it re-evaluates the window, and counts as one
 * evaluation; a change it causes is dated at the window's newest sample, never before the current
 * state's `since`. Silence and could-not-test count only callprobe's up time (heartbeats).
 */
import { alertEvent, evaluateWindow, INITIAL_TRACK, sampleValues, type AlertRule, type AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import { couldNotJudgeStep, couldNotTestStep, silenceStep, type SilenceFacts } from '../../src/analysis/alert/site-rules.js';
import { lastReportHeardAtMs } from '../../src/analysis/site/health.js';
import { INTERRUPTED_REASON } from '../../src/analysis/site/outages.js';
import { sideOf } from '../../src/protocol/could-not-finish.js';
import { inDowntime, serviceDowntime, upTimeMs, type Interval } from '../../src/analysis/site/service.js';
import type { GradeEntry, TargetId } from '../../src/analysis/schema/report-schema.js';
import { windowKey, type AlertFacts, type AlertMetric, type AlertsRepository, type NewAlertPost } from '../store/alerts/types.js';
import { siteKeyOf } from '../store/site-key.js';
import type { FleetRepository } from '../store/fleet/types.js';
import type { KnownSite, SiteOutcome, SitesRepository } from '../store/sites/types.js';
import type { SiteTokensRepository } from '../store/site-tokens/types.js';
import { tokenOnlySites } from '../store/site-tokens/repository.js';
import type { AlertKind, AlertsConfig, AlertWebhook } from './config.js';
import { couldNotJudgeEvent, couldNotTestEvent, silenceEvent, type SiteAlertEvent } from './events.js';

export interface AlertLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The stored sample an evaluation follows. */
export interface StoredSample {
  /** The store's id of the new result. */
  id: string;
  /** The site's name as stored (its display name; the store matches its key). */
  site: string;
  kind: 'report' | 'could-not-test';
  /** A report's grades (none for a could-not-test record). */
  grades: ReadonlyArray<Pick<GradeEntry, 'target' | 'value' | 'threshold' | 'status'>>;
  /** The edges a report's locate measured with a round trip (none: no locate): what a rule that names an edge reads. */
  located?: ReadonlyArray<{ id: string; azureRegion: string; rttMsP50: number }>;
}

/**
 * A stored sample's value of each P90 rule, keyed as its window (windowKey): a rule on the tests'
 * values reads the worst direction's graded value; a rule that names an edge reads that edge's
 * locate p50, against the sample's own round-trip limit (its latency-rtt grade's threshold).
 */
function ruleValues(
  sample: StoredSample,
  rules: readonly AlertRule[],
): Map<AlertMetric, { value: number; threshold: number; edge?: { id: string; azureRegion: string } }> {
  const graded = sampleValues(sample.grades);
  const rttLimit = sample.grades.find((g) => g.target === 'latency-rtt')?.threshold;
  const out = new Map<AlertMetric, { value: number; threshold: number; edge?: { id: string; azureRegion: string } }>();
  for (const r of rules) {
    if (r.edge === undefined) {
      const v = graded.get(r.target);
      if (v !== undefined) out.set(r.target, v);
      continue;
    }
    const e = sample.located?.find((x) => x.id === r.edge);
    if (e !== undefined && rttLimit !== undefined)
      out.set(windowKey({ metric: r.target, edge: r.edge }), { value: e.rttMsP50, threshold: rttLimit, edge: { id: e.id, azureRegion: e.azureRegion } });
  }
  return out;
}

/** How the rules read the heartbeats: the grace after a dead instance's last beat, how far back to look. */
export interface ServiceSettings {
  heartbeatGraceMs: number;
  lookbackMs: number;
}

/** What the rules read: the sites and their samples, the alert states, the heartbeats, the site tokens (a site that never reported). */
export interface AlertStore {
  sites: SitesRepository;
  alerts: AlertsRepository;
  fleet: FleetRepository;
  siteTokens: SiteTokensRepository;
}

const couldNotJudgeMetric = (t: TargetId): AlertMetric => `could-not-judge:${t}`;

/** The kind of alert an event is, as a webhook's `kinds` filter names it. */
function alertKindOf(e: SiteAlertEvent): AlertKind | null {
  if (e.metric === 'test') return null;
  if (e.metric === 'silence' || e.metric === 'could-not-test' || e.metric === 'could-not-judge') return e.metric;
  return e.edge === undefined ? 'p90' : 'region';
}

/** Whether a webhook's filter takes an event: its site among `sites` (by key), its kind among `kinds` (absent: any). */
function webhookTakes(w: AlertWebhook, e: SiteAlertEvent): boolean {
  const kind = alertKindOf(e);
  return (w.siteKeys === null || w.siteKeys.includes(siteKeyOf(e.site))) && (w.kinds === null || (kind !== null && w.kinds.includes(kind)));
}

export class SiteAlerts {
  /** Evaluations that failed in the store (logged; the result itself is stored already): for /metrics and tests. */
  readonly counts = { evaluationsFailed: 0 };

  constructor(
    readonly config: AlertsConfig,
    private readonly store: AlertStore,
    private readonly log: AlertLog,
    /** Our own outages (ServeOptions.fleet): how long a silent instance is still counted up, how far back the rules read heartbeats. */
    private readonly service: ServiceSettings,
    /** Told when changes were kept for delivery (serve: a delivery pass soon, not at the next beat). */
    private readonly kept: () => void = () => undefined,
  ) {}

  /** callprobe's downtime from `fromMs` to `nowMs`, from every instance's heartbeats. */
  async downtime(fromMs: number, nowMs: number): Promise<Interval[]> {
    return serviceDowntime(await this.store.fleet.heartbeats(fromMs), this.service.heartbeatGraceMs, fromMs, nowMs);
  }

  /**
   * Evaluates the site's sample rules after one newly stored sample. Resolves with the events
   * this instance decided (kept in the store for delivery) once the state is committed; a store
   * failure is logged and counted and resolves with none.
   */
  async afterStored(sample: StoredSample, nowMs: number = Date.now()): Promise<SiteAlertEvent[]> {
    try {
      return await this.evaluateStored(sample, nowMs);
    } catch (err) {
      this.counts.evaluationsFailed++;
      this.log.warn({ site: sample.site, id: sample.id }, `alert evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  }

  /** The share rules' metrics (could-not-test, could-not-judge of each watched target) and how far back their windows read. */
  private shareMetrics(nowMs: number): { metrics: AlertMetric[]; sinceMs: number | null } {
    const { couldNotTest: cnt, couldNotJudge: cnj } = this.config;
    const metrics: AlertMetric[] = [
      ...(cnt !== null ? ['could-not-test' as const] : []),
      ...(cnj !== null ? this.config.rules.map((r) => couldNotJudgeMetric(r.target)) : []),
    ];
    const over = Math.max(cnt?.overMs ?? 0, cnj?.overMs ?? 0);
    return { metrics, sinceMs: metrics.length === 0 ? null : nowMs - over };
  }

  /**
   * The could-not-test and could-not-judge rules of one site at `nowMs`, over the samples read in
   * the transaction (`outcomes`), our downtime `down` left out of could-not-test.
   */
  private shareSteps(
    site: string,
    tracks: ReadonlyMap<AlertMetric, AlertTrack>,
    outcomes: readonly SiteOutcome[],
    down: readonly Interval[],
    nowMs: number,
  ): { next: Map<AlertMetric, AlertTrack>; events: SiteAlertEvent[] } {
    const next = new Map<AlertMetric, AlertTrack>();
    const events: SiteAlertEvent[] = [];
    const { couldNotTest: cnt, couldNotJudge: cnj } = this.config;
    if (cnt !== null) {
      // Its window's samples, ours (in our downtime) and interrupted ones left out.
      const counted = outcomes.filter(
        (o) =>
          o.startedAtMs >= nowMs - cnt.overMs &&
          o.couldNotTest !== INTERRUPTED_REASON &&
          // Ours, never the site's: a sample while our service was down, or on the server's side (src/protocol/could-not-finish.ts).
          !(o.couldNotTest !== null && (inDowntime(down, o.startedAtMs) || sideOf(o.couldNotTest, o.side) === 'server')),
      );
      const failed = counted.filter((o) => o.couldNotTest !== null).length;
      const step = couldNotTestStep(tracks.get('could-not-test') ?? INITIAL_TRACK, cnt, counted.length, failed, nowMs);
      next.set('could-not-test', step.track);
      if (step.change !== null) events.push(couldNotTestEvent(site, step.change, cnt));
    }
    if (cnj !== null) {
      const reports = outcomes.filter((o) => o.notJudged !== null && o.startedAtMs >= nowMs - cnj.overMs);
      for (const rule of this.config.rules) {
        const metric = couldNotJudgeMetric(rule.target);
        const notJudged = reports.filter((o) => o.notJudged?.includes(rule.target) === true).length;
        const step = couldNotJudgeStep(tracks.get(metric) ?? INITIAL_TRACK, cnj, reports.length, notJudged, nowMs);
        next.set(metric, step.track);
        if (step.change !== null) events.push(couldNotJudgeEvent(site, rule.target, step.change, cnj));
      }
    }
    return { next, events };
  }

  private async evaluateStored(sample: StoredSample, nowMs: number): Promise<SiteAlertEvent[]> {
    const values = ruleValues(sample, this.config.rules);
    const keyOf = (r: AlertRule): AlertMetric => windowKey({ metric: r.target, edge: r.edge });
    const rules = this.config.rules.filter((r) => values.has(keyOf(r)));
    const shares = this.shareMetrics(nowMs);
    const metrics: AlertMetric[] = [...rules.map(keyOf), ...shares.metrics];
    if (metrics.length === 0) return [];
    const down = shares.sinceMs === null ? [] : await this.downtime(shares.sinceMs, nowMs);
    let events: SiteAlertEvent[] = [];
    await this.store.alerts.evaluate(
      sample.site,
      rules.map((r) => ({ metric: r.target, samples: r.samples, ...(r.edge === undefined ? {} : { edge: r.edge }) })),
      metrics,
      (windows, tracks, facts) => {
        // Decided afresh on every call: only the committed attempt's events are kept.
        events = [];
        const next = new Map<AlertMetric, AlertTrack>();
        for (const rule of rules) {
          const key = keyOf(rule);
          const v = values.get(key);
          const w = windows.get(key) ?? [];
          const newest = w.at(-1);
          // Not in the window (a late sample older than the N newest): nothing to evaluate.
          if (v === undefined || newest === undefined || !w.some((x) => x.id === sample.id)) continue;
          const step = evaluateWindow(
            tracks.get(key) ?? INITIAL_TRACK,
            rule,
            w.map((x) => x.value),
            v.threshold,
            newest.startedAtMs,
          );
          next.set(key, step.track);
          if (step.change !== null) events.push(alertEvent(sample.site, rule.target, v.threshold, step.change, v.edge));
        }
        if (facts.outcomes !== null) {
          const s = this.shareSteps(sample.site, tracks, facts.outcomes, down, nowMs);
          for (const [m, t] of s.next) next.set(m, t);
          events.push(...s.events);
        }
        return { tracks: next, posts: this.postsOf(events) };
      },
      shares.sinceMs === null ? {} : { outcomesSinceMs: shares.sinceMs },
    );
    this.said(events);
    return events;
  }

  /** The posts of the events: each to every webhook of the file whose filter (sites, kinds) takes it. */
  private postsOf(events: readonly SiteAlertEvent[]): NewAlertPost[] {
    return events.flatMap((e) => {
      const body = JSON.stringify(e);
      return this.config.webhooks.filter((w) => webhookTakes(w, e)).map((w) => ({ body, receiver: w.id }));
    });
  }

  private said(events: readonly SiteAlertEvent[]): void {
    for (const e of events)
      this.log.info(
        { alert: e },
        `alert ${e.state}: ${e.site} ${e.metric === 'could-not-judge' ? `${e.metric} ${e.target}` : 'edge' in e && e.edge !== undefined ? `${e.metric} to ${e.edge.azureRegion} (${e.edge.id})` : e.metric}`,
      );
    if (events.length > 0) this.kept();
  }

  /** The silence rule's facts of a site at `nowMs` (its row as read, or its first site token when it has none); null when nothing is known of it. */
  private silenceFacts(row: KnownSite | null, firstTokenAtMs: number | null, down: readonly Interval[], nowMs: number): SilenceFacts | null {
    const heardAtMs = row === null ? null : lastReportHeardAtMs(row.lastReportAtMs, row.lastReportStoredAtMs);
    const quietFrom = heardAtMs ?? row?.firstStartedAtMs ?? firstTokenAtMs;
    if (quietFrom === null) return null;
    return {
      silentUpMs: upTimeMs(down, Math.max(quietFrom, nowMs - this.service.lookbackMs), nowMs),
      heardAtMs,
      lastReportAtMs: row?.lastReportAtMs ?? null,
    };
  }

  /**
   * The sweep at `nowMs`, by the instance holding the alerts lease: the silence rule over every
   * known site and every site with a live token that never stored a sample (raised once silent
   * for silentFor of our up time, cleared once heard of again since), and the could-not-test and
   * could-not-judge rules of every site where one is raised. A site is evaluated in a transaction
   * (which decides again over the held state and facts read then) only when something may
   * change. Resolves with the events.
   */
  async sweep(nowMs: number): Promise<SiteAlertEvent[]> {
    const rule = this.config.silence;
    const shares = this.shareMetrics(nowMs);
    if (rule === null && shares.metrics.length === 0) return [];
    const from = Math.min(nowMs - this.service.lookbackMs, shares.sinceMs ?? nowMs);
    const [sites, raised, down, tokens] = await Promise.all([
      this.store.sites.list(),
      this.store.alerts.raised(),
      this.downtime(from, nowMs),
      rule === null ? Promise.resolve([]) : this.store.siteTokens.list(null),
    ]);
    const raisedOf = new Map<string, Map<string, number | null>>();
    for (const r of raised) raisedOf.set(r.siteKey, (raisedOf.get(r.siteKey) ?? new Map<string, number | null>()).set(r.metric, r.sinceMs));
    const candidates: Array<{ key: string; display: string; row: KnownSite | null; firstTokenAtMs: number | null }> = [
      ...sites.map((s) => ({ key: s.key, display: s.display, row: s, firstTokenAtMs: null })),
      // A site whose tokens all await its first sample is not yet installed: no silence before that sample.
      ...tokenOnlySites(tokens, new Set(sites.map((s) => s.key))).flatMap((t) =>
        t.firstTokenAtMs === null ? [] : [{ key: t.key, display: t.display, row: null, firstTokenAtMs: t.firstTokenAtMs }],
      ),
    ];
    const out: SiteAlertEvent[] = [];
    for (const site of candidates) {
      const held = raisedOf.get(site.key) ?? new Map<string, number | null>();
      const metrics: AlertMetric[] = shares.metrics.filter((m) => held.has(m));
      let silence = false;
      if (rule !== null) {
        const facts = this.silenceFacts(site.row, site.firstTokenAtMs, down, nowMs);
        const track: AlertTrack = held.has('silence') ? { ...INITIAL_TRACK, state: 'raised', sinceMs: held.get('silence') ?? null } : INITIAL_TRACK;
        silence = facts !== null && silenceStep(track, rule, facts, nowMs).change !== null;
        if (silence) metrics.push('silence');
      }
      if (metrics.length === 0) continue;
      try {
        out.push(...(await this.sweepSite(site, metrics, silence, down, nowMs, shares.sinceMs)));
      } catch (err) {
        this.counts.evaluationsFailed++;
        this.log.warn({ site: site.display }, `alert sweep of a site failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return out;
  }

  /** One site's evaluation by the sweep, over the facts read in its transaction. */
  private async sweepSite(
    site: { display: string; firstTokenAtMs: number | null },
    metrics: readonly AlertMetric[],
    silence: boolean,
    down: readonly Interval[],
    nowMs: number,
    outcomesSinceMs: number | null,
  ): Promise<SiteAlertEvent[]> {
    const rule = this.config.silence;
    const shares = metrics.some((m) => m !== 'silence');
    let events: SiteAlertEvent[] = [];
    await this.store.alerts.evaluate(
      site.display,
      [],
      metrics,
      (_windows, tracks, facts: AlertFacts) => {
        events = [];
        const next = new Map<AlertMetric, AlertTrack>();
        const f = silence && rule !== null ? this.silenceFacts(facts.site, site.firstTokenAtMs, down, nowMs) : null;
        if (f !== null && rule !== null) {
          const step = silenceStep(tracks.get('silence') ?? INITIAL_TRACK, rule, f, nowMs);
          next.set('silence', step.track);
          if (step.change !== null) events.push(silenceEvent(site.display, step.change, rule.silentForMs));
        }
        if (facts.outcomes !== null) {
          const s = this.shareSteps(site.display, tracks, facts.outcomes, down, nowMs);
          // Only the raised ones this sweep holds: the others are the stored samples' to decide.
          for (const [m, t] of s.next) if (metrics.includes(m)) next.set(m, t);
          events.push(...s.events.filter((e) => metrics.includes(e.metric === 'could-not-judge' ? couldNotJudgeMetric(e.target) : (e.metric as AlertMetric))));
        }
        return { tracks: next, posts: this.postsOf(events) };
      },
      { site: silence, ...(shares && outcomesSinceMs !== null ? { outcomesSinceMs } : {}) },
    );
    this.said(events);
    return events;
  }
}
