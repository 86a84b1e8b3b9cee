import type { GradeEntry, Report } from '../src/analysis/schema/report-schema.js';
import {
  directionRows,
  directionText,
  keyFigures,
  keyFiguresText,
  plainText,
  testContext,
  verdictRows,
  type VerdictRow,
} from '../src/analysis/present/view.js';
import { adviceHeading, answerView, verdictWords } from '../src/analysis/present/answer.js';
import { explanationOf } from '../src/analysis/present/explain.js';
import { factLine } from '../src/analysis/present/facts.js';
import { busyLineWords, loadAnswerLine, loadTextLines, megabytes } from '../src/analysis/present/load.js';
import { videoWords } from '../src/analysis/present/video.js';
import { edgeSentence } from '../src/analysis/present/locate.js';
import { devicesLines } from '../src/analysis/present/devices.js';
import { reachabilityLines } from '../src/analysis/present/reachability.js';
import { networkLines } from '../src/analysis/present/network.js';
import { qosLines } from '../src/analysis/present/qos.js';
import { regionSentences } from '../src/analysis/present/region.js';
import { EN, type Messages } from '../src/analysis/present/catalogue.js';

/**
 * The short human summary `callprobe run` prints without --json: the page's view models as
 * plain text. The first two lines are always the verdict and the answer sentence; a caution
 * (a pass only over a fallback path), an early fail withdrawn, and the facts that hold whatever
 * the verdict (a fallback path, blocked ports, a relay that refused, a busy device or server),
 * each with its action, come right after them, then where the test ran (a hub's edge: the
 * nearest test server and what else was tried), the region leg's sentence and, when a device check ran, the user's devices, and the listed media relays' reachability.
 * Below the advice: the explanation, how the test ran, the key figures, each direction, the busy
 * line, and the targets. English prints the report's stored sentences; another language (`--lang`)
 * words them from the report's codes and figures, the targets as a table under column heads.
 */
export function formatSummary(r: Report, m: Messages = EN): string {
  const a = answerView(r, m);
  const where = edgeSentence(r, m);
  const lines = [
    m.t('cli.verdict', { verdict: verdictWords(r, m) }),
    `  ${a.sentence}`,
    ...(a.caution === null ? [] : [`  ${a.caution}`]),
    ...(a.withdrawn === null ? [] : [`  ${a.withdrawn}`]),
    ...a.facts.map((f) => `  ! ${factLine(f)}`),
    ...(where === null ? [] : [`  ${where}`]),
    ...regionSentences(r, m).map((s) => `  ${s}`),
    ...(r.devices === undefined ? [] : [`  ${m.t('cli.devices')}`, ...devicesLines(r.devices, m).map((line) => `    ${line}`)]),
    ...(r.network === undefined ? [] : [`  ${m.t('cli.network')}`, ...networkLines(r.network, m).map((line) => `    ${line}`)]),
    ...(r.qos === undefined ? [] : [`  ${m.t('qos.title')}`, ...qosLines(r.qos, m, r.meta.browser).map((line) => `    ${line}`)]),
    ...(r.teamsReachability === undefined ? [] : reachabilityLines(r.teamsReachability, m).map((line, i) => (i === 0 ? `  ${line}` : `    ${line}`))),
    ...a.findings.map((f) => `  - ${f.sentence}`),
    ...(a.advice.length > 0
      ? [
          `  ${m.t('cli.heading', { heading: adviceHeading(a.tone, m) })}`,
          ...a.advice.map((x, i) => `    ${String(i + 1)}. ${m.t('cli.advice', { text: x.text, because: x.because })}`),
        ]
      : []),
    '',
    ...explanationOf(r, m).map((e) => `  ${e}`),
    '',
    `  ${testContext(r, m)}`,
    // English keeps its one line of figures; another language one figure a line (its own case, no glued list).
    ...(m.lang === 'en' ? [`  ${keyFiguresText(r)}`] : keyFigures(r, m).map((line) => `  ${plainText(line.parts)}`)),
    ...directionRows(r, m).map((d) => `  ${directionText(d, m)}`),
    ...busyLines(r, m),
    ...videoLines(r, m),
    '',
    ...(m.lang === 'en' ? targetLines(r, a.statusText) : targetTable(r, m, a.statusText)),
  ];
  return lines.join('\n');
}

