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
import { withRegionAnswer } from '../../../src/analysis/report/region-answer.js';
import { conclusionProblem } from '../../../src/analysis/report/consistency.js';
import { answerView } from '../../../src/analysis/present/answer.js';
import { verdictView } from '../../../src/analysis/present/view.js';
import { explanationOf } from '../../../src/analysis/present/explain.js';
import { EN, loadMessages } from '../../../src/analysis/present/catalogue.js';

const GERMAN = await loadMessages('de');

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
      `To West Europe, where your Teams tenant is: 41 ms, within the 95 ms limit. That test's verdict: ${r.legs?.[0]?.report?.summary.verdict.toUpperCase()}.`,
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
    const legReport = leg.report;
    if (legReport === null) throw new Error('no leg report');
    expect(() => acceptUpload({ ...r, legs: [{ ...leg, report: { ...legReport, summary: { ...legReport.summary, verdict: 'fail' } } }] })).toThrow(
      /\/legs\/0\/report\/summary\/verdict/,
    );
    expect(() => acceptUpload({ ...r, legs: [leg, leg] })).toThrow(/legs/);
    expect(() => acceptUpload({ ...r, meta: { ...r.meta, edge: WEU } })).toThrow(/\/legs\/0 is a test on weu-1, but the report itself ran there too/);
  });
});

describe('the region decides: asked about an Azure row answered by its leg', () => {
  const asked = { id: 'azure-region' as const, azureRegion: 'West Europe', from: 'site' as const };
  // The leg graded on the row's site column (135 ms): a 15 s test at 100 probes/s resolves every target of it.
  const there = (rttMs: number): Report => analyze(reflectorInput({ count: 1500, rttMs: () => rttMs, meta: { edge: WEU, profile: asked } }));
  const nearest = (rttMs: number): Report =>
    analyze(reflectorInput({ count: 1500, rttMs: () => rttMs, meta: { edge: NEU, profile: { id: 'client-to-edge' } } }));
  const answered = (nearRttMs: number, leg: Parameters<typeof withRegionAnswer>[2]): Report => withRegionAnswer(nearest(nearRttMs), asked, leg);

  it('fails when the region leg is over its row, and says each round trip of the edge it was measured to, never PASS', () => {
    const near = nearest(12);
    expect(near.summary.verdict).toBe('pass');
    const r = answered(12, { role: 'region', edge: WEU, report: there(200) });
    expect(r.summary).toMatchObject({ verdict: 'fail', insufficientCause: null });
    expect(r.explanation[0]).toBe(
      "FAIL: to West Europe, where your Teams tenant is, this connection misses the targets of Microsoft's Azure table for that region.",
    );
    expect(r.explanation.join('\n')).not.toMatch(/\bPASS\b/);
    expect(r.explanation).toContain('To North Europe, the nearest test server: 12 ms, within the 100 ms limit of the client-to-edge targets.');
    expect(r.explanation).toContain("To West Europe, where your Teams tenant is: 200 ms, over the 135 ms limit. That test's verdict: FAIL.");
    const a = answerView(r);
    expect(a.tone).toBe('bad');
    expect(a.sentence).toMatch(/^To West Europe, where your Teams tenant is: /);
    expect(verdictView(r).title).toBe(EN.t('title.fail'));
    expect(conclusionProblem(r)).toBeNull();
    // The region answered in another language too, from the report's codes.
    expect(explanationOf(r, GERMAN)[0]).toMatch(/^NICHT BESTANDEN: Nach West Europe, wo Ihr Teams-Mandant liegt/);
  });

  it('passes only when both pass, and has no verdict when the leg could not run or its edge is down, never a pass by omission', () => {
    const pass = answered(12, { role: 'region', edge: WEU, report: there(41) });
    expect(pass.summary.verdict).toBe('pass');
    expect(pass.explanation[0]).toBe(
      'PASS: to West Europe, where your Teams tenant is, and to the nearest test server (North Europe), this connection met every target Microsoft sets.',
    );
    const notRun = answered(12, { role: 'region', edge: WEU, report: null, couldNotRun: { reason: 'could-not-connect', message: 'no relay port answered' } });
    expect(notRun.summary).toMatchObject({ verdict: 'insufficient', insufficientCause: 'region-not-tested' });
    expect(notRun.explanation[0]).toMatch(/^No verdict: the test on the test server in the Azure region you asked about could not run/);
    expect(regionSentences(notRun)).toContain(
      'To West Europe, where your Teams tenant is: not tested (could-not-connect). That region has no verdict: only the nearest test server was graded.',
    );
    expect(answerView(notRun)).toMatchObject({ tone: 'unsure' });
    expect(conclusionProblem(notRun)).toBeNull();
    const down = answered(12, { role: 'region', edge: WEU, report: null, couldNotRun: { reason: 'edge-down', message: 'did not answer the locate' } });
    expect(answerView(down).sentence).toBe(
      "No answer for West Europe, where your Teams tenant is: the region's test server is down, so only the nearest was graded.",
    );
    // The nearest failing decides it, said of the nearest.
    const nearFails = answered(400, { role: 'region', edge: WEU, report: there(41) });
    expect(nearFails.summary.verdict).toBe('fail');
    expect(nearFails.explanation[0]).toBe("FAIL: to the nearest test server (North Europe), this connection misses Microsoft's client-to-edge targets.");
    expect(answerView(nearFails).sentence).toMatch(/^To North Europe, the nearest test server: /);
  });

  it('is refused at the door when its verdict is not the worse of the two, or its leg is not graded on the asked row', () => {
    const r = answered(12, { role: 'region', edge: WEU, report: there(200) });
    expect(conclusionProblem({ ...r, summary: { ...r.summary, verdict: 'pass' } })).toBe(
      '/summary/verdict is "pass", but its grades with its region leg make it "fail"',
    );
    expect(conclusionProblem({ ...r, legs: [] })).toBe('/meta/asked is set, but the report has no region leg (/legs)');
    const leg = r.legs?.[0];
    if (leg?.report == null) throw new Error('no leg report');
    const other = { ...leg, report: { ...leg.report, meta: { ...leg.report.meta, profile: { ...leg.report.meta.profile, azureRegion: 'East US' } } } };
    expect(conclusionProblem({ ...r, legs: [other] })).toBe('/legs/0/report is graded on azure-region (East US), not the asked row (West Europe)');
    expect(conclusionProblem({ ...r, legs: [{ ...leg, report: null }] })).toBe('/legs/0 has no report and does not say why (/legs/0/couldNotRun)');
    expect(schemaErrors(JSON.parse(JSON.stringify(r)))).toEqual([]);
  });
});
