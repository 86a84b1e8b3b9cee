/**
 * View models of a report: plain data, ready to print, shared by the page (src/web), the
 * CLI summary, the aggregate's human output and any later reader of stored reports. No DOM,
 * no lit: each reader only lays the text out. Numbers follow format.ts.
 */
import type { AggregateReport } from '../schema/aggregate-schema.js';
import type { GradeDirection, GradeEntry, Report, TargetId, TargetMeta, Verdict } from '../schema/report-schema.js';
import { cautionOfReport } from '../grade/caution.js';
import { REASSURING_MOS } from '../grade/mos.js';
import { targetUnit } from '../grade/targets.js';
import { figure, figureCount, figureMs, figurePct, limit, plural, rungName } from './format.js';
import { busyFigure } from './cause-text.js';
import { EN, type MessageKey, type Messages } from './catalogue.js';
import { explanationOf } from './explain.js';
import { blockedWords } from './ports.js';
import {
  directionWord,
  meansOf,
  methodLines,
  mosAssumptionLines,
  mosText,
  profileName,
  rungDetail,
  secondOpinionLines,
  statisticOf,
  targetName,
  teamsText,
} from './it-words.js';

// ---- The verdict ----

export interface VerdictView {
  verdict: Verdict;
  title: string;
  /** The first sentence of the explanation, then the others. */
  headline: string;
  more: string[];
}

/** The title of a verdict: a pass whose busy line harms calls says so ("Pass, only while the line is quiet"), as its answer does. */
const passTitle = (r: Report): 'title.busyLine' | `title.${Report['summary']['verdict']}` =>
  r.summary.verdict === 'pass' && r.load?.verdict?.kind === 'suffers' ? 'title.busyLine' : `title.${r.summary.verdict}`;

export function verdictView(r: Report, m: Messages = EN): VerdictView {
  const [headline = '', ...more] = explanationOf(r, m);
  // The title of a test that could not finish is never "Fail", unless its network blocked every port calls use (ports.ts blockedWords).
  const blocked = blockedWords(r, m);
  const title =
    blocked !== null ? blocked.title : m.t(r.outcome ? `title.${r.outcome.reason}` : cautionOfReport(r) === 'fallback-path' ? 'title.fallback' : passTitle(r));
  return { verdict: r.summary.verdict, title, headline, more };
}

// ---- One row per grade ----

/** How a grade's direction reads in a table. */
const DIRECTION_TEXT: Readonly<Record<GradeDirection, string>> = { up: 'upstream', down: 'downstream', loop: 'one way', 'round-trip': 'round trip' };

export interface VerdictRow {
  target: TargetId;
  direction: GradeDirection;
  label: string;
  directionText: string;
  statistic: string;
  /** The graded value, never printed equal to the limit it differs from; a dash when none. */
  measured: string;
  /** "< 100 ms". */
  limit: string;
  status: GradeEntry['status'];
  /** Why it could not be judged, in words ("too few packets"), or null. */
  reasonText: string | null;
  sentence: string;
}

/** A grade as a row of the targets table, in `m`'s language (English: the report's own label, statistic and sentence). */
export function verdictRow(g: GradeEntry, m: Messages = EN): VerdictRow {
  return {
    target: g.target,
    direction: g.direction,
    label: targetName(g, m),
    directionText: directionWord(g.direction, m),
    statistic: statisticOf(g, m),
    measured: m.fmt.figure(g.value, g.unit, g.threshold),
    limit: m.t('it.limit', { value: m.fmt.limitValue(g.threshold, g.unit) }),
    status: g.status,
    reasonText: g.reason === null ? null : m.t(`it.reason.${g.reason}`),
    sentence: meansOf(g, m),
  };
}

export const verdictRows = (r: Pick<Report, 'grades'>, m: Messages = EN): VerdictRow[] => r.grades.map((g) => verdictRow(g, m));

// ---- Key figures ----