/** The busy line's lines: English the report's own sentences, another language its codes and figures (load.ts). */
function busyLines(r: Report, m: Messages): string[] {
  const l = r.load;
  if (!l) return [];
  if (m.lang === 'en') {
    return [
      '',
      `  With the line busy: ${loadAnswerLine(l)}`,
      ...loadTextLines(l).map((x) => `    ${x}`),
      ...(l.capacity ? [`    ${l.capacity.sentence}`] : []),
      `    moved ${megabytes(l.bytes)} of at most ${megabytes(2 * l.budgetBytesPerDirection)}`,
    ];
  }
  const w = busyLineWords(l, m);
  return [
    '',
    `  ${m.t('cli.load', { title: w.title, sentence: w.sentence })}`,
    ...w.lines.map((d) => `    ${m.t('cli.load.line', d)}`),
    ...w.whose.map((x) => `    ${x.text}`),
    ...(w.capacity === null ? [] : [`    ${w.capacity}`]),
    `    ${w.moved}`,
  ];
}

/** The video phase's lines (../src/analysis/present/video.ts): what fits through the relay, then each direction. */
function videoLines(r: Report, m: Messages): string[] {
  const w = videoWords(r, m);
  if (w === null) return [];
  return ['', `  ${w.title}: ${w.sentence}`, ...w.lines.map((x) => `    ${x}`), ...(w.udpLimited === null ? [] : [`    ${w.udpLimited}`]), `    ${w.source}`];
}

type StatusText = (g: Pick<GradeEntry, 'status' | 'target' | 'direction'>) => string;

/** English: each grade's status and the report's sentence, then what "pass, not confirmed" means where it is shown. */
function targetLines(r: Report, statusText: StatusText): string[] {
  const rows = verdictRows(r);
  return [...rows.map((row) => `  ${statusText(row).toUpperCase().padEnd(20)} ${row.sentence}`), ...unconfirmedNote(rows, statusText, EN), ''];
}

/**
 * Another language: the targets as a table (result and why it was not judged, measured, limit,
 * target with its direction and statistic), every word from the catalogue and it-words.ts.
 */
function targetTable(r: Report, m: Messages, statusText: StatusText): string[] {
  const rows = verdictRows(r, m);
  const cells = [
    [m.t('it.targets.result'), m.t('it.targets.measured'), m.t('it.targets.limit'), m.t('it.targets.target')],
    ...rows.map((row) => {
      // Why a target was not judged goes with its result, as on the page.
      const status = statusText(row).toUpperCase();
      return [
        row.reasonText === null ? status : m.t('cli.status.reason', { status, reason: row.reasonText }),
        row.measured,
        row.limit,
        m.t('cli.target', { name: row.label, direction: row.directionText, statistic: row.statistic }),
      ];
    }),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => columns(c[i] ?? ''))));
  const line = (c: string[]): string => `  ${c.map((text, i) => (i < 3 ? pad(text, (widths[i] ?? 0) + 2) : text)).join('')}`;
  return [...cells.map(line), ...unconfirmedNote(rows, statusText, m), ''];
}

/** What "pass, not confirmed" means, after the targets, when a row says it. */
function unconfirmedNote(rows: readonly VerdictRow[], statusText: StatusText, m: Messages): string[] {
  if (!rows.some((row) => statusText(row) === m.t('status.unconfirmed'))) return [];
  const text = m.t('status.unconfirmedMeaning');
  return ['', `  ${text.charAt(0).toUpperCase()}${text.slice(1)}`];
}

/** The terminal columns a text takes: an East Asian wide or full-width character takes two. */
function columns(text: string): number {
  let n = 0;
  for (const ch of text)
    n +=
      /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u.test(
        ch,
      )
        ? 2
        : 1;
  return n;
}

/** `text` padded with spaces to `width` terminal columns. */
const pad = (text: string, width: number): string => `${text}${' '.repeat(Math.max(0, width - columns(text)))}`;
