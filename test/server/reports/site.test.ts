/** Stored rows as the site report reads them: nothing dropped without a count. */
import { describe, expect, it } from 'vitest';
import { siteReportFromStore, siteSampleOf, SiteReportTooLarge } from '../../../server/reports/site.js';
import { open, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';
import type { SiteSampleRow } from '../../../server/store/sites/types.js';
import { summaryOf } from '../../../server/store/summary.js';
import { weekOfSamples } from '../../analysis/site/week.js';

const row = (reportJson: string, kind: SiteSampleRow['kind'] = 'report'): SiteSampleRow => ({
  id: 'a'.repeat(32),
  code: 'K7QF-3MZD',
  sampleId: null,
  kind,
  startedAtMs: Date.UTC(2026, 0, 5),
  verdict: null,
  summary: summaryOf(reportJson),
});

describe('siteSampleOf', () => {
  const [first] = weekOfSamples({ seed: 1, samples: 1 });

  it('keeps only what the site report reads of a report, from the summary columns', () => {
    if (first?.kind !== 'report') throw new Error('the generator starts with a report');
    const s = siteSampleOf(row(JSON.stringify(first.body)));
    expect(s).toMatchObject({ id: 'a'.repeat(32), code: 'K7QF-3MZD', startedAtMs: Date.UTC(2026, 0, 5) });
    if (s.body.kind !== 'report') throw new Error(`expected a report, got ${s.body.kind}`);
    expect(Object.keys(s.body.report).sort()).toEqual(['grades', 'meta', 'probe', 'summary']);
    // Each grade's value, or insufficient: a test's own pass/fail is not kept (the site grades its P90).
    const graded = (g: { target: string; direction: string; status: string; value: number | null }): unknown => ({
      target: g.target,
      direction: g.direction,
      value: g.status === 'insufficient' ? null : g.value,
      insufficient: g.status === 'insufficient' || g.value === null,
    });
    expect(s.body.report.grades.map(graded)).toEqual(first.body.grades.map(graded));
    const p = first.body.meta.profile;
    expect(s.body.report.meta.profile).toEqual({ id: p.id, azureRegion: p.azureRegion, from: p.from });
    expect(s.body.report.summary.verdict).toBe(first.body.summary.verdict);
    expect(s.body.report.probe.path).toBe(first.body.probe.path);
  });

  it('reads a could-not-test record with its reason', () => {
    const cnt = { kind: 'could-not-test', reason: 'no-relay', message: 'no relay port answered', atMs: 1, meta: {} };
    expect(siteSampleOf(row(JSON.stringify(cnt), 'could-not-test')).body).toEqual({
      kind: 'could-not-test',
      reason: 'no-relay',
      // A reason this release does not know points nowhere; nothing blocked, no verdict.
      side: 'unknown',
      blockedPorts: [],
      verdict: null,
    });
  });

  it('counts a body it cannot read as unreadable, with why', () => {
    expect(siteSampleOf(row('{not json')).body).toMatchObject({ kind: 'unreadable', problem: expect.stringMatching(/^not JSON/) as unknown });
    expect(siteSampleOf(row('{"schemaVersion":9}')).body).toMatchObject({ kind: 'unreadable', problem: expect.stringMatching(/^unknown-version/) as unknown });
    expect(siteSampleOf(row('{"schemaVersion":2,"meta":{}}')).body).toMatchObject({ kind: 'unreadable', problem: expect.stringMatching(/^schema/) as unknown });
  });
});

describe('siteReportFromStore', () => {
  it('refuses more samples than one report reads, and reads up to that many', async () => {
    const kind = sqliteKind();
    await kind.setup();
    const store = await open(await kind.freshTarget(), storeOptions(testClock(), 3));
    try {
      for (const [i, s] of weekOfSamples({ seed: 2, samples: 6 }).entries()) {
        await store.results.put({
          sampleId: `s-${String(i).padStart(6, '0')}`,
          kind: s.kind,
          startedAtMs: s.startedAtMs,
          site: 'Nice',
          ticket: null,
          verdict: null,
          reportJson: JSON.stringify(s.body),
          address: null,
        });
      }
      const q = { site: 'Nice', sinceMs: 0, choice: { profile: null, probePath: null }, timeZone: 'UTC' };
      const clock = { nowMs: Date.UTC(2026, 6, 1), heartbeatGraceMs: 20_000 };
      expect((await siteReportFromStore(store, q, clock, 6)).samples).toBe(6);
      const err = await siteReportFromStore(store, q, clock, 5).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SiteReportTooLarge);
      expect((err as SiteReportTooLarge).message).toMatch(/more than 5 samples since 1970-01-01T00:00:00.000Z: ask for a shorter span/);
    } finally {
      await store.close();
      await kind.teardown();
    }
  });
});
