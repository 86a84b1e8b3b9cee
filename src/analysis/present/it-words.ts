/**
 * Details for IT in another language than English, worded from a report's codes and figures
 * (never from the English sentences it stores): each grade's name, statistic and what it means,
 * a relay port's answer, the second opinion's figures, the MOS estimate and the Teams dashboard
 * tier. English keeps the stored sentences, byte for byte: each function here returns them
 * when `m` is English. Pure.
 */
import type { GradeDirection, GradeEntry, MosReport, Report, Rung, TeamsPoorStream, Verdict } from '../schema/report-schema.js';
import { JITTER_BUFFER_FACTOR, JITTER_BUFFER_MIN_MS, REASSURING_MOS, satisfaction } from '../grade/mos.js';
import { azureRowOf } from '../grade/targets.js';
import { MISSING, rungName } from './format.js';
import type { MessageKey, Messages } from './catalogue.js';

/** The targets' profile by name: the report's label in English, else worded from its id (an Azure region keeps its own name). */
export function profileName(p: Pick<Report['meta']['profile'], 'id' | 'label' | 'azureRegion' | 'from'>, m: Messages): string {
  if (m.lang === 'en') return p.label;
  if (p.id === 'azure-region') {
    const customer = p.azureRegion ?? '';
    const azure = azureRowOf(customer)?.azureRegion ?? customer;
    return m.t(p.from === 'edge' ? 'it.profile.azure-region.edge' : 'it.profile.azure-region.site', { azure, customer });
  }
  return m.t(`it.profile.${p.id}`);
}

/** A grade's target by name: the report's label in English, the catalogue's name of its code in another language. */
export const targetName = (g: Pick<GradeEntry, 'target' | 'label'>, m: Messages): string => (m.lang === 'en' ? g.label : m.t(`targetLabel.${g.target}`));

/** What a grade measured ("worst 15 s window"): the report's own words in English. */
export const statisticOf = (g: Pick<GradeEntry, 'target' | 'statistic'>, m: Messages): string => (m.lang === 'en' ? g.statistic : m.t(`it.stat.${g.target}`));

/** A direction in a table row ("upstream"). */
export const directionWord = (d: GradeDirection, m: Messages): string => m.t(`it.dir.${d}`);

/** What one grade means, in one sentence: the stored sentence in English, else its status, figure, limit and reason in `m`'s words. */
export function meansOf(g: GradeEntry, m: Messages): string {
  if (m.lang === 'en') return g.sentence;
  const who = m.t(`it.who.${g.direction}`);
  if (g.status === 'insufficient' || g.reason !== null) {
    return m.t('it.means.notJudged', { who, because: m.t(`because.${g.reason ?? 'no-data'}`) });
  }
  const params = {
    who,
    value: m.fmt.figure(g.value, g.unit, g.threshold),
    statistic: statisticOf(g, m),
    limit: m.fmt.limitValue(g.threshold, g.unit),
  };
  const sentence = m.t(g.status === 'pass' ? 'it.means.pass' : 'it.means.fail', params);
  // A ratio that passed carries its upper 95 % bound, as the English sentence does.
  const upper = g.confidence.upperPct;
  return g.status === 'pass' && g.unit === '%' && upper !== null ? m.t('it.means.confidence', { sentence, upper: m.fmt.pct(upper) }) : sentence;
}

/** What a relay port answered, after its name ("did not answer."): the stored words in English, else from its error code. */
export function rungDetail(p: Rung, m: Messages): string {
  const name = rungName(p);
  if (p.reachable) return m.t('it.ports.allocated', { value: p.allocateMs === null ? MISSING : m.fmt.ms(p.allocateMs) });
  if (m.lang === 'en' || p.error === null) {
    const text = p.errorText ?? p.error ?? MISSING;
    return text.startsWith(`${name} `) ? text.slice(name.length + 1) : text;
  }
  switch (p.error) {
    case 'not-offered':
      return p.transport === 'tls' ? m.t('it.rung.not-offered.tls') : m.t('it.rung.not-offered', { name });
    case 'timeout':
    case 'tls-handshake':
    case 'loopback-refused':
    case 'not-tried':
    case 'server-busy':
      return m.t(`it.rung.${p.error}`);
    case 'gather-failed':
      return m.t('it.rung.gather-failed', { name });
    default: {
      const turn = /^turn-(\d{3})$/.exec(p.error)?.[1];
      if (turn === '401' || turn === '403' || turn === '486' || turn === '508') return m.t(`it.rung.turn-${turn}`);
      return m.t('it.rung.turn', { code: turn ?? p.error });
    }
  }
}

