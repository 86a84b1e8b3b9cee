/**
 * Site alerts that are not about a P90 (./hysteresis.ts): a site gone quiet, a site whose
 * samples mostly could not test, and a site whose reports mostly could not judge a watched
 * target. They count only the time callprobe's own service was up
 * (src/analysis/site/service.ts): our outage is never the site's silence, and a could-not-test
 * sample taken while we were down is ours, not the site's. Pure: a state and the facts in, the
 * next state and the change out, like evaluateWindow.
 *
 * - Silence (`silentFor`): one quantity, when the site was last heard of (its newest report: the
 *   earlier of its start and the server's receipt, src/analysis/site/health.ts
 *   lastReportHeardAtMs), read on one clock (the server's). Raised once `silentForMs` of our up
 *   time passed since then (or, never having reported, since its first sample or its site
 *   token). Cleared only when the site is no longer silent by that same quantity *and* it was
 *   heard of at or after the silence began: a report older than the silence (a spooled
 *   backlog) never clears it, so a backlog cannot clear a silence that the next check raises
 *   again, and each return is one `ok`. The server does not know a probe's interval, so the
 *   operator gives the duration.
 * - Could not test (`couldNotTestAbovePct`, `over`): over the site's samples of the last
 *   `overMs` (our outages and interrupted samples left out), raised when more than `abovePct` %
 *   could not test (judged from `minSamples` samples), cleared when no more do (a window that
 *   emptied clears it: the site's silence is the other rule's).
 * - Could not judge (`couldNotJudgeAbovePct`, `over`): per target a P90 rule watches, over the
 *   site's reports of the last `overMs`, the share whose every direction of that target could not
 *   be judged (so the P90 rule never saw them); raised above `abovePct` %, cleared at or below it,
 *   like the could-not-test rule. A probe that struggles raises this where its P90 rules would
 *   fall silent.
 */
import type { AlertState, AlertTrack } from './hysteresis.js';

export interface SilenceRule {
  silentForMs: number;
}

/** A share rule: raised when more than abovePct % of the window's samples are counted, judged from minSamples samples. */
interface ShareRule {
  abovePct: number;
  overMs: number;
  minSamples: number;
}

export type CouldNotTestRule = ShareRule;
export type CouldNotJudgeRule = ShareRule;

/** A change of a site rule's state, and what the webhook says of it. */
export interface SiteRuleStep<E> {
  track: AlertTrack;
  change: ({ state: AlertState; sinceMs: number } & E) | null;
}

/** `next` (null: no change) from the track, dated at atMs and never before the current state's since. */
function step<E>(track: AlertTrack, breach: boolean, next: AlertState | null, atMs: number, facts: E): SiteRuleStep<E> {
  const counted: AlertTrack = { ...track, breaches: breach ? track.breaches + 1 : 0, passes: breach ? 0 : track.passes + 1 };
  if (next === null) return { track: counted, change: null };
  const sinceMs = Math.max(atMs, track.sinceMs ?? atMs);
  return { track: { ...counted, state: next, sinceMs }, change: { state: next, sinceMs, ...facts } };
}

/** What the silence rule reads of a site at one instant. */
export interface SilenceFacts {
  /** callprobe's up time since the site was last heard of (or, never, since its first sample or its site token). */
  silentUpMs: number;
  /** When the site was last heard of (its newest report), or null when it never reported. */
  heardAtMs: number | null;
  /** Its newest report's start (what the post says), or null. */
  lastReportAtMs: number | null;
}

/** The silence rule at `atMs` (the server's clock). */
export function silenceStep(
  track: AlertTrack,
  rule: SilenceRule,
  f: SilenceFacts,
  atMs: number,
): SiteRuleStep<{ lastReportAtMs: number | null; silentUpMs: number }> {
  const silent = f.silentUpMs >= rule.silentForMs;
  // Heard of since the silence began: a report older than the silence's start never clears it.
  const heardSince = f.heardAtMs !== null && f.heardAtMs >= (track.sinceMs ?? Number.NEGATIVE_INFINITY);
  const next = track.state === 'ok' && silent ? 'raised' : track.state === 'raised' && !silent && heardSince ? 'ok' : null;
  return step(track, silent, next, atMs, { lastReportAtMs: f.lastReportAtMs, silentUpMs: f.silentUpMs });
}

/**
 * A share rule at `atMs` over its window: `counted` of `samples`. Raised above abovePct % once
 * the window holds minSamples; a raised one clears at or below it whatever the window holds
 * (an empty window is 0 %).
 */
function shareStep<E>(track: AlertTrack, rule: ShareRule, samples: number, counted: number, atMs: number, facts: (pct: number) => E): SiteRuleStep<E> {
  const pct = samples === 0 ? 0 : (counted / samples) * 100;
  const over = pct > rule.abovePct;
  if (track.state === 'ok' && samples < rule.minSamples) return { track, change: null };
  const next = track.state === 'ok' && over ? 'raised' : track.state === 'raised' && !over ? 'ok' : null;
  return step(track, over, next, atMs, facts(pct));
}

/**
 * The could-not-test rule at `atMs` over the site's samples of its window, ours and interrupted
 * ones already left out: `couldNotTest` of `samples`.
 */
export function couldNotTestStep(
  track: AlertTrack,
  rule: CouldNotTestRule,
  samples: number,
  couldNotTest: number,
  atMs: number,
): SiteRuleStep<{ pct: number; samples: number; couldNotTest: number }> {
  return shareStep(track, rule, samples, couldNotTest, atMs, (pct) => ({ pct, samples, couldNotTest }));
}

/** The could-not-judge rule of one target at `atMs` over the site's reports of its window: `notJudged` of `samples`. */
export function couldNotJudgeStep(
  track: AlertTrack,
  rule: CouldNotJudgeRule,
  samples: number,
  notJudged: number,
  atMs: number,
): SiteRuleStep<{ pct: number; samples: number; notJudged: number }> {
  return shareStep(track, rule, samples, notJudged, atMs, (pct) => ({ pct, samples, notJudged }));
}
