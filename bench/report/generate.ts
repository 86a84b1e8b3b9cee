/**
 * The rows of the report benchmark: `sites` sites x `samplesPerSite` samples, one
 * every `intervalMs` (a week of 10-minute samples: 1,008), seeded. Every row gets the summary
 * columns the site report and the overview read, computed by the store's own functions
 * (server/store/summary.ts: summaryOf over a body, summaryOfFields over the same fields); only a
 * share of the rows (`bodyShare`) gets a full report body (about 26 KB each, from
 * ./report-template.json), the rest an empty body text, so a million rows fit the disk.
 * Could-not-test records (`couldNotTestShare`) keep their small body.
 */
import { readFileSync } from 'node:fs';
import { encodeResultCode, RESULT_CODE_BYTES } from '../../src/protocol/result-code.js';
import type { Report, TargetId } from '../../src/analysis/schema/report-schema.js';
import { siteReportFields, type SiteGrade, type SiteReportFields, type SiteSample } from '../../src/analysis/site/site.js';
import { summaryOf, summaryOfFields, summaryValues, type SampleSummary } from '../../server/store/summary.js';
import { siteKeyOf } from '../../server/store/site-key.js';
import { seededStream, type Random } from '../impair/prng.js';

export interface ReportBenchSpec {
  sites: number;
  samplesPerSite: number;
  /** Share of rows with a full report body (0..1). */
  bodyShare: number;
  /** Share of rows that are could-not-test records (0..1). */
  couldNotTestShare: number;
  seed: number;
  /** First sample (ms since the epoch): a Monday 00:00 UTC. */
  startMs: number;
  intervalMs: number;
}

export const FULL_SPEC: ReportBenchSpec = {
  sites: 1000,
  samplesPerSite: 1008,
  bodyShare: 0.01,
  couldNotTestShare: 0.01,
  seed: 12,
  startMs: Date.UTC(2026, 0, 5),
  intervalMs: 600_000,
};

/** One generated row: its column values (INSERT_COLUMNS order, server/store/results/sql.ts) and what the TS reference reads. */
export interface BenchRow {
  site: string;
  values: Array<string | number | null>;
  /** Whether this row holds a full report body (could-not-test records always keep their small one). */
  hasBody: boolean;
  couldNotTest: boolean;
  summary: SampleSummary;
  /** The sample as the TS site report reads it, from the generated data (not from the summary): the tests' independent reference. */
  reference: SiteSample;
}

/** The synthetic sites' busy hours: 13:00 to 18:00 UTC, Monday to Friday. */
export function busyHour(d: Date): boolean {
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 13 && d.getUTCHours() < 18;
}

/**
 * One synthetic figure of a target: the round trip as given (one way: half of it), jitter 0-20
 * ms, reorder 0-0.06 %, any other 0-1.2 times its limit; `next` draws from [0, 1) only where needed.
 */
export function syntheticFigure(target: TargetId, limit: number, rttMs: number, next: () => number): number {
  if (target === 'latency-rtt') return rttMs;
  if (target === 'latency-one-way') return rttMs / 2;
  if (target === 'jitter-15s') return next() * 20;
  if (target === 'reorder') return next() * 0.06;
  return next() * limit * 1.2;
}

export function siteName(i: number): string {
  return `site-${String(i).padStart(4, '0')}`;
}

/** The template report: a real v2 report (a copy of test/analysis/report/golden/clean-15s.json). */
export function loadTemplate(path = 'bench/report/report-template.json'): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

function hex(r: Random, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i += 4) out += (Math.floor(r.next() * 2 ** 32) >>> 0).toString(16).padStart(8, '0');
  return out.slice(0, bytes * 2);
}

/** A unique result code per row: the row number as the code's 40 bits. */
function codeOf(n: number): string {
  const b = new Uint8Array(RESULT_CODE_BYTES);
  let v = n;
  for (let i = RESULT_CODE_BYTES - 1; i >= 0; i--) {
    b[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return encodeResultCode(b);
}

/** The generated rows, site by site, oldest first. */
export function* benchRows(spec: ReportBenchSpec, template: Report): Generator<BenchRow> {
  const rand = seededStream(spec.seed, 'report-bench');
  const keys = template.grades.map((g) => ({ target: g.target, direction: g.direction, threshold: g.threshold }));
  let n = 0;
  for (let s = 0; s < spec.sites; s++) {
    const site = siteName(s);
    const baseRttMs = 20 + rand.next() * 60;
    for (let i = 0; i < spec.samplesPerSite; i++) {
      n++;
      const startedAtMs = spec.startMs + i * spec.intervalMs;
      const id = hex(rand, 16);
      const head = [id, codeOf(n), `${site}-${String(i).padStart(5, '0')}`];
      if (rand.next() < spec.couldNotTestShare) {
        const body = JSON.stringify({
          kind: 'could-not-test',
          reason: 'no-relay',
          message: 'no relay port answered',
          atMs: startedAtMs,
          meta: { site, startedAt: new Date(startedAtMs).toISOString() },
        });
        const summary = summaryOf(body);
        const reference: SiteSample = { id, code: codeOf(n), startedAtMs, body: { kind: 'could-not-test', reason: 'no-relay' } };
        yield {
          site,
          hasBody: false,
          couldNotTest: true,
          summary,
          reference,
          values: [
            ...head,
            'could-not-test',
            startedAtMs + 30_000,
            startedAtMs,
            site,
            siteKeyOf(site),
            null,
            null,
            body,
            ...summaryValues(summary),
            null,
            null,
            null,
          ],
        };
        continue;
      }
      const d = new Date(startedAtMs);
      const rttMs = baseRttMs + (busyHour(d) ? 30 : 0) + rand.next() * 40;
      const grades: SiteGrade[] = keys.map((k) => {
        if (rand.next() < 0.02) return { target: k.target, direction: k.direction, status: 'insufficient', value: null };
        const v = syntheticFigure(k.target, k.threshold, rttMs, () => rand.next());
        return { target: k.target, direction: k.direction, status: v < k.threshold ? 'pass' : 'fail', value: v };
      });
      const verdict = grades.some((g) => g.status === 'fail') ? 'fail' : grades.some((g) => g.status === 'insufficient') ? 'insufficient' : 'pass';
      const hasBody = rand.next() < spec.bodyShare;
      let body = '';
      let summary: SampleSummary;
      let fields: SiteReportFields = { meta: { profile: template.meta.profile }, probe: { path: template.probe.path }, summary: { verdict }, grades };
      if (hasBody) {
        const r = structuredClone(template);
        r.meta.startedAt = d.toISOString();
        r.meta.site = site;
        r.grades.forEach((g, j) => {
          const gen = grades[j];
          if (gen === undefined) return;
          g.status = gen.status;
          g.value = gen.value;
        });
        r.summary.verdict = verdict;
        body = JSON.stringify(r);
        summary = summaryOf(body);
        fields = siteReportFields(r);
      } else {
        summary = summaryOfFields(fields);
      }
      const reference: SiteSample = { id, code: codeOf(n), startedAtMs, body: { kind: 'report', report: fields } };
      yield {
        site,
        hasBody,
        couldNotTest: false,
        summary,
        reference,
        values: [...head, 'report', startedAtMs + 30_000, startedAtMs, site, siteKeyOf(site), null, verdict, body, ...summaryValues(summary), null, null, null],
      };
    }
  }
}