/** The second opinion's figures and disagreements (its free notes stay as stored). */
export function secondOpinionLines(so: Report['secondOpinion'], m: Messages): string[] {
  const f = m.fmt;
  const samples = (n: number): string => m.plural(n, 'it.so.samples.one', 'it.so.samples.other', { count: f.count(n) });
  return [
    m.t('it.so.rtt', {
      ice: f.figureCount(so.iceSamples),
      iceRtt: f.figureMs(so.iceRttMsMedian),
      rtcp: f.figureCount(so.rtcpSamples),
      rtcpRtt: f.figureMs(so.rtcpRttMsMedian),
      probes: f.figureMs(so.probeRttMsP50),
    }),
    m.t('it.so.jitter', { value: f.figureMs(so.inboundJitterMsMedian), source: m.t(`it.so.source.${so.audioSource ?? 'none'}`) }),
    ...so.disagreements.map((d) => {
      const plain = m.t(`it.so.what.${d.source}`);
      const what = d.source !== 'inbound-jitter' && so.statsRttScale !== 1 ? m.t('it.so.halved', { what: plain }) : plain;
      return m.t('it.so.disagree', { what, value: f.ms(d.statsValue), samples: samples(d.samples), probe: f.ms(d.probeValue), tolerance: f.ms(d.toleranceMs) });
    }),
  ];
}

/** grade/mos.ts's satisfaction classes (ITU-T G.109), by their English words. */
const SATISFACTION: Readonly<Record<string, Extract<MessageKey, `it.mos.sat.${string}`>>> = {
  'very satisfied': 'it.mos.sat.verySatisfied',
  satisfied: 'it.mos.sat.satisfied',
  'some users dissatisfied': 'it.mos.sat.some',
  'many users dissatisfied': 'it.mos.sat.many',
  'nearly all users dissatisfied': 'it.mos.sat.nearlyAll',
  'not recommended': 'it.mos.sat.notRecommended',
};

/** The MOS estimate in words (sentences.ts's mosSentence, from the same figures). */
export function mosText(mos: MosReport, verdict: Verdict, m: Messages): string {
  if (m.lang === 'en') return mos.sentence;
  if (mos.value === null || mos.rFactor === null) return m.t('it.mos.none');
  const estimate = m.t('it.mos.estimate', {
    value: m.fmt.figure(mos.value, 'mos'),
    r: m.fmt.num(mos.rFactor),
    satisfaction: m.t(SATISFACTION[satisfaction(mos.rFactor)] ?? 'it.mos.sat.notRecommended'),
  });
  return m.t(verdict === 'fail' && mos.value >= REASSURING_MOS ? 'it.mos.besideFail' : 'it.mos.informs', { estimate });
}

/** grade/teams-tier.ts's metrics, by their English names. */
const TEAMS_METRIC: Readonly<Record<string, Extract<MessageKey, `it.teams.metric.${string}`>>> = {
  'audio degradation avg': 'it.teams.metric.degradation',
  'round trip': 'it.teams.metric.rtt',
  'packet loss rate': 'it.teams.metric.loss',
  jitter: 'it.teams.metric.jitter',
  'ratio concealed samples avg': 'it.teams.metric.concealed',
};

/** The Teams dashboard tier in words (sentences.ts's teamsSentence, from the same checks). */
export function teamsText(t: TeamsPoorStream, m: Messages): string {
  if (m.lang === 'en') return t.sentence;
  if (t.classification === 'unclassified') return m.t('it.teams.unclassified');
  if (t.classification === 'not-poor') return m.t('it.teams.notPoor');
  const show = (v: number, unit: string): string => (unit === 'ms' ? m.fmt.ms(v) : unit === '%' ? m.fmt.pct(v) : m.fmt.num(v));
  const checks = t.checks
    .filter((c) => c.poor === true)
    .map((c) => {
      const key = TEAMS_METRIC[c.metric];
      return m.t('it.teams.check', { metric: key === undefined ? c.metric : m.t(key), value: show(c.value ?? 0, c.unit), limit: show(c.threshold, c.unit) });
    });
  return m.t('it.teams.poor', { checks: checks.join(m.t('load.separator')) });
}

/**
 * How each figure was measured (the stored `meta.methods` in English), worded in `m`'s language
 * from the loss timeout the report keeps: the methods of methodSentences (./sentences.ts).
 */
export function methodLines(r: Pick<Report, 'meta'>, m: Messages): string[] {
  if (m.lang === 'en') return [...r.meta.methods];
  return [
    m.t('it.methodLine.percentiles'),
    m.t('it.methodLine.rtt'),
    m.t('it.methodLine.loss', { timeout: m.t('unit.ms', { n: m.fmt.count(r.meta.lossTimeoutMs) }) }),
    m.t('it.methodLine.jitter'),
    m.t('it.methodLine.windows'),
    m.t('it.methodLine.reorder'),
    m.t('it.methodLine.confidence'),
    m.t('it.methodLine.grades'),
  ];
}

/** The MOS estimate's assumptions (the stored `mos.assumptions` in English), worded in `m`'s language: those of ../grade/mos.ts. */
export function mosAssumptionLines(mos: Pick<MosReport, 'assumptions'>, m: Messages): string[] {
  if (m.lang === 'en' || mos.assumptions.length === 0) return [...mos.assumptions];
  return [
    m.t('it.mosAssume.model'),
    m.t('it.mosAssume.codec'),
    m.t('it.mosAssume.delay', { min: m.t('unit.ms', { n: m.fmt.count(JITTER_BUFFER_MIN_MS) }), factor: m.fmt.count(JITTER_BUFFER_FACTOR) }),
    m.t('it.mosAssume.loss'),
    m.t('it.mosAssume.path'),
    m.t('it.mosAssume.degradation'),
  ];
}