/** A run of text; `emphasis` marks a figure, `failed` a figure whose target failed (the one the page sets in bold). */
export interface TextPart {
  text: string;
  emphasis: boolean;
  failed?: boolean;
}

export interface FigureLine {
  id: 'rtt' | 'jitter' | 'loss' | 'reorder' | 'mos' | 'probes' | 'busy';
  parts: TextPart[];
}

const t = (text: string): TextPart => ({ text, emphasis: false });

/**
 * A message's text as parts: each `{name}` placeholder becomes the part given for it, the text
 * between stays plain (adjacent plain text joined into one part).
 */
function partsOf(template: string, values: Readonly<Record<string, TextPart>>): TextPart[] {
  const out: TextPart[] = [];
  for (const piece of template.split(/(\{[A-Za-z0-9]+\})/)) {
    if (piece === '') continue;
    const name = /^\{([A-Za-z0-9]+)\}$/.exec(piece)?.[1];
    const part = (name === undefined ? undefined : values[name]) ?? t(piece);
    const last = out[out.length - 1];
    if (last !== undefined && !last.emphasis && !part.emphasis) out[out.length - 1] = t(`${last.text}${part.text}`);
    else out.push(part);
  }
  return out;
}

/** A line as plain text. */
export const plainText = (parts: readonly TextPart[]): string => parts.map((p) => p.text).join('');

/** The threshold of a target in this report (undefined when the report has none). */
function thresholdOf(targets: readonly TargetMeta[], target: TargetId): number | undefined {
  return targets.find((x) => x.target === target)?.threshold;
}

/**
 * The graded value of a target: for one direction, that grade's; otherwise the worst over the
 * grades of the target (null when none has a value). Sentences about a target quote this same
 * value, so every number beside a sentence is the number in it.
 */
export function gradedValue(
  grades: readonly Pick<GradeEntry, 'target' | 'direction' | 'value'>[],
  target: TargetId,
  direction?: GradeDirection,
): number | null {
  let out: number | null = null;
  for (const g of grades) {
    if (g.target !== target || (direction !== undefined && g.direction !== direction) || g.value === null) continue;
    if (out === null || g.value > out) out = g.value;
  }
  return out;
}

/**
 * Whether this device's timing is part of a direction's jitter (`attribution.directions[].jitter.device`,
 * measure/jitter.ts reportedJitter); any direction when none is named.
 */
function jitterIsDevices(a: Report['attribution'] | undefined, direction?: 'up' | 'down'): boolean {
  return (a?.directions ?? []).some((d) => (direction === undefined || d.direction === direction) && d.jitter?.device === true);
}

/**
 * The test's key figures, as graded: loss and jitter over the worst 15 s, the worst 200 ms, the
 * median round trip, reorder over the test (the values in the targets table and in the answer).
 * A target no grade could value falls back to the whole-test figure, labelled so. Each is
 * compared with the target of its metric (format.ts rule 3).
 */
