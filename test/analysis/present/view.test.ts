import { describe, expect, it } from 'vitest';
import { aggregateP90 } from '../../../src/analysis/report/aggregate.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import {
  aggregateView,
  chartTable,
  detailsView,
  directionRows,
  directionText,
  keyFigures,
  keyFiguresText,
  liveView,
  lowerFirst,
  plainText,
  testContext,
  verdictRow,
  verdictRows,
  verdictView,
} from '../../../src/analysis/present/view.js';
import type { GradeEntry, Report } from '../../../src/analysis/schema/report-schema.js';
import { reflectorInput } from '../report/inputs.js';
import { probePathLine } from '../../../src/analysis/present/probe-path.js';
import { EN, loadMessages, type MessageKey } from '../../../src/analysis/present/catalogue.js';
import { JITTER_BUFFER_FACTOR, JITTER_BUFFER_MIN_MS } from '../../../src/analysis/grade/mos.js';

function row(r: Report, target: GradeEntry['target'], direction: GradeEntry['direction']) {
  const found = verdictRows(r).find((x) => x.target === target && x.direction === direction);
  if (found === undefined) throw new Error(`no row ${target}/${direction}`);
  return found;
}

const figureText = (r: Report, id: string): string => plainText(keyFigures(r).find((l) => l.id === id)?.parts ?? []);

describe('a round trip of 99.96 ms against a 100 ms target', () => {
  // Every echo takes 99.96 ms: the p50 passes "< 100 ms" and must never read as 100.
  const r = analyze(reflectorInput({ count: 1500, rttMs: () => 99.96 }));

  it('passes, and the verdict row shows the precision the grade used', () => {
    expect(row(r, 'latency-rtt', 'round-trip')).toMatchObject({ status: 'pass', measured: '99.96 ms', limit: '< 100 ms' });
    expect(row(r, 'latency-one-way', 'round-trip')).toMatchObject({ status: 'pass', measured: '49.98 ms', limit: '< 50 ms' });
  });

  it('shows 99.96 ms in the key figures the page and the CLI print', () => {
    expect(figureText(r, 'rtt')).toBe('Round trip p50 99.96 ms, p90 99.96 ms');
    expect(keyFiguresText(r)).toMatch(/^round trip p50 99\.96 ms, p90 99\.96 ms; jitter /);
  });
});

describe('verdict rows', () => {
  const r = analyze(reflectorInput({ count: 1000, up: { lost: (i) => i === 500 } }));

  it('has one row per grade, in grade order, with the grade entry text', () => {
    const rows = verdictRows(r);
    expect(rows.map((x) => `${x.target}/${x.direction}`)).toEqual(r.grades.map((g) => `${g.target}/${g.direction}`));
    expect(rows.map((x) => x.sentence)).toEqual(r.grades.map((g) => g.sentence));
    expect(row(r, 'burst-loss-200ms', 'up')).toMatchObject({
      label: 'Burst packet loss (any 200 ms)',
      directionText: 'upstream',
      statistic: 'worst 200 ms window',
      measured: '5.00%',
      limit: '< 10%',
      status: 'pass',
      reasonText: null,
    });
  });

  it('shows a dash and the reason in words when nothing could be graded', () => {
    // 10 s cannot fill a 15 s window.
    expect(row(r, 'loss-15s', 'down')).toMatchObject({ measured: '–', status: 'insufficient', reasonText: 'window not filled', limit: '< 1%' });
  });

  it('names each direction', () => {
    const g = r.grades[0];
    if (g === undefined) throw new Error('fixture');
    expect(['up', 'down', 'loop', 'round-trip'].map((d) => verdictRow({ ...g, direction: d as GradeEntry['direction'] }).directionText)).toEqual([
      'upstream',
      'downstream',
      'one way',
      'round trip',
    ]);
  });
});

