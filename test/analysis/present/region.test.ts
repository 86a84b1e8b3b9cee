/**
 * The region leg in words and at the door: a sentence per leg with the leg's own round trip grade
 * (the same figure and limit as its report) and its own verdict; a plain sentence when the row's
 * region has no test server or its test could not run; nothing when the test ran there. The
 * upload door takes a report with its leg and refuses a leg whose edge or verdict its own report
 * contradicts.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { acceptUpload } from '../../../src/analysis/report/accept.js';
import { regionLegFailedNote, regionLegRtt, regionSentences } from '../../../src/analysis/present/region.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { reflectorInput } from '../report/inputs.js';
import { schemaErrors } from '../../kit/report-validator.js';
import { reportRows } from '../../../src/analysis/report/export.js';

const WEU = { id: 'weu-1', azureRegion: 'West Europe' };
const NEU = { id: 'neu-1', azureRegion: 'North Europe' };
const profile = { id: 'azure-region' as const, azureRegion: 'West Europe', from: 'edge' as const };

const test = (edge: typeof WEU, rttMs: number): Report => analyze(reflectorInput({ count: 1500, rttMs: () => rttMs, meta: { edge, profile } }));

const withLeg = (rttMs: number): Report => ({ ...test(NEU, 12), legs: [{ role: 'region', edge: WEU, report: test(WEU, rttMs) }] });

describe('the region leg', () => {
  it('says the leg round trip against the row limit, with that test verdict beside it', () => {
    const r = withLeg(41);
    const rtt = r.legs?.[0] === undefined ? null : regionLegRtt(r.legs[0]);
    expect(rtt).toEqual({ valueMs: 41, limitMs: 95, status: 'pass' });
    expect(regionSentences(r)).toEqual([
      `To West Europe, where your Teams tenant is: 41 ms, within the 95 ms limit. That test's verdict: ${r.legs?.[0]?.report.summary.verdict.toUpperCase()}.`,
    ]);
    expect(regionSentences(withLeg(120))[0]).toMatch(
      /^To West Europe, where your Teams tenant is: 120 ms, over the 95 ms limit\. That test's verdict: FAIL\.$/,
    );
    // The report's own verdict is the nearest edge's.
    expect(withLeg(120).summary.verdict).toBe(test(NEU, 12).summary.verdict);
  });

  it('says plainly when the row region has no test server, or its test could not run, and nothing when the test ran there', () => {
    const near = test(NEU, 12);
    expect(regionSentences(near)).toEqual(['No test server in West Europe: graded on the nearest edge (North Europe), which is not that region.']);
    const failed = {
      ...near,
      diagnostics: { ...near.diagnostics, notes: [...near.diagnostics.notes, regionLegFailedNote('West Europe', 'relay-unreachable: no relay port answered')] },
    };
    expect(regionSentences(failed)).toEqual([
      'The test server in West Europe could not be tested: graded on the nearest edge (North Europe), which is not that region.',
    ]);
    expect(regionSentences(test(WEU, 12))).toEqual([]);
    expect(regionSentences(analyze(reflectorInput({ count: 1500, meta: { edge: NEU } })))).toEqual([]);
  });

  it('is exported split by edge: the report row, then the region leg row with its own edge, figures and verdict', () => {
    const r = withLeg(120);
    const rows = reportRows({ id: 'r1', code: 'K7QF-3MZD', sampleId: null }, r, 'page');
    expect(rows.map((x) => [x.code, x.leg, x['edge.id'], x.verdict, x.rttMsP50])).toEqual([
      ['K7QF-3MZD', null, 'neu-1', r.summary.verdict, 12],
      ['K7QF-3MZD', 'region', 'weu-1', 'fail', 120],
    ]);
    expect(reportRows({ id: 'r2', code: null, sampleId: null }, test(NEU, 12))).toHaveLength(1);
  });

  it('is a valid report with its leg, taken at the door; a leg that contradicts itself is refused', () => {
    const r = JSON.parse(JSON.stringify(withLeg(41))) as Report;
    expect(schemaErrors(r)).toEqual([]);
    const accepted = acceptUpload(r);
    expect(accepted.kind === 'report' && accepted.report.legs?.[0]?.edge).toEqual(WEU);
    const leg = r.legs?.[0];
    if (leg === undefined) throw new Error('no leg');
    expect(() => acceptUpload({ ...r, legs: [{ ...leg, edge: { id: 'weu-2', azureRegion: 'West Europe' } }] })).toThrow(
      /\/legs\/0\/edge .* but its report ran on/,
    );
    expect(() => acceptUpload({ ...r, legs: [{ ...leg, report: { ...leg.report, summary: { ...leg.report.summary, verdict: 'fail' } } }] })).toThrow(
      /\/legs\/0\/report\/summary\/verdict/,
    );
    expect(() => acceptUpload({ ...r, legs: [leg, leg] })).toThrow(/legs/);
    expect(() => acceptUpload({ ...r, meta: { ...r.meta, edge: WEU } })).toThrow(/\/legs\/0 is a test on weu-1, but the report itself ran there too/);
  });
});
