/** Stored rows as the site report reads them: nothing dropped without a count. */
import { describe, expect, it } from 'vitest';
import { siteSampleOf } from '../../../server/reports/site.js';
import type { SiteSampleRow } from '../../../server/store/types.js';
import { weekOfSamples } from '../../analysis/site/week.js';

const row = (reportJson: string, kind: SiteSampleRow['kind'] = 'report'): SiteSampleRow => ({ id: 'a'.repeat(32), code: 'K7QF-3MZD', sampleId: null, kind, startedAtMs: Date.UTC(2026, 0, 5), verdict: null, reportJson });

describe('siteSampleOf', () => {
  const [first] = weekOfSamples({ seed: 1, samples: 1 });

  it('keeps only what the site report reads of a report', () => {
    if (first?.kind !== 'report') throw new Error('the generator starts with a report');
    const s = siteSampleOf(row(JSON.stringify(first.body)));
    expect(s).toMatchObject({ id: 'a'.repeat(32), code: 'K7QF-3MZD', startedAtMs: Date.UTC(2026, 0, 5) });
    if (s.body.kind !== 'report') throw new Error(`expected a report, got ${s.body.kind}`);
    expect(Object.keys(s.body.report).sort()).toEqual(['grades', 'meta', 'probe', 'summary']);
    expect(s.body.report.grades).toEqual(first.body.grades);
    expect(s.body.report.meta.profile).toEqual(first.body.meta.profile);
    expect(s.body.report.probe.path).toBe(first.body.probe.path);
  });

  it('reads a could-not-test record with its reason', () => {
    const cnt = { kind: 'could-not-test', reason: 'no-relay', message: 'no relay port answered', atMs: 1, meta: {} };
    expect(siteSampleOf(row(JSON.stringify(cnt), 'could-not-test')).body).toEqual({ kind: 'could-not-test', reason: 'no-relay' });
  });

  it('counts a body it cannot read as unreadable, with why', () => {
    expect(siteSampleOf(row('{not json')).body).toMatchObject({ kind: 'unreadable', problem: expect.stringMatching(/^not JSON/) as unknown });
    expect(siteSampleOf(row('{"schemaVersion":9}')).body).toMatchObject({ kind: 'unreadable', problem: expect.stringMatching(/^unknown-version/) as unknown });
    expect(siteSampleOf(row('{"schemaVersion":2,"meta":{}}')).body).toMatchObject({ kind: 'unreadable', problem: expect.stringMatching(/^schema/) as unknown });
  });
});
