/**
 * What the help desk console shows of one stored result (its shape: ConsoleResultView in
 * src/protocol/api-console.ts): the answer a user is told
 * (src/analysis/present/answer.ts), the site's baseline for the same hour band (the site report
 * code, src/analysis/site), a "likely culprit" line from the contrasts the data supports, and
 * the report redacted for tier 1 (no client address, no candidates, no NAT, no path).
 */
import { EN, type Messages } from '../../src/analysis/present/catalogue.js';
import type { GradeEntry, Report } from '../../src/analysis/schema/report-schema.js';
import type { LoadReport } from '../../src/analysis/schema/load-schema.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { answerView } from '../../src/analysis/present/answer.js';
import { insufficientCauseText } from '../../src/analysis/present/cause-text.js';
import { pathText, silentUdpText } from '../../src/analysis/present/ports.js';
import { verdictRow } from '../../src/analysis/present/view.js';
import { teamsText } from '../../src/analysis/present/it-words.js';
import { busyLineWords, loadAnswerLine, loadTextLines } from '../../src/analysis/present/load.js';
import { videoWords } from '../../src/analysis/present/video.js';
import { edgeSentence } from '../../src/analysis/present/locate.js';
import { devicesLines } from '../../src/analysis/present/devices.js';
import { networkLines } from '../../src/analysis/present/network.js';
import { qosLines } from '../../src/analysis/present/qos.js';
import { reachabilityLines } from '../../src/analysis/present/reachability.js';
import { regionSentences } from '../../src/analysis/present/region.js';
import { hourCellOf, siteFacts, SITE_SETTINGS } from '../../src/analysis/site/site.js';
import type { SiteMetric } from '../../src/analysis/site/p90.js';
import { scrubAddresses } from '../../src/protocol/address-text.js';
import { BOUNDS, CONSTANTS } from '../../src/protocol/defaults.js';
import { acceptResult } from '../../src/analysis/report/accept.js';
import { siteSampleOf } from '../reports/site.js';
import type { ClientAddress } from '../../src/protocol/api.js';
import { couldNotTestSide, failureWords, sideWords } from '../../src/analysis/present/could-not-test-text.js';
import type { Baseline, ConsoleChain, ConsoleGrade, ConsoleResultView, ConsoleRole, ConsoleSearchRow } from '../../src/protocol/api-console.js';
import type { ChainLink } from '../store/chain/types.js';
import type { StoredAddress, StoredResult } from '../store/results/types.js';
import type { SitesRepository } from '../store/sites/types.js';

/** The stored addresses of a result as the contract shows them (operator and tier 2 only). */
export function clientAddresses(addresses: readonly StoredAddress[]): ClientAddress[] {
  return addresses.map((a) => ({ address: a.address, truncated: a.truncated, storedAt: new Date(a.storedAtMs).toISOString() }));
}

