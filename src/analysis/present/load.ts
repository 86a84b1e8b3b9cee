/**
 * The busy line in words: the verdict's sentence, why the phase did not run, the room a call
 * has, and the lines the page, the CLI and the console print. Built from the grader's facts
 * (grade/load.ts) and from a stored report's `load` section; never decides anything itself.
 */
import {
  ARRIVAL_GAP_EXCESS_MS,
  HARMFUL_ADDED_DELAY_MS,
  RECEIVE_LAG_MS,
  SERVER_BUSY_MS,
  type LoadAttributionWhy,
  type LoadHarm,
  type LoadedDirectionFacts,
  type LoadVerdictKind,
} from '../grade/load.js';
import type { LoadOutcomeReason, LoadStop } from '../schema/load-input.js';
import type { LoadDirectionReport, LoadReport } from '../schema/load-schema.js';
import { figureMs, figurePct, ms, num, pct, seconds } from './format.js';

/** "4.8 Mbit/s" from bits per second. */
export function mbps(bitsPerS: number): string {
  return `${num(bitsPerS / 1e6)} Mbit/s`;
}

/** "50 MB" from bytes (decimal megabytes, as the budget flag counts them). */
export function megabytes(bytes: number): string {
  return `${num(bytes / 1e6)} MB`;
}

/** What the page and `run` show before the phase starts: the most it can move. */
export function budgetSentence(budgetBytesPerDirection: number): string {
  return `The busy-line test moves at most ${megabytes(budgetBytesPerDirection)} up and ${megabytes(budgetBytesPerDirection)} down (${megabytes(2 * budgetBytesPerDirection)} in all) and adds at most 25 s.`;
}

const WHO: Readonly<Record<'up' | 'down', string>> = { up: 'uploads', down: 'downloads' };

/** "uploads add 180 ms and cause 8% loss" */
function harmPhrase(h: LoadHarm, f: LoadedDirectionFacts): string {
  const parts: string[] = [];
  if (h.delay && f.addedDelayMs !== null) parts.push(`add ${ms(Math.round(f.addedDelayMs))}`);
  if (h.loss) {
    const loss = f.lossPct !== null && f.lossPct > 0 ? f.lossPct : f.burstLossPctMax200ms;
    parts.push(f.lossPct !== null && f.lossPct > 0 ? `cause ${pct(loss ?? 0)} loss` : `cause loss bursts (${pct(loss ?? 0)} in the worst 200 ms)`);
  }
  if (h.jitter && f.jitterMs !== null) parts.push(`make the timing of packets vary by ${ms(f.jitterMs)}`);
  return `${WHO[h.direction]} ${parts.join(' and ')}`;
}

const STOPPED: Readonly<Record<LoadStop, string>> = {
  stable: 'and filled it',
  'time-cap': 'without filling it within the time limit',
  budget: 'and used the whole byte budget before filling it',
  failed: 'before the transfers failed',
  cancelled: 'before the test was cancelled',
};

/**
 * The verdict's sentence. `suffers`: what each harmful direction does ("Calls will suffer when
 * the line is busy: uploads add 180 ms."); `no-effect`: the rates at which nothing was seen;
 * `could-not-load`: what was reached, and that this is no pass.
 */
