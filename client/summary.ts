import type { Report } from '../src/analysis/schema/report-schema.js';
import { directionRows, directionText, keyFiguresText, testContext, verdictRows } from '../src/analysis/present/view.js';
import { adviceHeading, answerView, UNCONFIRMED_MEANING, verdictWords } from '../src/analysis/present/answer.js';
import { factLine } from '../src/analysis/present/facts.js';
import { loadAnswerLine, loadTextLines, megabytes } from '../src/analysis/present/load.js';
import { edgeSentence } from '../src/analysis/present/locate.js';
import { devicesLines } from '../src/analysis/present/devices.js';
import { reachabilityLines } from '../src/analysis/present/reachability.js';
import { networkLines } from '../src/analysis/present/network.js';
import { regionSentences } from '../src/analysis/present/region.js';
import { EN, type Messages } from '../src/analysis/present/catalogue.js';

/**
 * The short human summary `callprobe run` prints without --json: the page's view models as
 * plain text. The first two lines are always the verdict and the answer sentence; a caution
 * (a pass only over a fallback path), an early fail withdrawn, and the facts that hold whatever
 * the verdict (a fallback path, blocked ports, a relay that refused, a busy device or server),
 * each with its action, come right after them, then where the test ran (a hub's edge: the
 * nearest test server and what else was tried), the region leg's sentence and, when a device check ran, the user's devices, and the listed media relays' reachability.
 */
export function formatSummary(r: Report, m: Messages = EN): string {
  const a = answerView(r, m);
  const rows = verdictRows(r);
  const unconfirmed = rows.some((row) => a.statusText(row) === m.t('status.unconfirmed'));
  const where = edgeSentence(r, m);
  const lines = [
    m.t('cli.verdict', { verdict: verdictWords(r, m) }),
    `  ${a.sentence}`,
    ...(a.caution === null ? [] : [`  ${a.caution}`]),
    ...(a.withdrawn === null ? [] : [`  ${a.withdrawn}`]),
    ...a.facts.map((f) => `  ! ${factLine(f)}`),
    ...(where === null ? [] : [`  ${where}`]),
    ...regionSentences(r, m).map((s) => `  ${s}`),
    ...(r.devices === undefined ? [] : ['  Devices (never part of the verdict):', ...devicesLines(r.devices).map((line) => `    ${line}`)]),
    ...(r.network === undefined ? [] : ['  The network this machine is on:', ...networkLines(r.network).map((line) => `    ${line}`)]),
    ...(r.teamsReachability === undefined ? [] : reachabilityLines(r.teamsReachability).map((line, i) => (i === 0 ? `  ${line}` : `    ${line}`))),
    ...a.findings.map((f) => `  - ${f.sentence}`),
    ...(a.advice.length > 0
      ? [
          `  ${m.t('cli.heading', { heading: adviceHeading(a.tone, m) })}`,
          ...a.advice.map((x, i) => `    ${String(i + 1)}. ${m.t('cli.advice', { text: x.text, because: x.because })}`),
        ]
      : []),
    '',
    ...r.explanation.map((e) => `  ${e}`),
    '',
    `  ${testContext(r)}`,
    `  ${keyFiguresText(r)}`,
    ...directionRows(r).map((d) => `  ${directionText(d)}`),
    ...(r.load
      ? [
          '',
          `  With the line busy: ${loadAnswerLine(r.load)}`,
          ...loadTextLines(r.load).map((x) => `    ${x}`),
          ...(r.load.capacity ? [`    ${r.load.capacity.sentence}`] : []),
          `    moved ${megabytes(r.load.bytes)} of at most ${megabytes(2 * r.load.budgetBytesPerDirection)}`,
        ]
      : []),
    '',
    ...rows.map((row) => `  ${a.statusText(row).toUpperCase().padEnd(20)} ${row.sentence}`),
    ...(unconfirmed ? ['', `  ${UNCONFIRMED_MEANING[0]?.toUpperCase() ?? ''}${UNCONFIRMED_MEANING.slice(1)}`] : []),
    '',
  ];
  return lines.join('\n');
}
