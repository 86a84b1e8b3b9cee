/**
 * A clearly failing site fails before the 54 samples a pass needs, by one rule (p90Grade) in the
 * site report, `aggregate`, the all-sites overview and the alerts: 5 of 14 samples over the
 * loss target fail already; 4 of 14 do not.
 */
import { describe, expect, it } from 'vitest';
import { buildSiteReport } from '../../../src/analysis/report/site-report.js';
import { aggregateP90 } from '../../../src/analysis/report/aggregate.js';
import { sitesOverview, type OverviewGroup } from '../../../src/analysis/site/overview.js';
import { SITE_METRIC_KEYS, type SiteSample } from '../../../src/analysis/site/site.js';
import { p90EarlyFailMinSamples, quantileLowerRank } from '../../../src/analysis/measure/order-statistics.js';
import { evaluateWindow, INITIAL_TRACK } from '../../../src/analysis/alert/hysteresis.js';
import { CLIENT_TO_EDGE } from '../../../src/analysis/grade/targets.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { reflectorInput } from '../report/inputs.js';

const LOSS_TARGET = CLIENT_TO_EDGE.lossPct;

/** n samples 10 minutes apart; the first `over` of them with upstream loss at twice the target, the rest at half. */
function lossSamples(n: number, over: number): SiteSample[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    code: null,
    startedAtMs: Date.UTC(2026, 0, 5) + i * 600_000,
    body: {
      kind: 'report',
      report: {
        meta: { profile: { id: 'client-to-edge', azureRegion: null, from: null } },
        probe: { path: 'rtp' },
        summary: { verdict: i < over ? 'fail' : 'pass' },
        grades: [{ target: 'loss-15s', direction: 'up', status: i < over ? 'fail' : 'pass', value: i < over ? LOSS_TARGET * 2 : LOSS_TARGET / 2 }],
      },
    },
  }));
}

describe('a P90 that fails already', () => {
  it('takes its minimum from the order statistics, as defaults.ts says: the lower end first above the smallest sample', () => {
    const min = p90EarlyFailMinSamples(0.95);
    expect(min).toBe(DEFAULTS.siteReport.p90EarlyFailMinSamples);
    expect(quantileLowerRank(min, 0.9, 0.95)).toBe(2);
    expect(quantileLowerRank(min - 1, 0.9, 0.95) ?? 1).toBe(1);
    // 0.1^1 = 10 % > 2.5 %: one sample bounds nothing.
    expect(quantileLowerRank(1, 0.9, 0.95)).toBeNull();
    // 14 samples: P(K <= 9) = 0.92 % <= 2.5 % < P(K <= 10) = 4.4 % (Binomial(14, 0.9), hand-computed), so rank 10.
    expect(quantileLowerRank(14, 0.9, 0.95)).toBe(10);
  });

  it('site report: 5 of 14 samples over the loss target fail already (exit 1), 4 of 14 are too few', () => {
    const fails = buildSiteReport(lossSamples(14, 5), { site: 'Paris office', sinceMs: null, choice: { profile: null, probePath: null } });
    const m = fails.metrics.find((x) => x.target === 'loss-15s');
    expect(fails.verdict).toBe('fail');
    expect(m).toMatchObject({
      status: 'fail',
      reason: null,
      p90Interval: null,
      earlyFail: { samples: 14, missed: 5, lowerRank: 10, lower: LOSS_TARGET * 2, level: 0.975, minSamples: 4 },
    });
    expect(m?.sentence).toMatch(/fails already: 5 of 14 samples missed the target, so even the lower end of the P90's interval \(sample 10 of 14, 2%\)/);
    expect(m?.sentence).toMatch(/fails this early from 4 samples and passes only from 54/);
    expect(fails.explanation[0]).toMatch(/^FAIL: over 14 samples, .*all failing already, before the 54 samples a pass needs/);

    const few = buildSiteReport(lossSamples(14, 4), { site: 'Paris office', sinceMs: null, choice: { profile: null, probePath: null } });
    expect(few.verdict).toBe('insufficient');
    expect(few.metrics[0]).toMatchObject({ status: 'insufficient', reason: 'too-few-samples', earlyFail: null });
    // Below the minimum, even all samples missing decide nothing.
    expect(buildSiteReport(lossSamples(3, 3), { site: 'x', sinceMs: null, choice: { profile: null, probePath: null } }).verdict).toBe('insufficient');
  });

  it('aggregate: the same 14 tests fail by the same rule', () => {
    const at = (rttMs: number, k: number): Report =>
      analyze(reflectorInput({ count: 1500, rttMs: () => rttMs, meta: { startedAt: new Date(Date.UTC(2025, 0, 6) + k * 600_000).toISOString() } }));
    const rttTarget = CLIENT_TO_EDGE.rttMs;
    const reports = [...Array.from({ length: 5 }, (_, k) => at(rttTarget + 50, k)), ...Array.from({ length: 9 }, (_, k) => at(rttTarget / 2, 5 + k))];
    const a = aggregateP90(reports);
    const e = a.entries.find((x) => x.target === 'latency-rtt');
    expect(e).toMatchObject({ status: 'fail', testsGraded: 14, earlyFail: { samples: 14, missed: 5, lowerRank: 10 } });
    expect(e?.sentence).toMatch(/fails already: 5 of 14 tests missed the target/);
    expect(a.verdict).toBe('fail');
    expect(aggregateP90(reports.slice(1)).entries.find((x) => x.target === 'latency-rtt')?.status).toBe('insufficient');
  });

  it('overview: from the store counts alone (graded, missed), the same verdict', () => {
    const lossUp = SITE_METRIC_KEYS.findIndex((k) => k.target === 'loss-15s' && k.direction === 'up');
    const group = (missed: number): OverviewGroup => ({
      site: 'Paris office',
      body: 'report',
      profileId: 'client-to-edge',
      profileRegion: null,
      profileFrom: null,
      probePath: 'rtp',
      edgeId: null,
      edgeRegion: null,
      samples: 14,
      interrupted: 0,
      blocked: 0,
      blockedEveryPort: 0,
      deviceBusy: 0,
      serverSide: 0,
      serverBusy: 0,
      metrics: SITE_METRIC_KEYS.map((_, i) =>
        i === lossUp ? { graded: 14, insufficient: 0, p90: LOSS_TARGET * 2, missed } : { graded: 0, insufficient: 0, p90: null, missed: null },
      ),
    });
    const fails = sitesOverview([group(5)], 0).sites[0];
    expect(fails?.verdict).toBe('fail');
    expect(fails?.metrics[0]).toMatchObject({ target: 'loss-15s', status: 'fail', earlyFail: { missed: 5, lowerRank: 10, lower: null } });
    expect(sitesOverview([group(4)], 0).sites[0]?.verdict).toBe('insufficient');
  });

  it('alerts: a window not yet full breaches when it fails already, and is not evaluated otherwise', () => {
    const rule = { target: 'loss-15s' as const, samples: 54, raiseAfter: 1, clearAfter: 1 };
    const window = (over: number): number[] => lossSamples(14, over).map((s) => (s.body.kind === 'report' ? (s.body.report.grades[0]?.value ?? 0) : 0));
    const raised = evaluateWindow(INITIAL_TRACK, rule, window(5), LOSS_TARGET, 1000);
    expect(raised.change).toMatchObject({ state: 'raised', p90: LOSS_TARGET * 2 });
    const quiet = evaluateWindow(INITIAL_TRACK, rule, window(4), LOSS_TARGET, 1000);
    expect(quiet).toEqual({ track: INITIAL_TRACK, change: null });
  });
});