export function loadVerdictText(kind: LoadVerdictKind, facts: readonly LoadedDirectionFacts[], harms: readonly LoadHarm[]): string {
  if (kind === 'device-busy' || kind === 'server-busy') return notTheLineText(kind, facts);
  if (kind === 'suffers') {
    const phrases = harms.map((h) => harmPhrase(h, facts.find((f) => f.direction === h.direction) as LoadedDirectionFacts));
    return `Calls will suffer when the line is busy: ${phrases.join('; ')}.`;
  }
  const rates = facts
    .filter((f) => f.goodputBitsPerS !== null)
    .map((f) => `${mbps(f.goodputBitsPerS ?? 0)} ${f.direction}`)
    .join(' and ');
  if (kind === 'no-effect') return `No effect seen at ${rates}: calls should hold up when the line is busy.`;
  const unfilled = facts.filter((f) => !f.saturated);
  const reached = unfilled
    .map((f) =>
      f.goodputBitsPerS === null ? `${WHO[f.direction]} moved nothing` : `${WHO[f.direction]} reached ${mbps(f.goodputBitsPerS)} ${STOPPED[f.stop]}`,
    )
    .join('; ');
  const missing = (['up', 'down'] as const).filter((d) => !facts.some((f) => f.direction === d)).map((d) => `${WHO[d]} did not run`);
  return `Could not load the line: ${[reached, ...missing].filter((x) => x !== '').join('; ')}. No effect on calls was seen${rates === '' ? '' : ` at ${rates}`}, but this is not a pass.`;
}

/** "uploads seemed to add 233 ms" for each direction whose delay was not the line's. */
function seemedPhrase(facts: readonly LoadedDirectionFacts[], who: 'device' | 'server'): string {
  return facts
    .filter((f) => f.attribution?.who === who && f.addedDelayMs !== null && f.addedDelayMs >= HARMFUL_ADDED_DELAY_MS)
    .map((f) => `${WHO[f.direction]} seemed to add ${ms(Math.round(f.addedDelayMs ?? 0))}`)
    .join(' and ');
}

/**
 * `device-busy`: the delay showed only on this device's clock; `server-busy`: the server's own
 * time. Each says whose it was and that it is not the line's; neither advises the line's owner.
 */
function notTheLineText(kind: 'device-busy' | 'server-busy', facts: readonly LoadedDirectionFacts[]): string {
  if (kind === 'server-busy') {
    const seemed = seemedPhrase(facts, 'server');
    return `The test server, not your line, was slow while the line was busy${seemed === '' ? '' : ` (${seemed})`}: it held the probes or ran late. This says nothing about your line; run the test again later.`;
  }
  const seemed = seemedPhrase(facts, 'device');
  return `This device, not your line, added the delay while the line was busy${seemed === '' ? '' : ` (${seemed})`}: no clock outside this page saw it. Close other programs and run the test again to judge the line.`;
}

const WHY: Readonly<Record<LoadAttributionWhy, string>> = {
  'nothing-added': 'the load added no delay to attribute',
  'server-busy': `the server held probes or ran late by ${ms(SERVER_BUSY_MS)} or more while the line was loaded`,
  'arrival-gaps': `the server saw the probes arrive after gaps (${ms(ARRIVAL_GAP_EXCESS_MS)} longer than the page sent them) and then in bursts: they were held on this device, before the relay`,
  'receive-lag': `this device handed the echoes to the page ${ms(RECEIVE_LAG_MS)} or more after the browser received them`,
  'rtt-view-rose': "the browser's own round trip (ICE, RTCP) rose as much: the network's",
  'rtt-view-flat': "the browser's own round trip (ICE, RTCP) did not rise: only this page's clock saw the delay",
  'arrivals-regular': "the server saw the probes arrive evenly while their delay rose: a queue on the network's path",
  'standing-queue': "the server saw even the fastest probes arrive late, never a held burst let through at once: a queue on the network's path",
  'receive-time': "the echoes' arrival times are the browser's network thread's, handed on without delay: the network's",
  'page-busy': 'no clock outside the page was available, and this device fell behind while loading the line',
  'no-outside-view': 'no clock outside the page was available, and this device showed no sign of being busy: counted as the line',
};

/** Why a loaded direction's delay was the network's, this device's or the server's, in words. */
export function attributionSentence(why: LoadAttributionWhy): string {
  return WHY[why];
}

const OUTCOME: Readonly<Record<LoadOutcomeReason, string>> = {
  'not-offered': 'The busy-line test did not run: this server does not offer it.',
  refused: 'The busy-line test did not run: the server refused it.',
  'server-gone': 'The busy-line test could not finish: the server stopped answering. This says nothing about your line.',
  'device-busy': 'The busy-line test could not judge the line: this device could not keep up while loading it. This is neither the line nor the network.',
  'not-run': 'The busy-line test did not run: the test before it could not finish.',
};