export function keyFigures(r: Pick<Report, 'summary' | 'meta' | 'grades'> & { attribution?: Report['attribution'] }, m: Messages = EN): FigureLine[] {
  const s = r.summary;
  const limitOf = (target: TargetId): number | undefined => thresholdOf(r.meta.targets, target);
  const rtt = limitOf('latency-rtt');
  // Only what failed stands out: a figure over its target that did not fail (not judged) is not set apart.
  const failed = new Set(r.grades.filter((g) => g.status === 'fail').map((g) => g.target));
  const fig =
    (target: TargetId | null) =>
    (text: string): TextPart => ({ text, emphasis: true, failed: target !== null && failed.has(target) });
  const em = fig(null);
  const line = (key: MessageKey, values: Readonly<Record<string, TextPart>>): TextPart[] => partsOf(m.template(key), values);
  /** The graded value over the worst 15 s, or the whole test's when no grade valued it: which, and its part. */
  const graded = (target: TargetId, wholeTest: number | null): { worst: boolean; part: TextPart } => {
    const v = gradedValue(r.grades, target);
    const fmt = targetUnit(target) === 'ms' ? m.fmt.figureMs : m.fmt.figurePct;
    return { worst: v !== null, part: fig(target)(fmt(v ?? wholeTest, limitOf(target))) };
  };
  const jitter = graded('jitter-15s', s.jitterMs);
  const loss = graded('loss-15s', s.lossPct);
  const rttFig = fig(failed.has('latency-one-way') ? 'latency-one-way' : 'latency-rtt');
  const burst = gradedValue(r.grades, 'burst-loss-200ms') ?? s.burstLossPctMax200ms;
  const reorder = gradedValue(r.grades, 'reorder') ?? s.reorderPct;
  // No verdict because this device or the server was busy: the figure the answer quotes (present/cause-text.ts).
  const busy = busyFigure({ ...r, outcome: null });
  return [
    { id: 'rtt', parts: line('figures.rtt', { p50: rttFig(m.fmt.figureMs(s.rttMsP50, rtt)), p90: em(m.fmt.figureMs(s.rttMsP90, rtt)) }) },
    {
      id: 'jitter',
      // A figure this device's timing is part of is never given as the network's alone.
      parts: [
        ...line(jitter.worst ? 'figures.jitterWorst' : 'figures.jitterWhole', { value: jitter.part }),
        ...(jitterIsDevices(r.attribution) ? [t(` ${m.t('figures.jitterDevice')}`)] : []),
      ],
    },
    {
      id: 'loss',
      parts: line(loss.worst ? 'figures.lossWorst' : 'figures.lossWhole', {
        value: loss.part,
        burst: fig('burst-loss-200ms')(m.fmt.figurePct(burst, limitOf('burst-loss-200ms'))),
      }),
    },
    { id: 'reorder', parts: line('figures.reorder', { value: fig('reorder')(m.fmt.figurePct(reorder, limitOf('reorder'))) }) },
    {
      id: 'mos',
      // A good estimate beside a fail would reassure wrongly: say what it is.
      parts: line(s.verdict === 'fail' && s.mos !== null && s.mos >= REASSURING_MOS ? 'figures.mosCaveat' : 'figures.mos', {
        value: em(m.fmt.figure(s.mos, 'mos')),
      }),
    },
    {
      id: 'probes',
      parts: line('figures.probes', {
        probes: em(`${m.fmt.figureCount(s.packetsReceived)} / ${m.fmt.figureCount(s.packetsSent)}`),
        rate: t(m.fmt.figureCount(s.ratePps)),
      }),
    },
    ...(busy === null ? [] : [{ id: 'busy' as const, parts: line(busy.label, { value: em(m.fmt.figureMs(busy.valueMs)) }) }]),
  ];
}

/** How the test ran, e.g. "client to relay edge; reflector mode via udp/3478; 15 s at 100 probes/s" (the profile's label as the report stores it). */
export function testContext(r: Pick<Report, 'meta' | 'path'>, m: Messages = EN): string {
  const meta = r.meta;
  return m.t('cli.context', {
    profile: profileName(meta.profile, m),
    mode: m.t(`cli.mode.${meta.mode}`),
    path: `${r.path.transport}/${r.path.port === null ? '?' : String(r.path.port)}`,
    seconds: m.t('unit.s', { n: m.fmt.num(meta.durationS) }),
    rate: m.fmt.num(meta.ratePps),
  });
}

// ---- Each direction ----

export interface DirectionRow {
  name: string;
  loss: string;
  jitter: string;
  reorder: string;
  lostProbes: string;
}

/**
 * Upstream and downstream side by side (reflector mode), as graded: each direction's grade of
 * each target (the whole-test figure where the grade has no value); no rows in loopback mode.
 */
