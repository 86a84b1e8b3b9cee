/**
 * Site alerts behind `serve --alerts FILE`: every stored result with a site is followed by one
 * evaluation of the site's rules (P90 rules on a report; the could-not-test rule on any sample; a
 * report clears a silence), and the silence rule is swept over every known site (`sweep`, by the
 * one instance holding the alerts lease: a silent site stores nothing to react to). Each change
 * of state becomes a webhook post kept in the store in the same transaction (delivered by
 * ./delivery.ts, at least once).
 *
 * State lives in the results store (table alert_states), not in the process: the window of a P90
 * rule is the site's last N stored samples that graded its metric (by started_at, read from the
 * summary columns), and the evaluation runs in one transaction per site that holds the site's
 * state rows (AlertsRepository.evaluate). Any number of `callprobe serve` instances sharing one
 * store therefore count one sequence of evaluations per (site, rule), and exactly one of them
 * decides each change. A restart keeps every raised alert raised.
 *
 * Late samples (a spooled backlog, a second probe of the site): the window is by started_at, not
 * by arrival. A stored sample that is not in its rule's window (older than the window's N newest)
 * changes nothing and counts nothing. One inside it re-evaluates the window, and counts as one
 * evaluation; a change it causes is dated at the window's newest sample, never before the current
 * state's `since`. Silence and could-not-test count only callprobe's up time (heartbeats).
 */
import { alertEvent, evaluateWindow, INITIAL_TRACK, sampleValues, type AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import { couldNotTestStep, silenceStep } from '../../src/analysis/alert/site-rules.js';
import { lastReportHeardAtMs } from '../../src/analysis/site/health.js';
import { INTERRUPTED_REASON } from '../../src/analysis/site/outages.js';
import { inDowntime, serviceDowntime, upTimeMs, type Interval } from '../../src/analysis/site/service.js';
import type { GradeEntry } from '../../src/analysis/schema/report-schema.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import type { AlertMetric, AlertsRepository } from '../store/alerts/types.js';
import type { FleetRepository } from '../store/fleet/types.js';
import type { SitesRepository } from '../store/sites/types.js';
import type { AlertsConfig } from './config.js';
import { couldNotTestEvent, silenceEvent, type SiteAlertEvent } from './events.js';

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
}

/** How the rules read the heartbeats: the grace after a dead instance's last beat, how far back to look. */
export interface ServiceSettings {
  heartbeatGraceMs: number;
  lookbackMs: number;
}

export class SiteAlerts {
  /** Evaluations that failed in the store (logged; the result itself is stored already): for /metrics and tests. */
  readonly counts = { evaluationsFailed: 0 };

  constructor(
    readonly config: AlertsConfig,
    private readonly store: { sites: SitesRepository; alerts: AlertsRepository; fleet: FleetRepository },
    private readonly log: AlertLog,
    private readonly service: ServiceSettings = { heartbeatGraceMs: DEFAULTS.fleet.heartbeatGraceMs, lookbackMs: DEFAULTS.fleet.lookbackMs },
    /** Told when changes were kept for delivery (serve: a delivery pass soon, not at the next beat). */
    private readonly kept: () => void = () => undefined,
  ) {}

  /** callprobe's downtime from `fromMs` to `nowMs`, from every instance's heartbeats. */
  async downtime(fromMs: number, nowMs: number): Promise<Interval[]> {
    return serviceDowntime(await this.store.fleet.heartbeats(fromMs), this.service.heartbeatGraceMs, fromMs, nowMs);
  }