export function loadOutcomeSentence(reason: LoadOutcomeReason): string {
  return OUTCOME[reason];
}

/** The added delay of a direction, with its grade: "+180 ms (grade C)". */
function addedDelayText(d: Pick<LoadDirectionReport, 'addedDelayMs' | 'grade'>): string {
  if (d.addedDelayMs === null) return 'not measured';
  return `${d.addedDelayMs >= 0 ? '+' : ''}${figureMs(d.addedDelayMs)}${d.grade === null ? '' : ` (grade ${d.grade})`}`;
}

/** One line per loaded direction, for the page, the CLI and the console. */
export interface LoadLine {
  direction: 'up' | 'down';
  name: string;
  goodput: string;
  added: string;
  addedP90: string;
  rtt: string;
  jitter: string;
  loss: string;
  saturated: string;
  bytes: string;
  /** Whose the added delay was, and why ("this device's: the server saw ..."); '' for a report without it. */
  whose: string;
}

const WHOSE: Readonly<Record<'network' | 'device' | 'server', string>> = { network: "the line's", device: "this device's", server: "the server's" };

export function loadLines(l: LoadReport): LoadLine[] {
  const out: LoadLine[] = [];
  for (const [direction, d] of [
    ['up', l.up],
    ['down', l.down],
  ] as const) {
    if (d === null) continue;
    out.push({
      direction,
      name: direction === 'up' ? 'While uploading (you → relay)' : 'While downloading (relay → you)',
      goodput: d.goodputMbps === null ? '–' : `${num(d.goodputMbps)} Mbit/s`,
      added: addedDelayText(d),
      addedP90: d.addedDelayMsP90 === null ? '–' : `${d.addedDelayMsP90 >= 0 ? '+' : ''}${figureMs(d.addedDelayMsP90)}`,
      rtt: `${figureMs(d.idleRttMs)} idle, ${figureMs(d.loadedRttMs)} loaded`,
      jitter: figureMs(d.jitterMs),
      loss: figurePct(d.lossPct),
      saturated: d.saturated
        ? 'yes (stable)'
        : `no (${d.stop === 'time-cap' ? `stopped at ${seconds(d.durationMs)}` : d.stop === 'budget' ? 'byte budget used' : d.stop})`,
      bytes: megabytes(d.bytes),
      whose: d.attribution === undefined || d.attribution.why === 'nothing-added' ? '' : `${WHOSE[d.attribution.who]}: ${d.attribution.sentence}`,
    });
  }
  return out;
}

/** The loaded directions as plain text lines (the CLI summary, the console). */
export function loadTextLines(l: LoadReport): string[] {
  return loadLines(l).map(
    (d) =>
      `${d.name.toLowerCase()}: ${d.goodput}, added delay ${d.added} (p90 ${d.addedP90})${d.whose === '' ? '' : `, ${d.whose}`}, round trip ${d.rtt}, jitter ${d.jitter}, loss ${d.loss}, filled the line: ${d.saturated}`,
  );
}

/** The one line the answer for everyone adds: the verdict's text, or why the phase did not run. */
export function loadAnswerLine(l: LoadReport): string {
  return l.verdict?.text ?? l.outcome?.sentence ?? '';
}

/** The method, as the report states it once. */
export function loadMethodSentence(): string {
  return (
    'After the idle window, the line was loaded with parallel HTTP uploads, then parallel downloads, to the callprobe server, ' +
    'while the probes kept running through the relay. Each direction stopped when goodput and probe delay were both stable ' +
    '(the stop rule of the IETF draft "Responsiveness under Working Conditions"), at its time limit or at its byte budget. ' +
    `Added delay is the probes' transit in that direction (RFC 3550) over the last stretch of the load minus its idle median; from ${ms(HARMFUL_ADDED_DELAY_MS)} on it harms a call.`
  );
}