describe('key figures and directions', () => {
  const r = analyze(reflectorInput({ count: 1500, rttMs: (i) => 30 + (i % 10), up: { lost: (i) => i % 100 === 7 } }));

  it('reads as the page shows it, figures emphasised: the graded values, and what a good MOS beside a fail means', () => {
    expect(r.summary.verdict).toBe('fail');
    expect(keyFigures(r).map((l) => plainText(l.parts))).toEqual([
      'Round trip p50 34.0 ms, p90 38.0 ms',
      'Jitter (worst 15 s) 0.0 ms',
      'Loss (worst 15 s) 1.00%; worst 200 ms 5.00%',
      'Reorder 0.00%',
      `MOS estimate ${(r.summary.mos ?? 0).toFixed(2)} (a whole-test average: it cannot see the stretches that failed)`,
      'Probes 1,485 / 1,500 at 100/s',
    ]);
    // A MOS that agrees with the fail needs no words; a pass needs none either.
    expect(plainText(keyFigures({ ...r, summary: { ...r.summary, mos: 2.1 } }).find((l) => l.id === 'mos')?.parts ?? [])).toBe('MOS estimate 2.10');
    expect(plainText(keyFigures({ ...r, summary: { ...r.summary, verdict: 'pass' } }).find((l) => l.id === 'mos')?.parts ?? [])).toMatch(
      /^MOS estimate 4\.\d\d$/,
    );
    expect(
      keyFigures(r)[0]
        ?.parts.filter((p) => p.emphasis)
        .map((p) => p.text),
    ).toEqual(['34.0 ms', '38.0 ms']);
  });

  it("prints missing figures as a dash, and a figure no grade valued as the whole test's", () => {
    const empty: Report = {
      ...r,
      grades: [],
      summary: { ...r.summary, rttMsP50: null, rttMsP90: null, jitterMs: null, lossPct: null, burstLossPctMax200ms: null, reorderPct: null, mos: null },
    };
    expect(
      keyFigures(empty)
        .slice(0, 5)
        .map((l) => plainText(l.parts)),
    ).toEqual(['Round trip p50 –, p90 –', 'Jitter (whole test) –', 'Loss (whole test) –; worst 200 ms –', 'Reorder –', 'MOS estimate –']);
  });

  it('lists upstream and downstream in reflector mode only', () => {
    const rows = directionRows(r);
    expect(rows).toEqual([
      { name: 'Upstream (you → relay)', loss: '1.00%', jitter: '0.0 ms', reorder: '0.00%', lostProbes: '15' },
      { name: 'Downstream (relay → you)', loss: '0.00%', jitter: '0.0 ms', reorder: '0.00%', lostProbes: '0' },
    ]);
    const up = rows[0];
    if (up === undefined) throw new Error('no upstream row');
    expect(directionText(up)).toBe('upstream (you → relay): loss 1.00% and jitter 0.0 ms (worst 15 s), reorder 0.00%, 15 lost probes');
    expect(directionRows({ ...r, summary: { ...r.summary, upstream: null, downstream: null } })).toEqual([]);
  });

  it('says which probe stream was graded, and on RTP that duplicates are seen only at the relay', () => {
    expect(probePathLine({ probe: { path: 'rtp', reason: 'probes ride the audio track as RTP over SRTP, like a call' } })).toBe(
      'Measured on an audio stream (RTP), the way a call sends its voice. Duplicated packets are visible only at the relay, so they are not counted here.',
    );
    expect(probePathLine({ probe: { path: 'datachannel', reason: 'the server has no RTP reflector' } })).toBe(
      'Measured on a data channel, not on an audio stream: the server has no RTP reflector.',
    );
  });

  it('says how the test ran', () => {
    expect(testContext(r)).toBe('client to relay edge; reflector mode via udp/3478; 15 s at 100 probes/s');
  });

  it('titles the verdict and splits the explanation', () => {
    const v = verdictView(r);
    expect(v).toMatchObject({ verdict: 'fail', title: 'Fail', headline: r.explanation[0] });
    expect(v.more).toEqual(r.explanation.slice(1));
  });

  it('never titles a test our side could not finish "Fail"', () => {
    const cut = { ...r, summary: { ...r.summary, verdict: 'insufficient' as const }, outcome: { reason: 'connection-lost' as const, atMs: 6000, detail: 'x' } };
    expect(verdictView(cut).title).toBe('No verdict: the test could not finish');
    expect(verdictView({ ...cut, outcome: { ...cut.outcome, reason: 'could-not-connect' as const } }).title).toBe('No verdict: could not connect');
  });

  it('lower-cases a first word but never an acronym', () => {
    expect(lowerFirst('Round trip')).toBe('round trip');
    expect(lowerFirst('MOS estimate')).toBe('MOS estimate');
    expect(lowerFirst('Upstream (you → relay)')).toBe('upstream (you → relay)');
  });
});

