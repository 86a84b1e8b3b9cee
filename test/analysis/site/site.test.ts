import { describe, expect, it } from 'vitest';
import { buildSiteReport } from '../../../src/analysis/report/site-report.js';
import { SiteReportError, type SiteSample } from '../../../src/analysis/site/site.js';
import { p90MinSamples, quantileInterval } from '../../../src/analysis/measure/order-statistics.js';
import { CLIENT_TO_EDGE, EDGE_TO_EDGE } from '../../../src/analysis/grade/targets.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { weekOfSamples, type WeekSample } from './week.js';

/** The value, or a failed test saying it was missing. */
function must<T>(v: T | null | undefined): T {
  if (v === null || v === undefined) throw new Error('expected a value');
  return v;
}

function toSamples(week: readonly WeekSample[]): SiteSample[] {
  return week.map((w, i) => ({
    id: `id-${i}`,
    code: `C${String(i).padStart(4, '0')}`,
    startedAtMs: w.startedAtMs,
    body: w.kind === 'could-not-test' ? { kind: 'could-not-test', reason: w.body.reason } : { kind: 'report', report: w.body },
  }));
}

/** Nearest rank written out again, independently of src/analysis/measure/percentile.ts. */
function rank(sortedAsc: number[], p: number): number {
  const k = Math.max(1, Math.ceil((p * sortedAsc.length) / 100));
  return sortedAsc[k - 1] as number;
}

const THRESHOLDS: Record<string, number> = {
  'latency-one-way': CLIENT_TO_EDGE.oneWayLatencyMs,
  'latency-rtt': CLIENT_TO_EDGE.rttMs,
  'burst-loss-200ms': CLIENT_TO_EDGE.burstLossPct,
  'loss-15s': CLIENT_TO_EDGE.lossPct,
  'jitter-15s': CLIENT_TO_EDGE.jitterMs,
  reorder: CLIENT_TO_EDGE.reorderPct,
};

/** P(a <= K <= b) for K ~ Binomial(n, p), summed term by term in log space. */
function binomialMass(n: number, p: number, a: number, b: number): number {
  let logPmf = n * Math.log(1 - p);
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    if (k >= a && k <= b) sum += Math.exp(logPmf);
    logPmf += Math.log((n - k) / (k + 1)) + Math.log(p / (1 - p));
  }
  return sum;
}

/** The lower end of the P90's 95 % interval as a rank, by brute force: the largest r with P(K <= r - 1) <= 2.5 % (0: none). */
function lowerRankOracle(n: number): number {
  let r = 0;
  for (let x = 1; x <= n; x++) if (binomialMass(n, 0.9, 0, x - 1) <= 0.025) r = x;
  return r;
}

