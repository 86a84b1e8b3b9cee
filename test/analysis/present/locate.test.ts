/**
 * A hub's test in words and in the table: the sentence names the nearest and what else was tried
 * (a lossy edge with its loss, a silent one as not answering), says plainly when the test ran on
 * another edge, and is absent for an all-in-one server. The report carries the edge and the
 * locate through analyze() and the upload door, which refuses a nearest its figures contradict.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { acceptUpload } from '../../../src/analysis/report/accept.js';
import { edgeSentence, locateRows } from '../../../src/analysis/present/locate.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';
import type { Locate } from '../../../src/analysis/schema/locate-schema.js';
import { reflectorInput } from '../report/inputs.js';
import { reportCsvRow, reportRow } from '../../../src/analysis/report/export.js';

const located = (over: Partial<Locate> = {}): Locate => ({
  nearest: 'weu-1',
  lossTargetPct: 10,
  budgetMs: 3000,
  edges: [
    { id: 'neu-1', azureRegion: 'North Europe', state: 'ok', allocateMs: 41.2, rttMsP50: 31.4, rttMsP90: 33, lossPct: 0, probesSent: 20 },
    { id: 'weu-1', azureRegion: 'West Europe', state: 'ok', allocateMs: 30.3, rttMsP50: 23.1, rttMsP90: 25.9, lossPct: 5, probesSent: 20 },
    { id: 'eus-1', azureRegion: 'East US', state: 'ok', allocateMs: 180, rttMsP50: 88, rttMsP90: 91, lossPct: 15, probesSent: 20 },
    { id: 'wus-1', azureRegion: 'West US', state: 'unreachable', allocateMs: null, rttMsP50: null, rttMsP90: null, lossPct: null, probesSent: 0 },
  ],
  ...over,
});

const report = (edge: { id: string; azureRegion: string } | null, locate: Locate | null) =>
  analyze({ ...reflectorInput({ count: 1500, meta: { edge } }), locate });

describe('the edges of a report', () => {
  it('names the nearest first, then what else was tried, and lists every edge for IT', async () => {
    const [de, ja] = await Promise.all([loadMessages('de'), loadMessages('ja')]);
    const r = report({ id: 'weu-1', azureRegion: 'West Europe' }, located());
    expect(r.meta.edge).toEqual({ id: 'weu-1', azureRegion: 'West Europe' });
    expect(edgeSentence(r)).toBe(
      'Nearest test server: West Europe, 23.1 ms away. Also tried: North Europe 31.4 ms, East US 88 ms with 15% loss, West US did not answer.',
    );
    // The same in the reader's language, the regions as Azure names them.
    expect(edgeSentence(r, de)).toBe(
      'Nächster Testserver: West Europe, 23,1\u00a0ms entfernt. Ebenfalls versucht: North Europe 31,4\u00a0ms, East US 88\u00a0ms mit 15\u00a0% Paketverlust und West US hat nicht geantwortet.',
    );
    expect(edgeSentence(r, ja)).toBe(
      '最寄りのテストサーバー: West Europe (23.1 ms)。ほかに試したサーバー: North Europe 31.4 ms、East US 88 ms (パケットロス 15%)、West US は応答なし。',
    );
    expect(locateRows(r).map((row) => [row.edge, row.role, row.state, row.rttP50, row.loss])).toEqual([
      ['neu-1', '', 'answered', '31.4 ms', '0.00%'],
      ['weu-1', 'nearest, tested', 'answered', '23.1 ms', '5.00%'],
      ['eus-1', '', 'answered', '88.0 ms', '15.00%'],
      ['wus-1', '', 'did not answer', '–', '–'],
    ]);
    // The export's row carries the edge, its locate round trip (rounded as the page shows it in the CSV) and the nearest.
    const who = { id: null, code: null, sampleId: null };
    expect(reportRow(who, r)).toMatchObject({ 'edge.id': 'weu-1', 'edge.azureRegion': 'West Europe', 'edge.locateRttMsP50': 23.1, 'locate.nearest': 'weu-1' });
    expect(reportCsvRow(who, report(null, null))).toMatchObject({ 'edge.id': null, 'edge.locateRttMsP50': null, 'locate.nearest': null });
    // Through the upload door as it is.
    const accepted = acceptUpload(JSON.parse(JSON.stringify(r)));
    expect(accepted.kind === 'report' && accepted.report.locate).toEqual(r.locate);
  });

  it('says where the test ran when the nearest did not answer it, and nothing for an all-in-one server', () => {
    const moved = located({
      nearest: 'neu-1',
      edges: located().edges.map((e) => (e.id === 'weu-1' ? { ...e, state: 'unreachable' as const } : e)),
    });
    expect(edgeSentence(report({ id: 'neu-1', azureRegion: 'North Europe' }, moved))).toMatch(
      /^Nearest test server: North Europe, 31.4 ms away. Also tried: West Europe did not answer, East US 88 ms with 15% loss/,
    );
    const none = located({ nearest: null, edges: located().edges.map((e) => ({ ...e, lossPct: 50 })) });
    expect(edgeSentence(report({ id: 'weu-1', azureRegion: 'West Europe' }, none))).toMatch(
      /^Test server: West Europe, 23.1 ms away; no test server answered with loss under 10%\./,
    );
    expect(edgeSentence(report({ id: 'weu-1', azureRegion: 'West Europe' }, null))).toBe('Test server: West Europe.');
    const plain = report(null, null);
    expect(edgeSentence(plain)).toBeNull();
    expect(plain.meta.edge).toBeUndefined();
    expect(plain.locate).toBeUndefined();
  });

  it('refuses at the door a nearest its figures contradict, or a tested edge it never measured', () => {
    const r = JSON.parse(JSON.stringify(report({ id: 'weu-1', azureRegion: 'West Europe' }, located()))) as ReturnType<typeof report>;
    expect(() => acceptUpload({ ...r, locate: { ...r.locate, nearest: 'eus-1' } })).toThrow(
      /\/locate\/nearest is "eus-1", but its edges' figures make it "weu-1"/,
    );
    expect(() => acceptUpload({ ...r, meta: { ...r.meta, edge: { id: 'jpe-1', azureRegion: 'Japan East' } } })).toThrow(/an edge the locate did not measure/);
    expect(() => acceptUpload({ ...r, meta: { ...r.meta, edge: { id: 'Not An Id', azureRegion: 'Japan East' } } })).toThrow(/meta\/edge\/id/);
  });
});
