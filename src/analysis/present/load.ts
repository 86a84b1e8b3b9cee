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
  type LoadAttribution,
  type LoadAttributionWhy,
  type LoadHarm,
  type LoadedDirectionFacts,
  type LoadVerdictKind,
  bloatGrade,
  deviceBusy,
  tooFewProbes,
} from '../grade/load.js';
import type { LoadOutcomeReason, LoadStop } from '../schema/load-input.js';
import type { LoadDirectionReport, LoadReport } from '../schema/load-schema.js';
import { ms, num, pct } from './format.js';
import { EN, type Messages } from './catalogue.js';

/** "4.8 Mbit/s" from bits per second. */
export function mbps(bitsPerS: number): string {
  return `${num(bitsPerS / 1e6)} Mbit/s`;
}

/** "50 MB" from bytes (decimal megabytes, as the budget flag counts them). */
export function megabytes(bytes: number): string {
  return `${num(bytes / 1e6)} MB`;
}

/** What the page and `run` show before the phase starts: the most it can move. */
export function budgetSentence(budgetBytesPerDirection: number, m: Messages = EN): string {
  const mb = (bytes: number): string => m.t('load.megabytes', { value: m.fmt.num(bytes / 1e6) });
  return m.t('load.budget', { each: mb(budgetBytesPerDirection), total: mb(2 * budgetBytesPerDirection) });
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

/** What the server's or this device's own lateness explains of the added delay (grade/load.ts bySize), as a clause. */
const EXCUSED: Readonly<Record<'server' | 'device', (ms: string) => string>> = {
  server: (v) => `; the test server's own delay explains at most ${v} of it`,
  device: (v) => `; this device's own delay explains at most ${v} of it`,
};

/** Why a loaded direction's delay was the network's, this device's or the server's, in words, with what their own delay explains of it. */
export function attributionSentence(why: LoadAttributionWhy, excused?: LoadAttribution['excused']): string {
  return excused === undefined ? WHY[why] : `${WHY[why]}${EXCUSED[excused.by](ms(Math.round(excused.ms)))}`;
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

/** What the load added to the round trip in a direction's working window (its loaded p50 minus the idle p50), or null. */
function roundTripAddedMs(d: Pick<LoadDirectionReport, 'idleRttMs' | 'loadedRttMs'>): number | null {
  return d.idleRttMs === null || d.loadedRttMs === null ? null : d.loadedRttMs - d.idleRttMs;
}

/** The round trip's rise, with its grade where the delay was the line's (DSLReports grades the round trip's rise under load): "+694 ms (grade F)". */
function roundTripAddedText(d: LoadDirectionReport, m: Messages): string {
  const added = roundTripAddedMs(d);
  if (added === null) return m.t('load.notMeasured');
  const value = `${added >= 0 ? '+' : ''}${m.fmt.figureMs(added)}`;
  const grade = d.grade === null ? null : bloatGrade(added);
  return grade === null ? value : m.t('load.addedGrade', { value, grade });
}

/**
 * The directions whose load harms a call, worst first: the verdict's, then any whose round trip
 * rose by the harmful added delay or more on the line's account although its own way's transit
 * did not (a call made while downloading waits for the whole round trip, whichever way the queue
 * was). Empty unless the verdict is `suffers`.
 */
function sufferingDirections(l: LoadReport): Array<'up' | 'down'> {
  const v = l.verdict;
  if (v?.kind !== 'suffers') return [];
  const more = (['up', 'down'] as const).filter((direction) => {
    const d = l[direction];
    if (d === null || v.directions.includes(direction)) return false;
    const judged = { probesJudged: d.probes.sent, probesSuspect: d.probes.suspect };
    const added = roundTripAddedMs(d);
    return added !== null && added >= HARMFUL_ADDED_DELAY_MS && (d.attribution?.who ?? 'network') === 'network' && !deviceBusy(judged) && !tooFewProbes(judged);
  });
  return [...v.directions, ...more];
}

/** "uploads and downloads": the side `sufferingDirections` names, for the catalogue's keys. */
export function sufferingSide(l: LoadReport): 'up' | 'down' | 'both' {
  const d = sufferingDirections(l);
  return d.includes('up') ? (d.includes('down') ? 'both' : 'up') : 'down';
}

/**
 * The stored English verdict's sentence, naming each direction that harms a call: a direction
 * the verdict left out whose round trip rose (sufferingDirections) is added with that rise
 * ("...: uploads add 180 ms; downloads add 694 ms to the round trip.").
 */
export function sufferingSentence(l: LoadReport): string {
  const v = l.verdict;
  if (v === undefined) return l.outcome?.sentence ?? '';
  const more = sufferingDirections(l).filter((d) => !v.directions.includes(d));
  if (more.length === 0) return v.text;
  const phrases = more.map((d) => `${WHO[d]} add ${ms(Math.round(roundTripAddedMs(l[d] as LoadDirectionReport) ?? 0))} to the round trip`);
  return `${v.text.replace(/\.$/, '')}; ${phrases.join('; ')}.`;
}

/** One line per loaded direction, for the page, the CLI and the console. */
interface LoadLine {
  direction: 'up' | 'down';
  name: string;
  goodput: string;
  /** The round trip idle, loaded and what the load added to it (loaded minus idle, graded): one set of figures, what a call made then feels. */
  idleRtt: string;
  loadedRtt: string;
  addedRtt: string;
  jitter: string;
  loss: string;
  saturated: string;
  bytes: string;
  /** Whose the added delay was, and why ("this device's: the server saw ..."); '' for a report without it. */
  whose: string;
}

const WHOSE: Readonly<Record<'network' | 'device' | 'server', string>> = { network: "the line's", device: "this device's", server: "the server's" };

/** Why a direction did not fill the line, in `m`'s words ("no (byte budget used)"). */
function saturatedText(d: LoadDirectionReport, m: Messages): string {
  if (d.saturated) return m.t('load.filled.yes');
  if (d.stop === 'time-cap') return m.t('load.filled.time-cap', { seconds: m.fmt.seconds(d.durationMs) });
  return m.t(`load.filled.${d.stop}`);
}

/** The loaded directions' figures, in `m`'s words and numbers (English: the CLI's and the console's too). */
function loadLines(l: LoadReport, m: Messages = EN): LoadLine[] {
  const out: LoadLine[] = [];
  for (const [direction, d] of [
    ['up', l.up],
    ['down', l.down],
  ] as const) {
    if (d === null) continue;
    out.push({
      direction,
      name: m.t(direction === 'up' ? 'load.name.up' : 'load.name.down'),
      goodput: d.goodputMbps === null ? '–' : m.t('load.mbps', { value: m.fmt.num(d.goodputMbps) }),
      idleRtt: m.fmt.figureMs(d.idleRttMs),
      loadedRtt: m.fmt.figureMs(d.loadedRttMs),
      addedRtt: roundTripAddedText(d, m),
      jitter: m.fmt.figureMs(d.jitterMs),
      loss: m.fmt.figurePct(d.lossPct),
      saturated: saturatedText(d, m),
      bytes: m.t('load.megabytes', { value: m.fmt.num(d.bytes / 1e6) }),
      whose: d.attribution === undefined || d.attribution.why === 'nothing-added' ? '' : `${WHOSE[d.attribution.who]}: ${d.attribution.sentence}`,
    });
  }
  return out;
}

/** The busy line's section on the page and `/r/<code>`, every word in one language. */
export interface BusyLineWords {
  title: string;
  /** The verdict's sentence, or why the phase did not run. */
  sentence: string;
  tableLabel: string;
  columns: string[];
  lines: LoadLine[];
  /** "While uploading (you → relay): the added delay was this device's: ..." per attributed direction. */
  whose: Array<{ direction: 'up' | 'down'; text: string }>;
  /** The room a call has, or null. */
  capacity: string | null;
  /** What the phase moved against its budget, and where its grades and bitrates come from. */
  moved: string;
  grades: string;
  bitrates: string | null;
}

/** Why a loaded direction's delay was whose, in another language than English (attributionSentence's words). */
function whyWords(why: Exclude<LoadAttributionWhy, 'nothing-added'>, m: Messages): string {
  if (why === 'server-busy') return m.t('load.why.server-busy', { value: m.fmt.ms(SERVER_BUSY_MS) });
  if (why === 'arrival-gaps') return m.t('load.why.arrival-gaps', { value: m.fmt.ms(ARRIVAL_GAP_EXCESS_MS) });
  if (why === 'receive-lag') return m.t('load.why.receive-lag', { value: m.fmt.ms(RECEIVE_LAG_MS) });
  return m.t(`load.why.${why}`);
}

/** whyWords with what the server's or this device's own delay explains of the added delay, in `m`'s language. */
function whyWordsExcused(why: Exclude<LoadAttributionWhy, 'nothing-added'>, excused: LoadAttribution['excused'], m: Messages): string {
  const words = whyWords(why, m);
  return excused === undefined ? words : m.t(`load.excused.${excused.by}`, { why: words, value: m.fmt.ms(Math.round(excused.ms)) });
}

/** The rates the phase reached, "4,8 Mbit/s beim Hochladen und 19 Mbit/s beim Herunterladen". */
function ratesOf(l: LoadReport, m: Messages): string {
  const rates = [l.up, l.down].flatMap((d, i) =>
    d === null || d.goodputMbps === null
      ? []
      : [m.t(i === 0 ? 'load.rate.up' : 'load.rate.down', { rate: m.t('load.mbps', { value: m.fmt.num(d.goodputMbps) }) })],
  );
  return m.fmt.andList(rates);
}

/** The verdict's sentence in another language than English, from its codes and the directions' figures. */
function verdictWords(l: LoadReport, m: Messages): string {
  const v = l.verdict;
  if (v === undefined) return l.outcome === undefined ? '' : m.t(`load.outcome.${l.outcome.reason}`);
  if (v.kind === 'suffers') return m.t(`busyLine.suffers.${sufferingSide(l)}`);
  if (v.kind === 'could-not-load') {
    const reached = (['up', 'down'] as const).flatMap((direction) => {
      const d = l[direction];
      const who = m.t(direction === 'up' ? 'load.who.up' : 'load.who.down');
      if (d === null) return [m.t('load.reached.notRun', { who })];
      if (d.saturated) return [];
      if (d.goodputMbps === null) return [m.t('load.reached.nothing', { who })];
      return [m.t(`load.reached.${d.stop}`, { who, rate: m.t('load.mbps', { value: m.fmt.num(d.goodputMbps) }) })];
    });
    return m.t('load.verdict.could-not-load', { reached: reached.join(m.t('load.separator')) });
  }
  if (v.kind === 'no-effect') return m.t('load.verdict.no-effect', { rates: ratesOf(l, m) });
  return m.t(v.kind === 'device-busy' ? 'load.verdict.device-busy' : 'load.verdict.server-busy');
}

/** The room a call has, in another language than English, from the capacity's items. */
function capacityWords(l: LoadReport, m: Messages): string | null {
  if (l.capacity === null) return null;
  const use = (u: 'audio' | 'video' | 'screen-sharing'): string => m.t(`load.use.${u}`);
  const yes = l.capacity.items.filter((i) => i.room === 'yes').map((i) => use(i.use));
  const no = l.capacity.items.filter((i) => i.room === 'no').map((i) => use(i.use));
  const room =
    yes.length > 0 && no.length > 0
      ? m.t('load.room.yesNo', { yes: m.fmt.andList(yes), no: m.fmt.orList(no) })
      : yes.length > 0
        ? m.t('load.room.yes', { yes: m.fmt.andList(yes) })
        : no.length > 0
          ? m.t('load.room.no', { no: m.fmt.orList(no) })
          : m.t('load.room.none');
  const rates = ratesOf(l, m);
  return rates === '' ? room : `${room} ${m.t('load.room.carried', { rates })}`;
}

/**
 * The busy line's section in `m`'s language. English shows the report's stored sentences (the
 * verdict, why the phase did not run, whose the delay was, the room for a call) with their
 * figures; another language words them from the report's codes and figures.
 */
export function busyLineWords(l: LoadReport, m: Messages = EN): BusyLineWords {
  const english = m.lang === 'en';
  const lines = loadLines(l, m);
  const mb = (bytes: number): string => m.t('load.megabytes', { value: m.fmt.num(bytes / 1e6) });
  const movedParams = { moved: mb(l.bytes), total: mb(2 * l.budgetBytesPerDirection), each: mb(l.budgetBytesPerDirection) };
  const whose = lines.flatMap((line) => {
    const a = l[line.direction]?.attribution;
    if (a === undefined || a.why === 'nothing-added') return [];
    const why = english ? a.sentence : whyWordsExcused(a.why, a.excused, m);
    return [{ direction: line.direction, text: m.t(`load.whose.${a.who}`, { name: line.name, why }) }];
  });
  return {
    title: m.t('load.title'),
    sentence: english ? sufferingSentence(l) : verdictWords(l, m),
    tableLabel: m.t('load.table'),
    columns: (['while', 'speed', 'idle', 'loaded', 'added', 'jitter', 'loss', 'filled'] as const).map((c) => m.t(`load.column.${c}`)),
    lines,
    whose,
    capacity: english ? (l.capacity?.sentence ?? null) : capacityWords(l, m),
    moved:
      l.durationMs > 0
        ? m.t('load.movedIn', { ...movedParams, seconds: m.t('unit.s', { n: m.fmt.count(Math.round(l.durationMs / 1000)) }) })
        : m.t('load.moved', movedParams),
    grades: m.t('load.grades', { source: l.gradeSource }),
    bitrates: l.capacity === null ? null : m.t('load.bitrates', { source: l.capacity.source }),
  };
}

/** The loaded directions as plain text lines (the CLI summary, the console). */
export function loadTextLines(l: LoadReport): string[] {
  return loadLines(l).map(
    (d) =>
      `${d.name.toLowerCase()}: ${d.goodput}, round trip ${d.idleRtt} idle, ${d.loadedRtt} loaded, added ${d.addedRtt}${d.whose === '' ? '' : `, ${d.whose}`}, jitter ${d.jitter}, loss ${d.loss}, filled the line: ${d.saturated}`,
  );
}

/** The one line the answer for everyone adds: the verdict's text, or why the phase did not run. */
export function loadAnswerLine(l: LoadReport): string {
  return sufferingSentence(l);
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