export function directionRows(r: Pick<Report, 'summary' | 'meta' | 'grades'> & { attribution?: Report['attribution'] }, m: Messages = EN): DirectionRow[] {
  const { upstream, downstream } = r.summary;
  if (upstream === null || downstream === null) return [];
  const limitOf = (target: TargetId): number | undefined => thresholdOf(r.meta.targets, target);
  const f = m.fmt;
  const row = (dir: 'up' | 'down', d: typeof upstream): DirectionRow => ({
    name: m.t(`it.directions.${dir}`),
    loss: f.figurePct(gradedValue(r.grades, 'loss-15s', dir) ?? d.lossPct, limitOf('loss-15s')),
    jitter: `${f.figureMs(gradedValue(r.grades, 'jitter-15s', dir) ?? d.jitterMs, limitOf('jitter-15s'))}${jitterIsDevices(r.attribution, dir) ? ` ${m.t('figures.jitterDevice')}` : ''}`,
    reorder: f.figurePct(gradedValue(r.grades, 'reorder', dir) ?? d.reorderPct, limitOf('reorder')),
    lostProbes: f.figureCount(d.packetsLost),
  });
  return [row('up', upstream), row('down', downstream)];
}

// ---- The evidence ----

interface PortRow {
  /** "UDP 3478". */
  name: string;
  open: boolean;
  /** Whether the server offered this rung at all (a standard rung it lacks is listed, not tested). */
  offered: boolean;
  /** "allocated in 246 ms", or the error. */
  detail: string;
}

export interface DetailsView {
  /** "UDP 3478". */
  pathUsed: string;
  ports: PortRow[];
  warnings: string[];
  secondOpinion: string[];
  mos: string;
  teams: string;
  assumptions: string[];
  /** Methods, each target's resolution, and what the collectors noticed. */
  methods: string[];
}

/**
 * The evidence in `m`'s language: the relay ports' answers, the second opinion's figures, the MOS
 * estimate and the Teams tier from their codes and figures (it-words.ts); the warnings, the
 * second opinion's notes and each target's resolution note are the report's own sentences; the MOS
 * assumptions and the methods are the report's in English, else worded from its loss timeout.
 */
export function detailsView(r: Report, m: Messages = EN): DetailsView {
  const so = r.secondOpinion;
  return {
    pathUsed:
      r.path.transport === 'unknown' ? m.t('it.ports.none') : `${r.path.transport.toUpperCase()}${r.path.port === null ? '' : ` ${String(r.path.port)}`}`,
    ports: r.connectivity.map((p) => ({
      name: rungName(p),
      open: p.reachable,
      offered: p.error !== 'not-offered',
      // The row already names the rung: its sentence goes on from there ("UDP 3478: did not answer.").
      detail: rungDetail(p, m),
    })),
    warnings: r.diagnostics.warnings.map((w) => w.message),
    secondOpinion:
      m.lang === 'en'
        ? [...secondOpinionLines(so, m).slice(0, 2), ...so.disagreements.map((d) => d.sentence), ...so.notes]
        : [...secondOpinionLines(so, m), ...so.notes],
    mos: mosText(r.mos, r.summary.verdict, m),
    teams: teamsText(r.teamsPoorStream, m),
    assumptions: mosAssumptionLines(r.mos, m),
    methods: [...methodLines(r, m), ...r.meta.targets.map((x) => `${targetName(x, m)}: ${x.note}`), ...r.diagnostics.notes],
  };
}

// ---- Live figures while a test runs ----

/** The running figures the page shows (the session's LiveFigures fit this shape). */
export interface LiveNumbers {
  rttMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  sent: number;
  received: number;
}

export interface LiveView {
  rtt: string;
  jitter: string;
  loss: string;
  /** "sent / received". */
  count: string;
}

/** One point of the live chart: the figures at a whole second of the test. */
export interface ChartPoint {
  elapsedS: number;
  rttMs: number | null;
  jitterMs: number | null;
}

export interface ChartTable {
  /** The chart in one sentence, for people who cannot see it. */
  summary: string;
  rows: Array<{ seconds: string; rtt: string; jitter: string }>;
}