describe('site report over a generated week', () => {
  const week = weekOfSamples({ seed: 12, couldNotTestEvery: 84, site: 'Paris' });
  const samples = toSamples(week);
  const report = buildSiteReport(samples, { site: 'Paris', sinceMs: null, choice: { profile: null, probePath: null } });

  it('gives P50/P90/P99 equal to an independent nearest-rank computation, per metric and direction', () => {
    const reports = week.flatMap((w) => (w.kind === 'could-not-test' ? [] : [w.body]));
    expect(report.samples).toBe(996);
    expect(report.metrics.length).toBe(reports[0]?.grades.length);
    for (const m of report.metrics) {
      const values = reports.flatMap((r) =>
        r.grades.filter((g) => g.target === m.target && g.direction === m.direction && g.status !== 'insufficient').map((g) => g.value as number),
      );
      values.sort((a, b) => a - b);
      expect(values.length).toBeGreaterThan(900);
      expect(m.samplesGraded).toBe(values.length);
      expect(m.samplesInsufficient).toBe(996 - values.length);
      expect([m.p50, m.p90, m.p99]).toEqual([rank(values, 50), rank(values, 90), rank(values, 99)]);
      expect(m.missed).toBe(values.filter((v) => v >= must(THRESHOLDS[m.target])).length);
      expect(m.missedPct).toBeCloseTo((m.missed / values.length) * 100, 10);
    }
  });

  it('grades each P90 against the profile with a strict "<" and states its interval', () => {
    expect(report.profile?.id).toBe('client-to-edge');
    for (const m of report.metrics) {
      expect(m.threshold).toBe(THRESHOLDS[m.target]);
      expect(m.status).toBe((m.p90 as number) < m.threshold ? 'pass' : 'fail');
      expect(m.reason).toBeNull();
      const ci = must(m.p90Interval);
      expect(ci.lower).toBeLessThanOrEqual(m.p90 as number);
      expect(ci.upper).toBeGreaterThanOrEqual(m.p90 as number);
      expect(ci.coverage).toBeGreaterThanOrEqual(0.95);
      expect(m.sentence).toMatch(/95% interval of the P90/);
    }
    // RTT p90 lands in the busy afternoons (15 % of the week at 100..140 ms): it fails; burst loss draws up to 1.2x its target.
    expect(report.metrics.find((m) => m.target === 'latency-rtt')?.status).toBe('fail');
    expect(report.metrics.find((m) => m.target === 'burst-loss-200ms' && m.direction === 'up')?.status).toBe('fail');
    expect(report.metrics.find((m) => m.target === 'jitter-15s' && m.direction === 'up')?.status).toBe('pass');
    expect(report.verdict).toBe('fail');
  });

  it('counts could-not-test samples as such', () => {
    expect(report.samplesTotal).toBe(1008);
    expect(report.couldNotTest).toEqual({
      samples: 12,
      reasons: [{ reason: 'no-relay', samples: 12 }],
      sentence: '12 of 1,008 samples could not reach the relay; they are counted, not graded.',
    });
    // No heartbeat known (no downtime): all of them are the site's own outages, in their own line.
    expect(report.outages).toMatchObject({ site: { samples: 12, reasons: [{ reason: 'no-relay', samples: 12 }] }, ours: { samples: 0 }, oursSentence: null });
    expect(report.outages.siteSentence).toBe(
      "Site outages: 12 of 1,008 samples could not reach the relay while callprobe's service was up; the site's own, counted, not graded.",
    );
    expect(report.explanation).toContain(report.outages.siteSentence);
  });

  it("gives each local day's P90 per metric, graded by the same rule, equal to an independent nearest rank", () => {
    // A week of 10-minute samples from Monday 2026-01-05 00:00 UTC: 7 days of 144, 12 could not test.
    expect(report.days.map((d) => d.date)).toEqual(['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09', '2026-01-10', '2026-01-11']);
    expect(report.days.reduce((n, d) => n + d.samples, 0)).toBe(996);
    for (const day of report.days) {
      const reports = week.flatMap((w) => (w.kind === 'could-not-test' || new Date(w.startedAtMs).toISOString().slice(0, 10) !== day.date ? [] : [w.body]));
      expect(day.samples).toBe(reports.length);
      expect(day.metrics.map((m) => `${m.target} ${m.direction}`)).toEqual(report.metrics.map((m) => `${m.target} ${m.direction}`));
      for (const m of day.metrics) {
        const values = reports
          .flatMap((r) => r.grades.filter((g) => g.target === m.target && g.direction === m.direction && g.status !== 'insufficient'))
          .map((g) => g.value as number)
          .sort((a, b) => a - b);
        expect(m.samplesGraded).toBe(values.length);
        expect(m.p90).toBe(rank(values, 90));
        // 130-144 graded samples a day: enough for a graded P90 (strict "<").
        expect(m.status).toBe((m.p90 as number) < must(THRESHOLDS[m.target]) ? 'pass' : 'fail');
      }
    }
    // The busy weekday afternoons fail the round trip; the weekend does not.
    const rttOf = (date: string) => report.days.find((d) => d.date === date)?.metrics.find((m) => m.target === 'latency-rtt')?.status;
    expect(rttOf('2026-01-05')).toBe('fail');
    expect(rttOf('2026-01-10')).toBe('pass');
    // Days follow the time zone: in New York the first samples fall on Sunday 2026-01-04.
    const ny = buildSiteReport(samples, {
      site: 'Paris',
      sinceMs: null,
      choice: { profile: null, probePath: null },
      settings: { timeZone: 'America/New_York' },
    });
    expect(ny.days[0]?.date).toBe('2026-01-04');
    expect(ny.days[0]?.samples).toBe(30);
  });

  it('finds the worst hours in the time zone given', () => {
    const cell = (c: { weekday: number; hour: number }): string => `${c.weekday}/${c.hour}`;
    const busyUtc = new Set([1, 2, 3, 4, 5].flatMap((d) => [13, 14, 15, 16, 17].map((h) => `${d}/${h}`)));
    expect(report.timeZone).toBe('UTC');
    expect(report.hours).toHaveLength(168);
    expect(report.hours.reduce((s, c) => s + c.samples, 0)).toBe(996);
    expect(report.worstHours).toHaveLength(DEFAULTS.siteReport.worstHours);
    for (const c of report.worstHours) expect(busyUtc.has(cell(c))).toBe(true);
    // New York in January is UTC-5: the same afternoons are 8:00 to 13:00 there.
    const ny = buildSiteReport(samples, {
      site: 'Paris',
      sinceMs: null,
      choice: { profile: null, probePath: null },
      settings: { timeZone: 'America/New_York' },
    });
    const busyNy = new Set([1, 2, 3, 4, 5].flatMap((d) => [8, 9, 10, 11, 12].map((h) => `${d}/${h}`)));
    for (const c of ny.worstHours) expect(busyNy.has(cell(c))).toBe(true);
    const worst = must(report.worstHours[0]);
    const inCell = week.filter(
      (w) => w.kind !== 'could-not-test' && new Date(w.startedAtMs).getUTCDay() === worst.weekday % 7 && new Date(w.startedAtMs).getUTCHours() === worst.hour,
    );
    expect(worst.samples).toBe(inCell.length);
    expect(() =>
      buildSiteReport(samples, { site: null, sinceMs: null, choice: { profile: null, probePath: null }, settings: { timeZone: 'Mars/Olympus' } }),
    ).toThrow(SiteReportError);
  });

  it('pools one profile and one probe path and says how many it left out', () => {
    const mixed = toSamples(week.slice(0, 200));
    for (const s of mixed.slice(0, 7)) {
      if (s.body.kind !== 'report') continue;
      const r = structuredClone(s.body.report);
      r.meta.profile = { ...r.meta.profile, id: 'edge-to-edge' };
      s.body = { kind: 'report', report: r };
    }
    for (const s of mixed.slice(10, 13)) {
      if (s.body.kind !== 'report') continue;
      const r = structuredClone(s.body.report);
      r.probe = { ...r.probe, path: r.probe.path === 'rtp' ? 'datachannel' : 'rtp' };
      s.body = { kind: 'report', report: r };
    }
    mixed.push({ id: 'bad', code: null, startedAtMs: Date.UTC(2026, 0, 6), body: { kind: 'unreadable', problem: 'not JSON' } });
    const r = buildSiteReport(mixed, { site: 'Paris', sinceMs: null, choice: { profile: null, probePath: null } });
    expect(r.leftOut).toEqual({ otherProfile: 7, otherPath: 3, couldNotTest: 2, unreadable: 1 });
    expect(r.samples).toBe(201 - 7 - 3 - 2 - 1);
    expect(r.explanation.join(' ')).toMatch(/leaves out 7 samples of another profile, 3 samples of another probe path, 1 stored sample that could not be read/);
    // Asked for edge-to-edge: those 7 are pooled, graded against its targets, the rest left out.
    const edge = buildSiteReport(mixed, { site: 'Paris', sinceMs: null, choice: { profile: { id: 'edge-to-edge' }, probePath: null } });
    expect(edge.samples).toBe(7);
    expect(edge.metrics.find((m) => m.target === 'latency-rtt')?.threshold).toBe(EDGE_TO_EDGE.rttMs);
    const azure = buildSiteReport(mixed, {
      site: 'Paris',
      sinceMs: null,
      choice: { profile: { id: 'azure-region', azureRegion: 'West Europe' }, probePath: null },
    });
    expect(azure.samples).toBe(0);
    expect(azure.profile?.label).toMatch(/West Europe/);
    expect(() =>
      buildSiteReport(mixed, { site: null, sinceMs: null, choice: { profile: { id: 'azure-region', azureRegion: 'Atlantis' }, probePath: null } }),
    ).toThrow(SiteReportError);
  });

  it('refuses to pass a P90 from too few samples: insufficient with the count, unless it fails already', () => {
    const few = buildSiteReport(samples.slice(0, 40), { site: 'Paris', sinceMs: null, choice: { profile: null, probePath: null } });
    expect(few.samples).toBe(40);
    // n graded samples fail already when fewer than the lower end's rank of them were below the target.
    const failing = few.metrics.filter((m) => m.samplesGraded - m.missed < lowerRankOracle(m.samplesGraded));
    expect(failing.length).toBeGreaterThan(0);
    for (const m of few.metrics) {
      expect(m.samplesGraded).toBeLessThan(DEFAULTS.siteReport.p90MinSamples);
      expect(m.p90Interval).toBeNull();
      expect(m.p90).not.toBeNull();
      if (failing.includes(m)) {
        expect(m).toMatchObject({
          status: 'fail',
          reason: null,
          earlyFail: { samples: m.samplesGraded, missed: m.missed, lowerRank: lowerRankOracle(m.samplesGraded) },
        });
        expect(m.sentence).toContain('fails already');
        continue;
      }
      expect(m.status).toBe('insufficient');
      expect(m.reason).toBe('too-few-samples');
      expect(m.earlyFail).toBeNull();
      expect(m.sentence).toContain(`(${m.samplesGraded} of ${DEFAULTS.siteReport.p90MinSamples})`);
    }
    expect(few.verdict).toBe(failing.length > 0 ? 'fail' : 'insufficient');
    const passing = buildSiteReport(
      samples
        .slice(0, 40)
        .filter((s) => s.body.kind !== 'report' || s.body.report.grades.every((g) => g.value === null || g.value < must(THRESHOLDS[g.target]))),
      { site: 'Paris', sinceMs: null, choice: { profile: null, probePath: null } },
    );
    expect(passing.verdict).toBe('insufficient');
    expect(passing.explanation[0]).toMatch(/a P90 is graded from 54 samples or more/);
    const none = buildSiteReport([], { site: 'Paris', sinceMs: null, choice: { profile: null, probePath: null } });
    expect(none).toMatchObject({ samples: 0, metrics: [], verdict: 'insufficient', profile: null });
  });
});

