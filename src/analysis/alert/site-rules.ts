/**
 * Site alerts that are not about a P90 (./hysteresis.ts): a site gone quiet, and a site whose
 * samples mostly could not test. Both count only the time callprobe's own service was up
 * (src/analysis/site/service.ts): our outage is never the site's silence, and a could-not-test
 * sample taken while we were down is ours, not the site's. Pure: a state and the facts in, the
 * next state and the change out, like evaluateWindow.
 *
 * - Silence (`silentFor`): raised once the site has had no sample that tested (a report) for
 *   `silentForMs` of our up time, counted from its last report (or, never having had one, from
 *   its first sample); cleared by its next report. The server does not know a probe's interval,
 *   so the operator gives the duration.
 * - Could not test (`couldNotTestAbovePct`, `over`): over the site's samples of the last
 *   `overMs` (our outages and interrupted samples left out), raised when more than `abovePct` %
 *   could not test, cleared when no more do; evaluated only from `minSamples` samples.
 */
import type { AlertState, AlertTrack } from './hysteresis.js';

export interface SilenceRule {
  silentForMs: number;
}

export interface CouldNotTestRule {
  abovePct: number;
  overMs: number;
  minSamples: number;
}

/** A change of a site rule's state, and what the webhook says of it. */
export interface SiteRuleStep<E> {
  track: AlertTrack;
  change: ({ state: AlertState; sinceMs: number } & E) | null;
}

function step<E>(track: AlertTrack, breach: boolean, atMs: number, facts: E): SiteRuleStep<E> {
  const next: AlertState | null = track.state === 'ok' && breach ? 'raised' : track.state === 'raised' && !breach ? 'ok' : null;
  const counted: AlertTrack = { ...track, breaches: breach ? track.breaches + 1 : 0, passes: breach ? 0 : track.passes + 1 };
  if (next === null) return { track: counted, change: null };
  const sinceMs = Math.max(atMs, track.sinceMs ?? atMs);
  return { track: { ...counted, state: next, sinceMs }, change: { state: next, sinceMs, ...facts } };
}

/** The silence rule at `atMs`: `silentUpMs` is our up time since the site's last report (or first sample). */
export function silenceStep(
  track: AlertTrack,
  rule: SilenceRule,
  silentUpMs: number,
  lastReportAtMs: number | null,
  atMs: number,
): SiteRuleStep<{ lastReportAtMs: number | null; silentUpMs: number }> {
  return step(track, silentUpMs >= rule.silentForMs, atMs, { lastReportAtMs, silentUpMs });
}

/**
 * The could-not-test rule at `atMs` over the site's samples of its window, ours and interrupted
 * ones already left out: `couldNotTest` of `samples`. Fewer than minSamples samples: no
 * evaluation (the track comes back unchanged).
 */
export function couldNotTestStep(
  track: AlertTrack,
  rule: CouldNotTestRule,
  samples: number,
  couldNotTest: number,
  atMs: number,
): SiteRuleStep<{ pct: number; samples: number; couldNotTest: number }> {
  if (samples < rule.minSamples || samples === 0) return { track, change: null };
  const pct = (couldNotTest / samples) * 100;
  return step(track, pct > rule.abovePct, atMs, { pct, samples, couldNotTest });
}