  /**
   * Evaluates the site's rules after one newly stored sample. Resolves with the events this
   * instance decided (kept in the store for delivery) once the state is committed; a store
   * failure is logged and counted and resolves with none.
   */
  async afterStored(sample: StoredSample, nowMs: number = Date.now()): Promise<SiteAlertEvent[]> {
    try {
      return await this.evaluate(sample, nowMs);
    } catch (err) {
      this.counts.evaluationsFailed++;
      this.log.warn({ site: sample.site, id: sample.id }, `alert evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  }

  private async evaluate(sample: StoredSample, nowMs: number): Promise<SiteAlertEvent[]> {
    const values = sampleValues(sample.grades);
    const rules = this.config.rules.filter((r) => values.has(r.target));
    const cnt = this.config.couldNotTest;
    // Its window's samples, ours (in our downtime) and interrupted ones left out.
    let window: { samples: number; couldNotTest: number } | null = null;
    if (cnt !== null) {
      const from = nowMs - cnt.overMs;
      const [outcomes, down] = await Promise.all([this.store.sites.outcomes(sample.site, from), this.downtime(from, nowMs)]);
      const counted = outcomes.filter((o) => o.couldNotTest !== INTERRUPTED_REASON && !(o.couldNotTest !== null && inDowntime(down, o.startedAtMs)));
      window = { samples: counted.length, couldNotTest: counted.filter((o) => o.couldNotTest !== null).length };
    }
    const clearsSilence = this.config.silence !== null && sample.kind === 'report';
    const metrics: AlertMetric[] = [
      ...rules.map((r) => r.target),
      ...(window !== null ? ['could-not-test' as const] : []),
      ...(clearsSilence ? ['silence' as const] : []),
    ];
    if (metrics.length === 0) return [];
    let events: SiteAlertEvent[] = [];
    await this.store.alerts.evaluate(
      sample.site,
      rules.map((r) => ({ metric: r.target, samples: r.samples })),
      metrics,
      (windows, tracks) => {
        // Decided afresh on every call: only the committed attempt's events are kept.
        events = [];
        const next = new Map<AlertMetric, AlertTrack>();
        for (const rule of rules) {
          const v = values.get(rule.target);
          const w = windows.get(rule.target) ?? [];
          const newest = w.at(-1);
          // Not in the window (a late sample older than the N newest): nothing to evaluate.
          if (v === undefined || newest === undefined || !w.some((x) => x.id === sample.id)) continue;
          const step = evaluateWindow(
            tracks.get(rule.target) ?? INITIAL_TRACK,
            rule,
            w.map((x) => x.value),
            v.threshold,
            newest.startedAtMs,
          );
          next.set(rule.target, step.track);
          if (step.change !== null) events.push(alertEvent(sample.site, rule.target, v.threshold, step.change));
        }
        if (cnt !== null && window !== null) {
          const step = couldNotTestStep(tracks.get('could-not-test') ?? INITIAL_TRACK, cnt, window.samples, window.couldNotTest, nowMs);
          next.set('could-not-test', step.track);
          if (step.change !== null) events.push(couldNotTestEvent(sample.site, step.change, cnt));
        }
        const silence = this.config.silence;
        if (clearsSilence && silence !== null) {
          const step = silenceStep(tracks.get('silence') ?? INITIAL_TRACK, silence, 0, nowMs, nowMs);
          next.set('silence', step.track);
          if (step.change !== null) events.push(silenceEvent(sample.site, step.change, silence.silentForMs));
        }
        return { tracks: next, posts: events.map((e) => ({ body: JSON.stringify(e) })) };
      },
    );
    for (const e of events) this.log.info({ alert: e }, `alert ${e.state}: ${e.site} ${e.metric}`);
    if (events.length > 0) this.kept();
    return events;
  }

  /**
   * The silence rule over every known site at `nowMs`: a site with no sample that tested for
   * silentFor of our up time is raised (once). Only a site whose state would change is evaluated
   * in a transaction (which decides it again over the locked state). Resolves with the events.
   */
  async sweep(nowMs: number): Promise<SiteAlertEvent[]> {
    const rule = this.config.silence;
    if (rule === null) return [];
    const from = nowMs - this.service.lookbackMs;
    const [sites, raised, down] = await Promise.all([this.store.sites.list(), this.store.alerts.raised(), this.downtime(from, nowMs)]);
    const silentNow = new Set(raised.filter((r) => r.metric === 'silence').map((r) => r.siteKey));
    const out: SiteAlertEvent[] = [];
    for (const site of sites) {
      const last = lastReportHeardAtMs(site.lastReportAtMs, site.lastReportStoredAtMs) ?? site.firstStartedAtMs;
      const silentUpMs = upTimeMs(down, Math.max(last, from), nowMs);
      if (silentUpMs >= rule.silentForMs === silentNow.has(site.key)) continue;
      let events: SiteAlertEvent[] = [];
      try {
        await this.store.alerts.evaluate(site.key, [], ['silence'], (_windows, tracks) => {
          const step = silenceStep(tracks.get('silence') ?? INITIAL_TRACK, rule, silentUpMs, site.lastReportAtMs, nowMs);
          events = step.change === null ? [] : [silenceEvent(site.display, step.change, rule.silentForMs)];
          return { tracks: new Map([['silence', step.track]]), posts: events.map((e) => ({ body: JSON.stringify(e) })) };
        });
      } catch (err) {
        this.counts.evaluationsFailed++;
        this.log.warn({ site: site.display }, `silence evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      for (const e of events) this.log.info({ alert: e }, `alert ${e.state}: ${e.site} silence`);
      out.push(...events);
    }
    return out;
  }
}
