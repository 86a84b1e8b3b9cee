/**
 * upgradeReport: a schema-1 report reads as the current shape with every graded figure,
 * sentence and verdict kept. The schema-1 goldens (test/analysis/report/golden-v1/, written
 * by the code before version 2) upgraded must equal the same inputs analysed today, except
 * for what a schema-1 report could not know (the path's address family).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { RECOVERY_MS } from '../../../src/analysis/measure/attribution.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { ReportVersionError, upgradeReport } from '../../../src/analysis/report/migrate.js';
import { ReportSchema, type Report } from '../../../src/analysis/schema/report-schema.js';
import { ReportV1Schema, type ReportV1 } from '../../../src/analysis/schema/report-v1-schema.js';
import { repoRoot } from '../../kit/paths.js';
import { GOLDEN_CASES } from './golden-cases.js';

const dir = join(repoRoot, 'test/analysis/report/golden-v1');

/** What a failure says: where an older report gets a field new in the report. */
const UPGRADE_V2 =
  "a field new in the report needs its value for older reports in upgradeV2 (src/analysis/report/migrate.ts), which a schema-1 report also passes through, and today's value here where schema 1 could not know it";

/**
 * Since schema 2 a round trip sent within the horizon before a suspect interval (the test's
 * 90th-percentile round trip) is left out of the latency grade too (schema 1 left out those sent in one): a report with suspect intervals kept the
 * few more round trips schema 1 graded. Their count, the distribution's mean, the latency
 * sentences that name the count and the CQD line's mean round trip are taken from today's
 * analysis, once the upgraded figures are checked to differ only by those few round trips: the
 * same median, at most 10 more samples. Since schema 3 the second of recovery after each of this
 * device's intervals is left out too (measure/attribution.ts): one more second of probes each.
 */
function sinceRoundTripRule(upgraded: Report, today: Report): Report {
  const was = upgraded.directions.roundTrip.gradedRttMs;
  const now = today.directions.roundTrip.gradedRttMs;
  if (was === null || now === null || was.count === now.count) return upgraded;
  expect(was.p50).toBe(now.p50);
  expect(was.count - now.count).toBeGreaterThan(0);
  const client = today.attribution?.directions.find((d) => d.direction === 'up' || d.direction === 'loop');
  const recoveries = client?.intervals.filter((i) => i.reason === 'recovery').length ?? 0;
  expect(was.count - now.count).toBeLessThanOrEqual(10 + (recoveries * today.meta.ratePps * RECOVERY_MS) / 1000);
  return {
    ...upgraded,
    grades: upgraded.grades.map((g, i) => (g.target.startsWith('latency-') ? (today.grades[i] ?? g) : g)),
    directions: { ...upgraded.directions, roundTrip: today.directions.roundTrip },
    teamsPoorStream: today.teamsPoorStream,
  };
}

/**
 * Since schema 3 a window touching the second of recovery after a device interval is suspect
 * too: a report with device intervals counted fewer suspect windows. Once every grade's status
 * and reason and the verdict are checked equal, the window counts and the sentences and lines
 * that name them are taken from today's analysis.
 */
function sinceRecoveryRule(upgraded: Report, today: Report): Report {
  const recovering = (today.attribution?.directions ?? []).some((d) => d.intervals.some((i) => i.reason === 'recovery'));
  if (!recovering) return upgraded;
  expect(upgraded.grades.map((g) => [g.target, g.direction, g.status, g.reason])).toEqual(today.grades.map((g) => [g.target, g.direction, g.status, g.reason]));
  expect(upgraded.summary.verdict).toBe(today.summary.verdict);
  return { ...upgraded, grades: today.grades, directions: today.directions, explanation: today.explanation, teamsPoorStream: today.teamsPoorStream };
}

/**
 * Since the loss bounds (measure/windows.ts: Lower bound, Upper bound) a loss or burst-loss grade
 * that schema 1 left insufficient for its suspect windows may pass (every probe missing from the
 * schedule counted lost still meets the target) or fail (the loss outside suspect time alone
 * reaches it); since the jitter bound (Upper bound, jitter) a jitter grade may pass. Once every
 * other grade's status and reason are checked equal, and each changed one is such a grade, the
 * grades, the summary and the explanation are taken from today's analysis.
 */