describe('details and live figures', () => {
  it("words the methods and the MOS assumptions in the reader's language; English keeps the stored sentences, which the English catalogue repeats", async () => {
    const r = analyze(reflectorInput({ count: 1500 }));
    expect(detailsView(r).methods.slice(0, r.meta.methods.length)).toEqual(r.meta.methods);
    expect(detailsView(r).assumptions).toEqual(r.mos.assumptions);
    // The English catalogue says what the report stores (the loss timeout and the jitter buffer's figures as the stored text prints them).
    const filled = (key: MessageKey, params: Record<string, string>): string => EN.template(key).replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
    const methodKeys = ['percentiles', 'rtt', 'loss', 'jitter', 'windows', 'reorder', 'confidence', 'grades'] as const;
    expect(methodKeys.map((k) => filled(`it.methodLine.${k}`, { timeout: `${String(r.meta.lossTimeoutMs)} ms` }))).toEqual(r.meta.methods);
    const mosKeys = ['model', 'codec', 'delay', 'loss', 'path', 'degradation'] as const;
    expect(mosKeys.map((k) => filled(`it.mosAssume.${k}`, { min: `${String(JITTER_BUFFER_MIN_MS)} ms`, factor: String(JITTER_BUFFER_FACTOR) }))).toEqual(
      r.mos.assumptions,
    );
    for (const lang of ['de', 'ja'] as const) {
      const d = detailsView(r, await loadMessages(lang));
      const shown = [...d.methods.slice(0, methodKeys.length), ...d.assumptions];
      expect(shown).toHaveLength(methodKeys.length + mosKeys.length);
      for (const line of shown) expect([...r.meta.methods, ...r.mos.assumptions]).not.toContain(line);
    }
    expect(detailsView(r, await loadMessages('de')).methods[2]).toContain(`mehr als ${new Intl.NumberFormat('de').format(r.meta.lossTimeoutMs)}\u00a0ms`);
  });

  it('lists ports, second opinion and methods', () => {
    const r = analyze(reflectorInput({ count: 1500 }));
    const d = detailsView(r);
    expect(d.pathUsed).toBe('UDP 3478');
    expect(d.ports[0]).toEqual({ name: 'UDP 3478', open: true, offered: true, detail: 'allocated in 12 ms' });
    expect(d.ports.filter((p) => !p.offered).map((p) => p.name)).toEqual(['UDP 3479', 'UDP 3480', 'UDP 3481', 'TCP 443', 'TLS 443']);
    expect(d.ports.slice(1).map((p) => p.name)).toEqual(['UDP 3479', 'UDP 3480', 'UDP 3481', 'TCP 443', 'TLS 443']);
    expect(d.secondOpinion[0]).toBe('ICE round trip (median of 0): –; RTCP round trip (median of 0): –; probes: 40.0 ms');
    expect(d.secondOpinion).toContain("The browser's own statistics (getStats) were not collected for this test.");
    expect(d.methods).toContain(`Latency (round trip): ${r.meta.targets[1]?.note ?? ''}`);
    const closed = detailsView({
      ...r,
      connectivity: [
        {
          transport: 'tcp',
          port: 443,
          family: 'ipv4',
          url: 'turn:x:443?transport=tcp',
          reachable: false,
          allocateMs: null,
          connectMs: null,
          error: 'timeout',
          errorText: null,
        },
      ],
    });
    expect(closed.ports).toEqual([{ name: 'TCP 443', open: false, offered: true, detail: 'timeout' }]);
  });

  it('prints the same quantity the same way in the last live tiles and in the verdict', () => {
    const report = analyze(reflectorInput({ count: 1510, rttMs: (i) => 20 + (i % 3) }));
    const s = report.summary;
    const tiles = liveView({ rttMs: s.rttMsP50, jitterMs: s.jitterMs, lossPct: s.lossPct, sent: s.packetsSent, received: s.packetsReceived });
    const verdict = keyFiguresText(report);
    expect(verdict).toContain(`round trip p50 ${tiles.rtt}`);
    // A test one window long: its worst 15 s is the whole test, printed the same way.
    expect(verdict).toContain(`jitter (worst 15 s) ${tiles.jitter}`);
    expect(verdict).toContain(`loss (worst 15 s) ${tiles.loss}`);
    expect(tiles.count).toBe('1,510 / 1,510');
    expect(verdict).toContain('1,510 / 1,510');
  });

  it('formats the running figures, with dashes before the first echo', () => {
    expect(liveView(null)).toEqual({ rtt: '–', jitter: '–', loss: '–', count: '– / –' });
    expect(liveView({ rttMs: 1.47, jitterMs: 0.31, lossPct: 0, sent: 1602, received: 1600 })).toEqual({
      rtt: '1.5 ms',
      jitter: '0.3 ms',
      loss: '0.00%',
      count: '1,602 / 1,600',
    });
  });
});