/** The chart as words and as a table (one row per point), with the live tiles' formatting. */
export function chartTable(points: readonly ChartPoint[]): ChartTable {
  const range = (name: string, values: number[]): string | null => {
    if (values.length === 0) return null;
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    return `${name} ${lo === hi ? `stayed at ${figureMs(lo)}` : `ranged from ${figureMs(lo)} to ${figureMs(hi)}`}`;
  };
  const parts = [
    range(
      'round trip',
      points.flatMap((p) => (p.rttMs === null ? [] : [p.rttMs])),
    ),
    range(
      'jitter',
      points.flatMap((p) => (p.jitterMs === null ? [] : [p.jitterMs])),
    ),
  ].filter((x): x is string => x !== null);
  const last = points.at(-1);
  const summary =
    parts.length === 0 || last === undefined
      ? 'No figures yet.'
      : `Over ${plural(Math.round(last.elapsedS), 'second')}, ${parts.join('; ')} (live figures; the graded ones are in the result).`;
  return { summary, rows: points.map((p) => ({ seconds: String(Math.round(p.elapsedS)), rtt: figureMs(p.rttMs), jitter: figureMs(p.jitterMs) })) };
}

export function liveView(f: LiveNumbers | null): LiveView {
  return {
    rtt: figureMs(f?.rttMs),
    jitter: figureMs(f?.jitterMs),
    loss: figurePct(f?.lossPct),
    count: `${figureCount(f?.sent)} / ${figureCount(f?.received)}`,
  };
}

// ---- Plain text (the CLI) ----

/** First letter lower-cased unless the word is an acronym ("Round trip" -> "round trip", "MOS" stays). */
export const lowerFirst = (s: string): string => s.replace(/^[A-Z](?=[a-z ])/, (c) => c.toLowerCase());

/** The key figures as one line of plain text: "round trip p50 1.5 ms, p90 2.0 ms; jitter 0.4 ms; ...". */
export function keyFiguresText(r: Pick<Report, 'summary' | 'meta' | 'grades'> & { attribution?: Report['attribution'] }): string {
  return keyFigures(r)
    .map((line) => lowerFirst(plainText(line.parts)))
    .join('; ');
}

/**
 * A direction row as plain text: "upstream (you → relay): loss 0.00% and jitter 0.4 ms (worst 15 s), reorder 0.00%, 0 lost probes"
 * (English lower-cases the direction's name, which opens the line mid-summary; another language keeps its own case).
 */
export function directionText(d: DirectionRow, m: Messages = EN): string {
  const name = m.lang === 'en' ? lowerFirst(d.name) : d.name;
  return m.t('cli.direction', { name, loss: d.loss, jitter: d.jitter, reorder: d.reorder, lostProbes: d.lostProbes });
}

// ---- The P90 aggregate ----

export interface AggregateView {
  verdict: Verdict;
  /** "Verdict over 10 tests (90th percentile)". */
  heading: string;
  explanation: string[];
  rows: Array<Omit<VerdictRow, 'reasonText'> & { /** "9 of 10 tests graded". */ tests: string }>;
}

export function aggregateView(a: AggregateReport): AggregateView {
  return {
    verdict: a.verdict,
    heading: `Verdict over ${figureCount(a.tests)} tests (90th percentile)`,
    explanation: [...a.explanation],
    rows: a.entries.map((e) => ({
      target: e.target,
      direction: e.direction,
      label: e.label,
      directionText: DIRECTION_TEXT[e.direction],
      statistic: e.statistic,
      measured: figure(e.p90, e.unit, e.threshold),
      limit: limit(e.threshold, e.unit),
      status: e.status,
      sentence: e.sentence,
      tests: `${figureCount(e.testsGraded)} of ${figureCount(e.testsGraded + e.testsInsufficient)} tests graded`,
    })),
  };
}
