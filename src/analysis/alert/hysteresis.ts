/**
 * Site alerts: "the P90 of a metric over the last N samples is above its target",
 * with hysteresis. Pure: a state and a window in, the next state and the change out
 * (`evaluateWindow`); the state lives where the caller keeps it (the results store for
 * `serve --alerts`, memory for `AlertMachine`).
 *
 * A rule is evaluated after every sample once the window holds N samples: the window's P90
 * (nearest rank, like every percentile in callprobe) breaches when it is not below the target
 * (the targets read "< threshold"). Before, a window breaches when it fails already by the site
 * report's rule (src/analysis/site/site.ts p90Grade), and is not evaluated otherwise. Raised after `raiseAfter` breaching evaluations in a row,
 * cleared after `clearAfter` passing evaluations in a row; a sample that carries no value for
 * the metric (not judged, could not test) neither breaches nor passes.
 */
import { percentile } from '../measure/percentile.js';
import { SITE_SETTINGS } from '../site/site.js';
import { lowerEndMisses, type P90Settings } from '../site/p90.js';
import type { TargetId } from '../schema/report-schema.js';

export interface AlertRule {
  target: TargetId;
  /**
   * An edge of a hub (its id): the rule watches the P90 of the site's locate round trips to that
   * edge (the site x region table's figure, src/analysis/site/regions.ts) instead of its tests'
   * graded values; latency-rtt only. Absent: the tests' values.
   */
  edge?: string;
  /** Samples in the window (e.g. 36: six hours of 10-minute samples). */
  samples: number;
  raiseAfter: number;
  clearAfter: number;
}

export type AlertState = 'ok' | 'raised';

/** What the webhook says, once per change of state. */
export interface AlertEvent {
  site: string;
  metric: TargetId;
  /** The edge a rule that names one watches, with the Azure region it stands in: a region's breach says which region. */
  edge?: { id: string; azureRegion: string };
  p90: number;
  target: number;
  state: AlertState;
  /** ISO 8601 UTC: when the state began (the sample that raised or cleared it). */
  since: string;
}

/**
 * The state of one (site, metric) between evaluations: explicit, so the results store can hold it
 * (table alert_states, migration 3) and every `callprobe serve` sharing the store evaluates the
 * same state.
 */
export interface AlertTrack {
  state: AlertState;
  /** Breaching evaluations in a row (0 after a pass). */
  breaches: number;
  /** Passing evaluations in a row (0 after a breach). */
  passes: number;
  /** When the current state began (ms since the epoch); null: never changed ('ok' from the start). */
  sinceMs: number | null;
}

export const INITIAL_TRACK: AlertTrack = { state: 'ok', breaches: 0, passes: 0, sinceMs: null };

/** What one evaluation gives: the next state, and the change it makes (null: none). */
export interface AlertStep {
  track: AlertTrack;
  change: { state: AlertState; p90: number; sinceMs: number } | null;
}

/**
 * One evaluation of a rule over a window of values (oldest first; the last `rule.samples` are
 * used). A window shorter than `rule.samples` is evaluated only when it fails already by the
 * site report's rule (the lower end of its P90's interval misses the target: a breach); else
 * the track comes back unchanged.
 * `atMs` is the start of the newest sample in the window; a change is dated there, and never
 * before the current state's `sinceMs` (a late sample cannot back-date a change).
 */
export function evaluateWindow(
  track: AlertTrack,
  rule: AlertRule,
  window: readonly number[],
  threshold: number,
  atMs: number,
  settings: P90Settings = SITE_SETTINGS,
): AlertStep {
  const values = window.slice(Math.max(0, window.length - rule.samples));
  if (values.length === 0) return { track, change: null };
  const p90 = percentile(values, 90);
  // A window not yet full is evaluated only when it fails already, by the site report's rule.
  if (values.length < rule.samples && lowerEndMisses(values.length, values.filter((v) => v >= threshold).length, settings) === null)
    return { track, change: null };
  const breach = !(p90 < threshold);
  const breaches = breach ? track.breaches + 1 : 0;
  const passes = breach ? 0 : track.passes + 1;
  const next: AlertState | null =
    track.state === 'ok' && breaches >= rule.raiseAfter ? 'raised' : track.state === 'raised' && passes >= rule.clearAfter ? 'ok' : null;
  if (next === null) return { track: { ...track, breaches, passes }, change: null };
  const sinceMs = Math.max(atMs, track.sinceMs ?? atMs);
  return { track: { state: next, breaches, passes, sinceMs }, change: { state: next, p90, sinceMs } };
}

/** The event a change of state posts. */
export function alertEvent(
  site: string,
  metric: TargetId,
  threshold: number,
  change: NonNullable<AlertStep['change']>,
  edge?: { id: string; azureRegion: string },
): AlertEvent {
  return {
    site,
    metric,
    ...(edge === undefined ? {} : { edge }),
    p90: change.p90,
    target: threshold,
    state: change.state,
    since: new Date(change.sinceMs).toISOString(),
  };
}

/**
 * The machine over values kept in memory (one process sees every sample, in order): the
 * reference the store-backed evaluation (server/alerts) follows, and what its tests pin down.
 */
export class AlertMachine {
  private readonly tracks = new Map<string, { values: number[]; track: AlertTrack }>();

  constructor(private readonly rules: readonly AlertRule[]) {}

  /**
   * One stored sample of `site`: per rule, its value for the metric (the worst direction's graded
   * value) and its target. Returns the events this sample causes (most often none).
   */
  observe(site: string, atMs: number, values: ReadonlyMap<TargetId, { value: number; threshold: number }>): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const rule of this.rules) {
      const v = values.get(rule.target);
      if (v === undefined) continue;
      const key = `${site}\u0000${rule.target}`;
      const t = this.tracks.get(key) ?? { values: [], track: INITIAL_TRACK };
      this.tracks.set(key, t);
      t.values.push(v.value);
      if (t.values.length > rule.samples) t.values.shift();
      const step = evaluateWindow(t.track, rule, t.values, v.threshold, atMs);
      t.track = step.track;
      if (step.change !== null) events.push(alertEvent(site, rule.target, v.threshold, step.change));
    }
    return events;
  }

  /** The current state of a site's metric ('ok' before any evaluation). */
  state(site: string, target: TargetId): AlertState {
    return this.tracks.get(`${site}\u0000${target}`)?.track.state ?? 'ok';
  }
}

/** A stored report's value per target: the worst graded direction's value, with its threshold; not-judged entries are left out. */
export function sampleValues(
  grades: ReadonlyArray<{ target: TargetId; value: number | null; threshold: number; status: string }>,
): Map<TargetId, { value: number; threshold: number }> {
  const out = new Map<TargetId, { value: number; threshold: number }>();
  for (const g of grades) {
    if (g.value === null || g.status === 'insufficient') continue;
    const prev = out.get(g.target);
    if (prev === undefined || g.value > prev.value) out.set(g.target, { value: g.value, threshold: g.threshold });
  }
  return out;
}