describe('aggregate view', () => {
  it('shows each P90 with the precision its grade used', () => {
    // Sixty tests (a P90 is graded from 54): the same report sixty times at 99.96 ms.
    const one = analyze(reflectorInput({ count: 1500, rttMs: () => 99.96 }));
    const reports = Array.from({ length: 60 }, () => structuredClone(one));
    const v = aggregateView(aggregateP90(reports));
    expect(v.heading).toBe('Verdict over 60 tests (90th percentile)');
    expect(v.rows.find((x) => x.target === 'latency-rtt')).toMatchObject({
      measured: '99.96 ms',
      limit: '< 100 ms',
      status: 'pass',
      tests: '60 of 60 tests graded',
    });
  });
});

describe('chartTable', () => {
  it("says the chart in one sentence and lists its points with the tiles' formatting", () => {
    const t = chartTable([
      { elapsedS: 1.02, rttMs: 12.04, jitterMs: null },
      { elapsedS: 2.01, rttMs: 30.5, jitterMs: 1.26 },
      { elapsedS: 3.0, rttMs: 18, jitterMs: 1.26 },
    ]);
    expect(t.summary).toBe(
      'Over 3 seconds, round trip ranged from 12.0 ms to 30.5 ms; jitter stayed at 1.3 ms (live figures; the graded ones are in the result).',
    );
    expect(t.rows).toEqual([
      { seconds: '1', rtt: '12.0 ms', jitter: liveView({ rttMs: null, jitterMs: null, lossPct: null, sent: 0, received: 0 }).jitter },
      { seconds: '2', rtt: '30.5 ms', jitter: '1.3 ms' },
      { seconds: '3', rtt: '18.0 ms', jitter: '1.3 ms' },
    ]);
  });

  it('has nothing to say before the first figure', () => {
    expect(chartTable([]).summary).toBe('No figures yet.');
    expect(chartTable([{ elapsedS: 1, rttMs: null, jitterMs: null }]).summary).toBe('No figures yet.');
  });
});
