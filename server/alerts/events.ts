/**
 * What a webhook post says, one event per change of a rule's state for a site: a P90 rule (the
 * JSON of src/analysis/alert/hysteresis.ts AlertEvent), the silence rule, the could-not-test
 * rule or the could-not-judge rule of a target. Kept in the store as JSON until delivered
 * (./delivery.ts), with its idempotency key. And the one event that is no change of state:
 * the test event of `callprobe alerts test`, marked `"test": true`, posted at once, never kept.
 */
import type { AlertEvent, AlertState } from '../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';
import { TARGET_LABELS, targetUnit } from '../../src/analysis/grade/targets.js';
import { formatDurationMs } from '../../src/protocol/values.js';

/** "Paris office: no sample tested for 30m of callprobe's up time (last report ...)". */
export interface SilenceEvent {
  site: string;
  metric: 'silence';
  state: AlertState;
  since: string;
  /** The last sample that tested (ISO 8601 UTC), or null when none ever did. */
  lastReportAt: string | null;
  /** The rule's duration, e.g. "30m". */
  silentFor: string;
}

export interface CouldNotTestEvent {
  site: string;
  metric: 'could-not-test';
  state: AlertState;
  since: string;
  /** Share of the window's samples that could not test (our outages left out), %. */
  pct: number;
  abovePct: number;
  samples: number;
  couldNotTest: number;
  /** The window, e.g. "2h". */
  over: string;
}

export interface CouldNotJudgeEvent {
  site: string;
  metric: 'could-not-judge';
  /** The target a P90 rule watches that the reports could not judge. */
  target: TargetId;
  state: AlertState;
  since: string;
  /** Share of the window's reports none of whose directions of the target could be judged, %. */
  pct: number;
  abovePct: number;
  /** Reports in the window. */
  samples: number;
  notJudged: number;
  /** The window, e.g. "2h". */
  over: string;
}

/** `callprobe alerts test`: no alert, a post that shows the webhook receives callprobe's. */
export interface TestEvent {
  test: true;
  site: string;
  metric: 'test';
  state: AlertState;
  since: string;
  /** The server that sent it (the host `alerts test` asked). */
  from: string;
}

export type SiteAlertEvent = AlertEvent | SilenceEvent | CouldNotTestEvent | CouldNotJudgeEvent | TestEvent;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function silenceEvent(site: string, change: { state: AlertState; sinceMs: number; lastReportAtMs: number | null }, silentForMs: number): SilenceEvent {
  return {
    site,
    metric: 'silence',
    state: change.state,
    since: new Date(change.sinceMs).toISOString(),
    lastReportAt: iso(change.lastReportAtMs),
    silentFor: formatDurationMs(silentForMs),
  };
}

export function couldNotTestEvent(
  site: string,
  change: { state: AlertState; sinceMs: number; pct: number; samples: number; couldNotTest: number },
  rule: { abovePct: number; overMs: number },
): CouldNotTestEvent {
  return {
    site,
    metric: 'could-not-test',
    state: change.state,
    since: new Date(change.sinceMs).toISOString(),
    pct: Math.round(change.pct * 10) / 10,
    abovePct: rule.abovePct,
    samples: change.samples,
    couldNotTest: change.couldNotTest,
    over: formatDurationMs(rule.overMs),
  };
}

export function couldNotJudgeEvent(
  site: string,
  target: TargetId,
  change: { state: AlertState; sinceMs: number; pct: number; samples: number; notJudged: number },
  rule: { abovePct: number; overMs: number },
): CouldNotJudgeEvent {
  return {
    site,
    metric: 'could-not-judge',
    target,
    state: change.state,
    since: new Date(change.sinceMs).toISOString(),
    pct: Math.round(change.pct * 10) / 10,
    abovePct: rule.abovePct,
    samples: change.samples,
    notJudged: change.notJudged,
    over: formatDurationMs(rule.overMs),
  };
}

/** The test event `callprobe alerts test` posts: marked `"test": true`, for no site. */
export function testEvent(from: string, atMs: number): TestEvent {
  return { test: true, site: 'callprobe alerts test', metric: 'test', state: 'raised', since: new Date(atMs).toISOString(), from };
}

/** One line a person reads: "Paris: round trip P90 150 ms is not below its 100 ms target (alert raised ...)". */
export function alertText(e: SiteAlertEvent): string {
  if (e.metric === 'test') return `callprobe test event from ${e.from} at ${e.since}: alerts reach this webhook (no site is alerting)`;
  const when = `(alert ${e.state === 'raised' ? 'raised' : 'cleared'} ${e.since})`;
  if (e.metric === 'silence') {
    return e.state === 'raised'
      ? `${e.site}: no sample tested for ${e.silentFor} of callprobe's up time${e.lastReportAt === null ? '' : ` (last at ${e.lastReportAt})`} ${when}`
      : `${e.site}: samples test again ${when}`;
  }
  if (e.metric === 'could-not-judge') {
    const what = `${e.site}: ${TARGET_LABELS[e.target].toLowerCase()} could not be judged in ${e.notJudged} of ${e.samples} reports of the last ${e.over}`;
    return e.state === 'raised' ? `${what} (${e.pct}%, above ${e.abovePct}%) ${when}` : `${what}, at most ${e.abovePct}% ${when}`;
  }
  if (e.metric === 'could-not-test') {
    return e.state === 'raised'
      ? `${e.site}: ${e.couldNotTest} of ${e.samples} samples of the last ${e.over} could not test (${e.pct}%, above ${e.abovePct}%) ${when}`
      : `${e.site}: ${e.couldNotTest} of ${e.samples} samples of the last ${e.over} could not test, at most ${e.abovePct}% ${when}`;
  }
  const u = targetUnit(e.metric);
  const what =
    e.edge === undefined
      ? `${e.site}: ${TARGET_LABELS[e.metric].toLowerCase()} P90 ${e.p90} ${u}`
      : `${e.site}: round trip to ${e.edge.azureRegion} (test server ${e.edge.id}, locate figures) P90 ${e.p90} ${u}`;
  return e.state === 'raised' ? `${what} is not below its ${e.target} ${u} target ${when}` : `${what} is back below its ${e.target} ${u} target ${when}`;
}

/** Reads an event kept in the store (JSON written by this module). */
export function parseEvent(body: string): SiteAlertEvent {
  return JSON.parse(body) as SiteAlertEvent;
}
