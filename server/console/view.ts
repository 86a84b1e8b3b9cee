/**
 * What the help desk console shows of one stored result (issue 12): the answer a user is told
 * (src/analysis/present/answer.ts), the site's baseline for the same hour band (the site report
 * code, src/analysis/site), a "likely culprit" line from the contrasts the data supports, and
 * the report redacted for tier 1 (no client address, no candidates, no NAT, no path).
 */
import { isIP } from 'node:net';
import type { Report, GradeEntry, TeamsPoorStream } from '../../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';
import { answerView, type Advice, type AnswerTone, type Finding } from '../../src/analysis/present/answer.js';
import { hourCellOf, siteFacts, SITE_SETTINGS, type SiteMetric } from '../../src/analysis/site/site.js';
import { BOUNDS, DEFAULTS } from '../../src/protocol/defaults.js';
import { acceptResult } from '../reports/accept.js';
import { siteSampleOf } from '../reports/site.js';
import type { ResultStore, StoredAddress, StoredResult } from '../store/types.js';
import type { ConsoleRole } from './auth.js';

export interface BaselineMetric {
  target: string;
  label: string;
  direction: string;
  unit: 'ms' | '%';
  threshold: number;
  /** This result's graded value, or null. */
  value: number | null;
  p50: number | null;
  p90: number | null;
  samples: number;
  /** above-p90 | above-p50 | typical | null (no value or no baseline). */
  standing: 'above-p90' | 'above-p50' | 'typical' | null;
}

export interface Baseline {
  site: string;
  sinceMs: number;
  /** Hours of the day (agent's zone) the samples started in: the result's hour ± band. */
  hours: number[];
  timeZone: string;
  samples: number;
  metrics: BaselineMetric[];
}

export interface ConsoleAnswer {
  tone: AnswerTone;
  sentence: string;
  findings: Finding[];
  advice: Advice[];
}

export interface ConsoleResultView {
  id: string;
  code: string;
  kind: StoredResult['kind'];
  startedAt: string;
  /** The start in the agent's time zone, e.g. "2026-01-15 11:00 (Europe/Paris)". */
  startedAtLocal: string;
  site: string | null;
  ticket: string | null;
  verdict: string | null;
  answer: ConsoleAnswer | null;
  /** The strict targets (every grade) and the Teams CQD poor-stream tier beside them. */
  grades: Pick<GradeEntry, 'target' | 'label' | 'direction' | 'value' | 'unit' | 'threshold' | 'status'>[];
  cqd: (TeamsPoorStream & { basis: string }) | null;
  culprit: string[];
  baseline: Baseline | null;
  couldNotTest: { reason: string; message: string } | null;
  /** The stored report; for tier 1 without path, nat and anything naming the client's address. */
  report: unknown;
  /** tier 2 only: the stored client address(es) within retention, and the network details. */
  network?: { addresses: { address: string; truncated: string; storedAt: string }[]; nat: Report['nat']; path: Report['path'] | null };
}

/** "2026-01-15 11:00" in a time zone. */
export function localTime(ms: number, timeZone: string): string {
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

/** The hours of the day within `band` of `hour`, wrapping at midnight. */
export function hourBand(hour: number, band: number): number[] {
  const out: number[] = [];
  for (let d = -band; d <= band; d++) out.push((((hour + d) % 24) + 24) % 24);
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The site's figures over the span before the result, in the same hour band, pooled as the result was. */
export async function baselineOf(store: ResultStore, r: StoredResult, report: Report, timeZone: string): Promise<Baseline | null> {
  if (r.site === null) return null;
  const c = DEFAULTS.console;
  const sinceMs = r.startedAtMs - c.baselineSpanMs;
  const cellOf = hourCellOf(timeZone);
  const hours = hourBand(cellOf(r.startedAtMs).hour, c.baselineHourBand);
  const max = BOUNDS.siteReportMaxSamples;
  const rows = (await store.siteSamples({ site: r.site, sinceMs, limit: max })).filter(
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
        label: m.label,
        direction: m.direction,
        unit: m.unit,
        threshold: m.threshold,
        value,
        p50: m.p50,
        p90: m.p90,
        samples: m.samplesGraded,
        standing,
      };
    }),
  };
}

const fmt = (n: number, unit: string): string => `${Math.round(n * 10) / 10}${unit === '%' ? ' %' : ` ${unit}`}`;

