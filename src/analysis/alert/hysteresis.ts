/**
 * Site alerts (issue 12): "the P90 of a metric over the last N samples is above its target",
 * with hysteresis. Pure: the caller feeds samples in the order they were stored, with their
 * time; the machine says when an alert is raised or cleared, once each.
 *
 * A rule is evaluated after every sample once the window holds N samples: the window's P90
 * (nearest rank, like every percentile in callprobe) breaches when it is not below the target
 * (the targets read "< threshold"). Raised after `raiseAfter` breaching evaluations in a row,
 * cleared after `clearAfter` passing evaluations in a row; a sample that carries no value for
 * the metric (not judged, could not test) neither breaches nor passes.
 */
import { percentile } from '../measure/percentile.js';
import type { TargetId } from '../schema/report-schema.js';

export interface AlertRule {
  target: TargetId;
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
  p90: number;
  target: number;
  state: AlertState;
  /** ISO 8601 UTC: when the state began (the sample that raised or cleared it). */
  since: string;
}

interface Track {
  values: number[];
  state: AlertState;
  breaches: number;
  passes: number;
}

export class AlertMachine {
  private readonly tracks = new Map<string, Track>();

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
      const t = this.tracks.get(key) ?? { values: [], state: 'ok', breaches: 0, passes: 0 };
      this.tracks.set(key, t);
      t.values.push(v.value);
      if (t.values.length > rule.samples) t.values.shift();
      if (t.values.length < rule.samples) continue;
      const p90 = percentile(t.values, 90);
      const breach = !(p90 < v.threshold);
      t.breaches = breach ? t.breaches + 1 : 0;
      t.passes = breach ? 0 : t.passes + 1;
      const next: AlertState | null =
        t.state === 'ok' && t.breaches >= rule.raiseAfter ? 'raised' : t.state === 'raised' && t.passes >= rule.clearAfter ? 'ok' : null;
      if (next === null) continue;
      t.state = next;
      events.push({ site, metric: rule.target, p90, target: v.threshold, state: next, since: new Date(atMs).toISOString() });
    }
    return events;
  }

  /** The current state of a site's metric ('ok' before any evaluation). */
  state(site: string, target: TargetId): AlertState {
    return this.tracks.get(`${site}\u0000${target}`)?.state ?? 'ok';
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