describe('order statistics of the P90', () => {
  it('has the coverage it claims, each tail within 2.5 %, at several sizes', () => {
    for (const n of [54, 100, 1008, 5000]) {
      const ci = must(quantileInterval(n, 0.9, 0.95));
      expect(binomialMass(n, 0.9, ci.lowerRank, ci.upperRank - 1)).toBeCloseTo(ci.coverage, 9);
      expect(binomialMass(n, 0.9, 0, ci.lowerRank - 1)).toBeLessThanOrEqual(0.025);
      expect(binomialMass(n, 0.9, ci.upperRank, n)).toBeLessThanOrEqual(0.025);
      // Each end is as tight as the tail allows: one rank further in would break its tail.
      expect(binomialMass(n, 0.9, 0, ci.lowerRank)).toBeGreaterThan(0.025);
      expect(binomialMass(n, 0.9, ci.upperRank - 1, n)).toBeGreaterThan(0.025);
    }
    expect(quantileInterval(1008, 0.9, 0.95)).toMatchObject({ lowerRank: 888, upperRank: 926 });
  });

  it('puts the minimum where the interval first stops resting on the largest sample, as defaults.ts says', () => {
    const min = p90MinSamples(0.95);
    expect(min).toBe(DEFAULTS.siteReport.p90MinSamples);
    expect(must(quantileInterval(min, 0.9, 0.95)).upperRank).toBeLessThanOrEqual(min - 1);
    const below = quantileInterval(min - 1, 0.9, 0.95);
    expect(below === null || below.upperRank === min - 1).toBe(true);
    expect(quantileInterval(20, 0.9, 0.95)).toBeNull();
  });
});