/** The "likely culprit" lines: only the contrasts this report (and the site's baseline) support. */
export function culpritLines(report: Report, baseline: Baseline | null): string[] {
  const out: string[] = [];
  const up = report.summary.upstream;
  const down = report.summary.downstream;
  // Upstream vs downstream: one direction clearly worse (loss 1 point and twice the other, or jitter 10 ms and twice).
  if (up && down) {
    const worse = (a: number | null, b: number | null, gap: number): boolean => a !== null && b !== null && a - b >= gap && a >= 2 * b;
    if (worse(up.lossPct, down.lossPct, 1) || worse(up.jitterMs, down.jitterMs, 10))
      out.push(
        `Upstream (from the user to us) is worse than downstream: look at the user's uploads, Wi-Fi or uplink (loss ${fmt(up.lossPct ?? 0, '%')} up vs ${fmt(down.lossPct ?? 0, '%')} down).`,
      );
    else if (worse(down.lossPct, up.lossPct, 1) || worse(down.jitterMs, up.jitterMs, 10))
      out.push(
        `Downstream (from us to the user) is worse than upstream: look at downloads on the user's line or the provider's side (loss ${fmt(down.lossPct ?? 0, '%')} down vs ${fmt(up.lossPct ?? 0, '%')} up).`,
      );
  }
  // UDP vs TCP path: the test fell back to TCP/TLS while UDP was not reachable.
  const udp = report.connectivity.filter((r) => r.transport === 'udp');
  if (report.path.transport !== 'udp' && udp.length > 0 && udp.every((r) => !r.reachable))
    out.push(
      `No UDP port answered, so media went over ${report.path.transport.toUpperCase()}: a firewall blocking UDP is the likely culprit (Teams wants UDP 3478-3481).`,
    );
  // One port vs the others.
  const reachable = report.connectivity.filter((r) => r.reachable);
  const blocked = report.connectivity.filter((r) => !r.reachable && r.error !== 'not-offered' && r.error !== 'not-tried');
  if (reachable.length > 0 && blocked.length > 0 && blocked.length < report.connectivity.length / 2)
    out.push(
      `${blocked.map((r) => `${r.transport.toUpperCase()} ${r.port ?? '?'}`).join(', ')} did not answer while the other ports did: a firewall rule on that port.`,
    );
  // This result vs the site's baseline.
  if (baseline !== null && baseline.samples > 0) {
    const off = baseline.metrics.filter((m) => m.standing === 'above-p90' && m.value !== null && m.p90 !== null);
    const hours = `${baseline.hours[0]}:00-${(baseline.hours[baseline.hours.length - 1] ?? 0) + 1}:00`;
    if (off.length > 0)
      out.push(
        `Worse than this site usually is at ${hours} (${baseline.samples} samples, last 7 days): ${off.map((m) => `${m.label} ${m.direction} ${fmt(m.value ?? 0, m.unit)} vs site P90 ${fmt(m.p90 ?? 0, m.unit)}`).join('; ')}. Something changed for this user or at this time, not the site as a whole.`,
      );
    else if (report.summary.verdict === 'fail' && baseline.metrics.some((m) => m.standing !== null))
      out.push(`This result is within the site's usual range at ${hours}: the site itself is the likely culprit, not this user.`);
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

/** Any IP address literal (or CIDR) in free text typed by a user (ticket, site), replaced. */
export function scrubAddresses(text: string): string {
  return text.replace(/[0-9A-Fa-f:.]{2,}(\/\d{1,3})?/g, (m) => (isIP(m.split('/')[0] ?? '') !== 0 ? '[address]' : m));
}

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

/** The report for tier 1: no path, no NAT, no candidate types, no client address in any text. */
export function redactForTier1(report: unknown, secrets: readonly string[]): unknown {
  if (report === null || typeof report !== 'object') return report;
  const copy = { ...(report as Record<string, unknown>) };
  delete copy.path;
  delete copy.nat;
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

export async function consoleResultView(
  store: ResultStore,
  r: StoredResult & { addresses: StoredAddress[] },
  role: ConsoleRole,
  timeZone: string,
): Promise<ConsoleResultView> {
  const parsed = JSON.parse(r.reportJson) as unknown;
  const accepted = acceptResult(parsed);
  const secrets = addressSecrets(r.addresses);
  const base = {
    id: r.id,
    code: r.code,
    kind: r.kind,
    startedAt: new Date(r.startedAtMs).toISOString(),
    startedAtLocal: localTime(r.startedAtMs, timeZone),
    site: r.site,
    ticket: r.ticket,
    verdict: r.verdict,
  };
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
      couldNotTest: { reason: rec.reason, message: rec.message },
      report: parsed,
    };
  } else {
    const report = accepted.report;
    const a = answerView(report);
    const baseline = await baselineOf(store, r, report, timeZone);
    view = {
      ...base,
      answer: { tone: a.tone, sentence: a.sentence, findings: a.findings, advice: a.advice },
      grades: report.grades.map((g) => ({
        target: g.target,
        label: g.label,
        direction: g.direction,
        value: g.value,
        unit: g.unit,
        threshold: g.threshold,
        status: g.status,
      })),
      cqd: {
        ...report.teamsPoorStream,
        basis:
          'Teams CQD poor audio stream: loss > 10 %, jitter > 30 ms, round trip > 500 ms (the first three CQD criteria; concealed ratio only when the browser reported it)',
      },
      culprit: culpritLines(report, baseline),
      baseline,
      couldNotTest: null,
      report: parsed,
    };
    if (role === 'tier2')
      view.network = {
        addresses: r.addresses.map((x) => ({ address: x.address, truncated: x.truncated, storedAt: new Date(x.storedAtMs).toISOString() })),
        nat: report.nat,
        path: report.path,
      };
  }
  if (role === 'tier1') {
    const free = (t: string | null): string | null => (t === null ? null : scrubAddresses(t));
    return scrub({ ...view, ticket: free(view.ticket), site: free(view.site), report: redactForTier1(view.report, secrets) }, secrets) as ConsoleResultView;
  }
  if (view.network === undefined)
    view.network = {
      addresses: r.addresses.map((x) => ({ address: x.address, truncated: x.truncated, storedAt: new Date(x.storedAtMs).toISOString() })),
      nat: null,
      path: null,
    };
  return view;
}