function sinceWindowBoundsRule(upgraded: Report, today: Report): Report {
  const changed = today.grades.filter((g, i) => {
    const was = upgraded.grades[i];
    return was === undefined || was.status !== g.status || was.reason !== g.reason;
  });
  if (changed.length === 0) return upgraded;
  for (const g of changed) {
    expect(['loss-15s', 'burst-loss-200ms', 'jitter-15s']).toContain(g.target);
    const was = upgraded.grades.find((x) => x.target === g.target && x.direction === g.direction);
    expect(was?.status).toBe('insufficient');
    // The jitter bound only ever gives a pass; the loss bounds a pass or a fail.
    expect(g.target === 'jitter-15s' ? ['pass'] : ['pass', 'fail']).toContain(g.status);
  }
  return { ...upgraded, grades: today.grades, summary: today.summary, explanation: today.explanation };
}

/**
 * Since the window bounds the methods' "Windows:" line and the hidden page's warning say how a
 * window touching suspect time may pass. A stored report keeps its words as written: today's
 * report is compared with those two texts (and the explanation line that quotes the warning) as
 * the stored report has them.
 */
function withStoredWindowWords(today: Report, upgraded: Report): Report {
  const storedWindows = upgraded.meta.methods.find((l) => l.startsWith('Windows:'));
  const storedHidden = upgraded.diagnostics.warnings.find((w) => w.code === 'page-hidden')?.message;
  const todayHidden = today.diagnostics.warnings.find((w) => w.code === 'page-hidden')?.message;
  const hidden = (text: string): string => (storedHidden !== undefined && todayHidden !== undefined ? text.replace(todayHidden, storedHidden) : text);
  return {
    ...today,
    meta: { ...today.meta, methods: today.meta.methods.map((l) => (l.startsWith('Windows:') && storedWindows !== undefined ? storedWindows : l)) },
    diagnostics: { ...today.diagnostics, warnings: today.diagnostics.warnings.map((w) => ({ ...w, message: hidden(w.message) })) },
    explanation: today.explanation.map(hidden),
  };
}

describe('upgradeReport', () => {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));

  it('has schema-1 goldens to upgrade', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it.each(names)('%s: a schema-1 report upgrades to what analyze writes today', (name) => {
    const v1 = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as ReportV1;
    expect(Value.Check(ReportV1Schema, v1)).toBe(true);
    const upgraded = upgradeReport(v1);
    expect(
      [...Value.Errors(ReportSchema, upgraded)].map((e) => `${e.path} ${e.message}`),
      UPGRADE_V2,
    ).toEqual([]);
    const c = GOLDEN_CASES.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no golden case ${name}`);
    const today: Report = withStoredWindowWords(analyze(c.input()), upgraded);
    // Schema 1 never recorded the address family, the probe path's reason or the later setup steps; its
    // delay targets' notes were written before the clock's step was recorded (stored words are kept as written).
    const meta = {
      ...upgraded.meta,
      targets: upgraded.meta.targets.map((t, i) => (t.unit === 'ms' ? { ...t, note: today.meta.targets[i]?.note ?? t.note } : t)),
    };
    // Since schema 3 a test with no verdict says why in its explanation (a line of its own).
    const withoutCause = (lines: readonly string[]) => lines.filter((l) => !l.startsWith('No verdict:'));
    const kept = sinceRecoveryRule(sinceWindowBoundsRule(sinceRoundTripRule(upgraded, today), today), today);
    expect(
      {
        ...kept,
        explanation: withoutCause(kept.explanation),
        meta,
        path: { ...upgraded.path, family: today.path.family },
        probe: today.probe,
        timelineMs: today.timelineMs,
      },
      UPGRADE_V2,
    ).toEqual({
      ...today,
      timelineMs: today.timelineMs,
      explanation: withoutCause(today.explanation),
      // Schema 2 and older recorded no attribution.
      attribution: null,
    });
  });

  it('passes a current report through unchanged and refuses an unknown version', () => {
    const c = GOLDEN_CASES[0];
    if (c === undefined) throw new Error('no golden case');
    const r = analyze(c.input());
    expect(upgradeReport(r)).toBe(r);
    expect(() => upgradeReport({ ...r, schemaVersion: 9 } as unknown as Report)).toThrow(ReportVersionError);
  });
});