/** "2026-01-15 11:00" in a time zone. */
function localTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} (${timeZone})`;
}

/** The site a result's body names without the token (meta.siteUnverified, set by the upload door), or null. */
function siteUnverifiedOf(r: StoredResult): string | null {
  if (r.site !== null) return null;
  try {
    const named = (JSON.parse(r.reportJson) as { meta?: { siteUnverified?: unknown } } | null)?.meta?.siteUnverified;
    return typeof named === 'string' ? named : null;
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}

/** A stored result's row of a console search (its times in the agent's zone), unredacted. */
export function consoleRow(r: StoredResult, timeZone: string): ConsoleSearchRow {
  return {
    id: r.id,
    code: r.code,
    kind: r.kind,
    startedAt: new Date(r.startedAtMs).toISOString(),
    startedAtLocal: localTime(r.startedAtMs, timeZone),
    site: r.site,
    siteUnverified: siteUnverifiedOf(r),
    ticket: r.ticket,
    verdict: r.verdict,
  };
}

/** The hours of the day within `band` of `hour`, wrapping at midnight. */
export function hourBand(hour: number, band: number): number[] {
  const out: number[] = [];
  for (let d = -band; d <= band; d++) out.push((((hour + d) % 24) + 24) % 24);
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The site's figures over the span before the result, in the same hour band, pooled as the result was. */
async function baselineOf(sites: SitesRepository, r: StoredResult, report: Report, timeZone: string, words: Messages): Promise<Baseline | null> {
  if (r.site === null) return null;
  const c = CONSTANTS.console;
  const sinceMs = r.startedAtMs - c.baselineSpanMs;
  const cellOf = hourCellOf(timeZone);
  const hours = hourBand(cellOf(r.startedAtMs).hour, c.baselineHourBand);
  const max = BOUNDS.siteReportMaxSamples;
  const rows = (await sites.samples({ site: r.site, sinceMs, limit: max })).filter(
    (s) => s.id !== r.id && s.startedAtMs <= r.startedAtMs && hours.includes(cellOf(s.startedAtMs).hour),
  );
  const facts = siteFacts(
    rows.map(siteSampleOf),
    {
      profile: {
        id: report.meta.profile.id,
        ...(report.meta.profile.azureRegion ? { azureRegion: report.meta.profile.azureRegion } : {}),
        ...(report.meta.profile.from ? { from: report.meta.profile.from } : {}),
      },
      probePath: report.probe.path,
    },
    { ...SITE_SETTINGS, timeZone },
  );
  const valueOf = (m: SiteMetric): number | null => report.grades.find((g) => g.target === m.target && g.direction === m.direction)?.value ?? null;
  return {
    site: r.site,
    sinceMs,
    hours,
    timeZone,
    samples: facts.samples,
    metrics: facts.metrics.map((m) => {
      const value = valueOf(m);
      const standing = value === null || m.p50 === null || m.p90 === null ? null : value > m.p90 ? 'above-p90' : value > m.p50 ? 'above-p50' : 'typical';
      return {
        target: m.target,
        label: labelOf(words, m),
        direction: m.direction,
        unit: m.unit,
        threshold: m.threshold,
        value,
        p50: m.p50,
        p90: m.p90,
        samples: m.samplesGraded,
        standing,
        figures: {
          value: words.fmt.figure(value, m.unit, m.threshold),
          p50: words.fmt.figure(m.p50, m.unit, m.threshold),
          p90: words.fmt.figure(m.p90, m.unit, m.threshold),
        },
      };
    }),
  };
}

/** A target's name in the reader's language: the report's own label in English, the catalogue's name of its code in another. */
function labelOf(m: Messages, g: { target: string; label: string }): string {
  const key = `targetLabel.${g.target}`;
  return m.lang === 'en' || !isTargetLabelKey(key) ? g.label : m.t(key);
}
const TARGET_LABEL_KEYS = ['latency-one-way', 'latency-rtt', 'burst-loss-200ms', 'loss-15s', 'jitter-15s', 'reorder'].map((t) => `targetLabel.${t}`);
const isTargetLabelKey = (k: string): k is `targetLabel.${GradeEntry['target']}` => TARGET_LABEL_KEYS.includes(k);

/** A grade as the console's table shows it: its figure and target printed as the page's verdict table prints them, in `m`'s language. */
export function consoleGrade(g: GradeEntry, m: Messages = EN): ConsoleGrade {
  const row = verdictRow(g);
  return {
    target: g.target,
    label: labelOf(m, g),
    direction: g.direction,
    value: g.value,
    unit: g.unit,
    threshold: g.threshold,
    status: g.status,
    measured: m.lang === 'en' ? row.measured : m.fmt.figure(g.value, g.unit, g.threshold),
    limit: m.lang === 'en' ? row.limit : `< ${m.fmt.limitValue(g.threshold, g.unit)}`,
  };
}

/**
 * The one culprit line of a test that has no verdict: whose side failed, as far as the report
 * can tell. Its figures are no evidence about the user's line, so no contrast is drawn from them.
 */
function outcomeCulprit(report: Report, m: Messages): string {
  const o = report.outcome;
  const codes = report.hints.map((h) => h.code);
  if (o?.reason === 'connection-lost')
    return o.atMs === null ? m.t('culprit.lostBefore') : m.t('culprit.lostAt', { seconds: m.t('unit.s', { n: m.fmt.fixed(o.atMs / 1000, 1) }) });
  if (codes.includes('loopback-refused')) return m.t('culprit.loopback');
  if (codes.includes('relay-silent')) return m.t('culprit.relaySilent');
  return m.t('culprit.filtered');
}

/** The "likely culprit" lines, in `m`'s language: only the contrasts this report (and the site's baseline) support. */
export function culpritLines(report: Report, baseline: Baseline | null, m: Messages = EN): string[] {
  if (report.outcome !== null) return [outcomeCulprit(report, m)];
  const out: string[] = [];
  // No verdict: why, in the words the page and the CLI use (this device's or the server's time is never the user's line).
  const cause = insufficientCauseText(report, m);
  if (cause !== null) out.push(cause);
  const up = report.summary.upstream;
  const down = report.summary.downstream;
  // Upstream vs downstream: one direction clearly worse (loss 1 point and twice the other, or jitter 10 ms and twice).
  if (up && down) {
    const worse = (a: number | null, b: number | null, gap: number): boolean => a !== null && b !== null && a - b >= gap && a >= 2 * b;
    const loss = { up: m.fmt.figure(up.lossPct, '%'), down: m.fmt.figure(down.lossPct, '%') };
    if (worse(up.lossPct, down.lossPct, 1) || worse(up.jitterMs, down.jitterMs, 10)) out.push(m.t('culprit.upWorse', loss));
    else if (worse(down.lossPct, up.lossPct, 1) || worse(down.jitterMs, up.jitterMs, 10)) out.push(m.t('culprit.downWorse', loss));
  }
  // UDP vs TCP path: the test fell back to TCP/TLS while UDP was not reachable.
  const udp = report.connectivity.filter((r) => r.transport === 'udp');
  if ((report.path.transport === 'tcp' || report.path.transport === 'tls') && udp.length > 0 && udp.every((r) => !r.reachable))
    out.push(m.t('culprit.udpSilent', { ports: silentUdpText(report.connectivity, m) || m.t('culprit.noUdpPort'), path: pathText(report.path, m) }));
  // One port vs the others.
  const reachable = report.connectivity.filter((r) => r.reachable);
  const blocked = report.connectivity.filter((r) => !r.reachable && r.error !== 'not-offered' && r.error !== 'not-tried');
  if (reachable.length > 0 && blocked.length > 0 && blocked.length < report.connectivity.length / 2)
    out.push(m.t('culprit.portSilent', { ports: blocked.map((r) => `${r.transport.toUpperCase()} ${r.port ?? '?'}`).join(', ') }));
  // This result vs the site's baseline.
  if (baseline !== null && baseline.samples > 0) {
    const off = baseline.metrics.filter((x) => x.standing === 'above-p90' && x.value !== null && x.p90 !== null);
    const hours = `${baseline.hours[0]}:00-${(baseline.hours[baseline.hours.length - 1] ?? 0) + 1}:00`;
    const direction = (d: string): string => (d === 'up' || d === 'down' || d === 'loop' || d === 'round-trip' ? m.t(`culprit.dir.${d}`) : d);
    if (off.length > 0)
      out.push(
        m.t('culprit.worseThanSite', {
          hours,
          n: m.lang === 'en' ? String(baseline.samples) : m.fmt.count(baseline.samples),
          metrics: off
            .map((x) => m.t('culprit.metric', { label: x.label, direction: direction(x.direction), value: x.figures.value, p90: x.figures.p90 }))
            .join('; '),
        }),
      );
    else if (report.summary.verdict === 'fail' && baseline.metrics.some((x) => x.standing !== null)) out.push(m.t('culprit.siteItself', { hours }));
  }
  return out;
}

/** Every string in `value` with each of `secrets` replaced; objects and arrays copied. */
function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return secrets.reduce((s, x) => s.split(x).join('[redacted]'), value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets)]));
  return value;
}

/** IP addresses in free text (ticket, site) replaced: the one scrubber of reports (src/protocol/address-text.ts). */
export { scrubAddresses };

/** What names the client in text: the full address, its truncation, and the truncation's prefix (e.g. "203.0.113." of 203.0.113.0/24). */
export function addressSecrets(addresses: readonly StoredAddress[]): string[] {
  const out = new Set<string>();
  for (const a of addresses) {
    out.add(a.address);
    out.add(a.truncated);
    const net = a.truncated.split('/')[0] ?? '';
    if (net.includes('.')) out.add(net.replace(/0$/, ''));
    else if (net.length > 0) out.add(net.replace(/::$/, ':'));
  }
  return [...out].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/** The report for tier 1: no path, no NAT, no network context, no candidate types, no client address in any text. */
export function redactForTier1(report: unknown, secrets: readonly string[]): unknown {
  if (report === null || typeof report !== 'object') return report;
  const copy = { ...(report as Record<string, unknown>) };
  delete copy.path;
  delete copy.nat;
  // Whether web and call traffic left from different addresses is a network detail too.
  delete copy.network;
  // The NAT class is a network detail (tier 2), also as a hint.
  if (Array.isArray(copy.hints)) copy.hints = (copy.hints as { code?: unknown }[]).filter((h) => h.code !== 'symmetric-nat');
  if (copy.meta !== null && typeof copy.meta === 'object') {
    const meta = copy.meta as Record<string, unknown>;
    for (const k of ['ticket', 'site'] as const) if (typeof meta[k] === 'string') copy.meta = { ...(copy.meta as object), [k]: scrubAddresses(meta[k]) };
  }
  if (copy.meta !== null && typeof copy.meta === 'object') {
    const meta = { ...(copy.meta as Record<string, unknown>) };
    delete meta.path;
    copy.meta = meta;
  }
  return scrub(copy, secrets);
}

/** Where a report's test ran, as the page said it first. */
function edgeOf(report: Report, m: Messages): ConsoleResultView['edge'] {
  const edge = report.meta.edge;
  const sentence = edgeSentence(report, m);
  return edge === undefined || sentence === null ? null : { id: edge.id, azureRegion: edge.azureRegion, sentence };
}

/**
 * The busy line as the console says it: English keeps the report's sentences and its text lines;
 * another language words the verdict, the room for a call and each loaded direction from the
 * report's codes and figures (the page's busy-line section, present/load.ts), each direction as
 * its table row's column names and figures, then whose the added delay was.
 */
/** The video phase's words for the console (../../src/analysis/present/video.ts), when the test sent video. */
function videoOf(report: Report, m: Messages): Pick<ConsoleResultView, 'video'> {
  const w = videoWords(report, m);
  return w === null ? {} : { video: { title: w.title, sentence: w.sentence, lines: [...w.lines, ...(w.udpLimited === null ? [] : [w.udpLimited])] } };
}

function busyLineOf(l: LoadReport, m: Messages): NonNullable<ConsoleResultView['busyLine']> {
  if (m.lang === 'en') return { sentence: loadAnswerLine(l), lines: loadTextLines(l), capacity: l.capacity?.sentence ?? null };
  const w = busyLineWords(l, m);
  const [, speed = '', idle = '', loaded = '', added = '', jitter = '', loss = '', filled = ''] = w.columns;
  const lines = w.lines.map(
    (d) =>
      `${d.name}: ${[
        [speed, d.goodput],
        [idle, d.idleRtt],
        [loaded, d.loadedRtt],
        [added, d.addedRtt],
        [jitter, d.jitter],
        [loss, d.loss],
        [filled, d.saturated],
      ]
        .map(([c, v]) => `${c} ${v}`)
        .join(', ')}`,
  );
  return { sentence: w.sentence, lines: [...lines, ...w.whose.map((x) => x.text)], capacity: w.capacity };
}

/** A result's chain links (../store/chain), their times in the agent's zone; `laterTotal`: how many claim it in all (default: those listed). */
export function consoleChain(links: { earlier: ChainLink | null; later: readonly ChainLink[]; laterTotal?: number }, timeZone: string): ConsoleChain {
  const link = (l: ChainLink) => ({
    code: l.code,
    startedAtLocal: localTime(l.startedAtMs, timeZone),
    verdict: l.verdict,
    otherNetwork: l.otherNetwork === true,
  });
  return {
    earlier: links.earlier === null ? null : link(links.earlier),
    later: links.later.map(link),
    laterMore: Math.max(0, (links.laterTotal ?? links.later.length) - links.later.length),
  };
}

export async function consoleResultView(
  sites: SitesRepository,
  r: StoredResult & { addresses: StoredAddress[] },
  role: ConsoleRole,
  timeZone: string,
  chain: ConsoleChain = { earlier: null, later: [], laterMore: 0 },
  /** The answer's words in the reader's language (English by default). */
  messages: Messages = EN,
): Promise<ConsoleResultView> {
  const parsed = JSON.parse(r.reportJson) as unknown;
  const accepted = acceptResult(parsed);
  const secrets = addressSecrets(r.addresses);
  // A site a ?site= link named without the operator token: shown as such (consoleRow), never as the site.
  const base = consoleRow(r, timeZone);
  let view: ConsoleResultView;
  if (accepted.kind === 'could-not-test') {
    const rec: CouldNotTest = accepted.record;
    view = {
      ...base,
      answer: null,
      grades: [],
      cqd: null,
      culprit: [],
      baseline: null,
      couldNotTest: {
        reason: rec.reason,
        message: rec.message,
        words: failureWords(rec.reason),
        side: couldNotTestSide(rec.reason, rec.side),
        where: sideWords(couldNotTestSide(rec.reason, rec.side)),
      },
      busyLine: null,
      devices: null,
      edge: null,
      regions: [],
      chain,
      report: parsed,
    };
  } else {
    const report = accepted.report;
    const a = answerView(report, messages);
    const baseline = await baselineOf(sites, r, report, timeZone, messages);
    view = {
      ...base,
      answer: { tone: a.tone, sentence: a.sentence, caution: a.caution, facts: a.facts, withdrawn: a.withdrawn, findings: a.findings, advice: a.advice },
      grades: report.grades.map((g) => consoleGrade(g, messages)),
      // A test with no verdict classifies no stream: its figures stop where the test did.
      cqd:
        report.outcome !== null
          ? null
          : {
              ...report.teamsPoorStream,
              // Worded from its classification and checks in the console's language (English: the stored sentence).
              sentence: teamsText(report.teamsPoorStream, messages),
              basis: messages.t('console.cqdBasis'),
            },
      culprit: culpritLines(report, baseline, messages),
      baseline,
      couldNotTest: null,
      busyLine: report.load ? busyLineOf(report.load, messages) : null,
      ...videoOf(report, messages),
      devices: report.devices === undefined ? null : devicesLines(report.devices, messages),
      edge: edgeOf(report, messages),
      regions: regionSentences(report, messages),
      chain,
      report: parsed,
    };
    if (role === 'tier2') view.network = { addresses: clientAddresses(r.addresses), nat: report.nat, path: report.path };
    // The network the user was on, then whether it kept the test's QoS marks (never graded): both facts of the network.
    const context = [
      ...(report.network === undefined ? [] : networkLines(report.network, messages)),
      ...(report.qos === undefined ? [] : qosLines(report.qos, messages, report.meta.browser)),
    ];
    if (role !== 'tier1' && context.length > 0) view.networkContext = context;
    if (role !== 'tier1' && report.teamsReachability !== undefined) view.relayReachability = reachabilityLines(report.teamsReachability, messages);
  }
  if (role === 'tier1') {
    const free = (t: string | null): string | null => (t === null ? null : scrubAddresses(t));
    return scrub(
      { ...view, ticket: free(view.ticket), site: free(view.site), siteUnverified: free(view.siteUnverified), report: redactForTier1(view.report, secrets) },
      secrets,
    ) as ConsoleResultView;
  }
  if (view.network === undefined) view.network = { addresses: clientAddresses(r.addresses), nat: null, path: null };
  return view;
}
