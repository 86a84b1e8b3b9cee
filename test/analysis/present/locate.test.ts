/**
 * A hub's test in words and in the table: the sentence names the nearest and what else was tried
 * (a lossy edge with its loss, a silent one as not answering), says plainly when the test ran on
 * another edge, and is absent for an all-in-one server. The report carries the edge and the
 * locate through analyze() and the upload door, which refuses a nearest its figures contradict.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { acceptUpload } from '../../../src/analysis/report/accept.js';
import { edgeSentence, locateCaption, locateRows } from '../../../src/analysis/present/locate.js';
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

const report = (edge: { id: string; azureRegion: string } | null, locate: Locate | null, rttMs = 40) =>
  analyze({ ...reflectorInput({ count: 1500, meta: { edge }, rttMs: () => rttMs }), locate });

/** Eight edges after a first pass: the four nearest measured with probes, three the first pass alone reached, one that never answered it. */
const firstPassed = (over: Partial<Locate> = {}): Locate => {
  const only = (id: string, azureRegion: string, allocateMs: number | null) => ({
    id,
    azureRegion,
    state: allocateMs === null ? ('unreachable' as const) : ('ok' as const),
    allocateMs,
    rttMsP50: null,
    rttMsP90: null,
    lossPct: null,
    probesSent: 0,
    firstPassOnly: true,
  });
  return located({
    ...over,
    edges: [
      ...located().edges.slice(0, 3),
      only('aus-1', 'Australia East', 480),
      only('bra-1', 'Brazil South', 390),
      only('jpe-1', 'Japan East', 410),
      only('wus-1', 'West US', null),
    ],
    firstPassMs: 212.4,
    family: 'ipv4',
    tie: null,
    ...over,
  });
};

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

  it('says the edges the first pass alone reached as a count, and over which family it reached them', () => {
    const r = report({ id: 'weu-1', azureRegion: 'West Europe' }, firstPassed());
    expect(edgeSentence(r)).toBe(
      'Nearest test server: West Europe, 23.1 ms away. Also tried: North Europe 31.4 ms, East US 88 ms with 15% loss, West US did not answer, 3 more answered only a quick first check.',
    );
    expect(locateRows(r).map((row) => [row.edge, row.state, row.allocate, row.rttP50])).toEqual([
      ['neu-1', 'answered', '41.2 ms', '31.4 ms'],
      ['weu-1', 'answered', '30.3 ms', '23.1 ms'],
      ['eus-1', 'answered', '180.0 ms', '88.0 ms'],
      ['aus-1', 'answered the first check only', '480.0 ms', '–'],
      ['bra-1', 'answered the first check only', '390.0 ms', '–'],
      ['jpe-1', 'answered the first check only', '410.0 ms', '–'],
      ['wus-1', 'did not answer', '–', '–'],
    ]);
    expect(locateCaption(r)).toBe(
      "Test servers measured before the test (round trip through each one's relay) All over IPv4, as this page reached the server.",
    );
    expect(locateCaption(report({ id: 'weu-1', azureRegion: 'West Europe' }, located()))).toBe(
      "Test servers measured before the test (round trip through each one's relay)",
    );
    const accepted = acceptUpload(JSON.parse(JSON.stringify(r)));
    expect(accepted.kind === 'report' && accepted.report.locate).toEqual(r.locate);
  });

  it('says a tie, and where a scheduled site keeps or moves its tests', async () => {
    const fr = await loadMessages('fr');
    const tied = located({
      tie: 'neu-1',
      edges: located().edges.map((e) => (e.id === 'neu-1' ? { ...e, rttMsP50: 25 } : e)),
    });
    const r = report({ id: 'weu-1', azureRegion: 'West Europe' }, tied);
    expect(edgeSentence(r)).toMatch(
      /away\. Also tried: .*\. West Europe and North Europe are about as near \(23\.1 ms and 25 ms\): less than 5 ms or 20% apart, a tie\.$/,
    );
    expect(edgeSentence(r, fr)).toContain('West Europe et North Europe sont à peu près aussi proches');
    // Kept on its edge, North Europe, while West Europe was clearly nearer on this sample only.
    const kept = report({ id: 'neu-1', azureRegion: 'North Europe' }, located({ site: { kept: 'neu-1', challenger: 'weu-1', moved: false } }));
    expect(edgeSentence(kept)).toMatch(
      /^Test server: North Europe, 31.4 ms away\. Also tried: .*\. This site's tests stay on North Europe: West Europe was nearer on this sample only; they move there when the next sample finds it nearer too\.$/,
    );
    const moved = report({ id: 'weu-1', azureRegion: 'West Europe' }, located({ site: { kept: 'neu-1', challenger: null, moved: true } }));
    expect(edgeSentence(moved)).toMatch(/\. This site's tests moved here from North Europe\.$/);
    // Through the upload door as they are.
    for (const x of [r, kept, moved]) expect(acceptUpload(JSON.parse(JSON.stringify(x))).kind).toBe('report');
  });

  it('says the path changed during the test when its round trip is over twice the locate p90 and 30 ms more', async () => {
    const de = await loadMessages('de');
    // weu-1's locate p90: 25.9 ms; 2 x 25.9 + 30 = 81.8 ms.
    const changed = report({ id: 'weu-1', azureRegion: 'West Europe' }, located(), 92.5);
    expect(changed.locate?.pathChanged).toEqual({ rttMsP50: 92.5, locateRttMsP90: 25.9 });
    expect(edgeSentence(changed)).toMatch(
      /\. The path to West Europe changed during the test: its round trip was 92.5 ms \(median\), where the check just before the test found at most 25.9 ms \(90th percentile\)\.$/,
    );
    expect(edgeSentence(changed, de)).toContain('Der Weg zu West Europe hat sich während des Tests geändert');
    const same = report({ id: 'weu-1', azureRegion: 'West Europe' }, { ...located(), pathChanged: { rttMsP50: 92.5, locateRttMsP90: 25.9 } }, 80);
    expect(same.locate?.pathChanged).toBeUndefined();
    expect(edgeSentence(same)).not.toContain('changed');
    // At the door: a changed path's locate figure is the tested edge's.
    const sent = JSON.parse(JSON.stringify(changed)) as typeof changed;
    expect(acceptUpload(sent).kind).toBe('report');
    expect(() => acceptUpload({ ...sent, locate: { ...sent.locate, pathChanged: { rttMsP50: 92.5, locateRttMsP90: 33 } } })).toThrow(
      /\/locate\/pathChanged\/locateRttMsP90 is 33, but the locate's p90 to the edge the test ran on is 25.9/,
    );
  });
});
