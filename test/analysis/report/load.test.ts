/**
 * The busy-line section against hand-built records whose answers are known by construction:
 * 100 probes/s each way, the reflector's clock 1000 ms ahead of the client's, 5 ms transit
 * each way when idle (so a 10 ms round trip). The phase starts at 2 s: uploads from 2 s to
 * 6 s, downloads from 6 s to 10 s, each its own 4 s working window.
 */
import { SCHEMA_VERSION } from '../../../src/analysis/schema/version.js';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { AnalysisInput } from '../../../src/analysis/schema/input.js';
import type { LoadDirectionEvidence, LoadEvidence } from '../../../src/analysis/schema/load-input.js';
import type { ArrivalRecord, DirectionRecords, RttSample, SentRecord, SuspectInterval } from '../../../src/analysis/measure/records.js';
import { bloatGrade } from '../../../src/analysis/grade/load.js';
import { bytesAt, goodputBitsPerS, reflectorClockOffsetMs } from '../../../src/analysis/measure/load.js';
import { budgetSentence } from '../../../src/analysis/present/load.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';
import { answerView } from '../../../src/analysis/present/answer.js';
import { noOutsideViews, type OutsideViews } from '../../../src/analysis/measure/views.js';
import { schemaErrors } from '../../kit/report-validator.js';
import { uploadBoundsProblem } from '../../../src/analysis/schema/check.js';
import { longestProvisionalHistory } from '../../kit/provisional.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';

const OFFSET_MS = 1000;
const END_MS = 10_000;

interface Shape {
  /** Extra one-way delay up / down for a probe the client sent at t. */
  upExtra(t: number): number;
  downExtra(t: number): number;
  /** Whether the probe sent at t is lost (up) / its echo lost (down). */
  upLost?(t: number): boolean;
  downLost?(t: number): boolean;
  suspect?: SuspectInterval[];
}

function records(shape: Shape): Pick<AnalysisInput, 'up' | 'down' | 'roundTrip'> {
  const upSent: SentRecord[] = [];
  const upArr: ArrivalRecord[] = [];
  const downSent: SentRecord[] = [];
  const downArr: ArrivalRecord[] = [];
  const rtt: RttSample[] = [];
  for (let i = 0; i * 10 < END_MS; i++) {
    const t = i * 10;
    upSent.push({ seq: i, sendMs: t });
    if (shape.upLost?.(t)) continue;
    const upRecv = t + OFFSET_MS + 5 + shape.upExtra(t);
    upArr.push({ seq: i, sendMs: t, recvMs: upRecv });
    // The reflector's echo stream is paced on its own clock (as the RTP reflector's is): echo i leaves at t + 1005.
    const echoSend = t + OFFSET_MS + 5;
    downSent.push({ seq: i, sendMs: echoSend });
    if (shape.downLost?.(t)) continue;
    downArr.push({ seq: i, sendMs: echoSend, recvMs: echoSend - OFFSET_MS + 5 + shape.downExtra(t) });
    // The round trip of probe i: its way out and the echo's way back.
    rtt.push({ seq: i, sendMs: t, rttMs: 10 + shape.upExtra(t) + shape.downExtra(t) });
  }
  const suspect = shape.suspect ?? [];
  return {
    up: { sent: upSent, arrivals: upArr, intervalMs: 10, suspect },
    down: {
      sent: downSent,
      arrivals: downArr,
      intervalMs: 10,
      suspect: suspect.map((s) => ({ ...s, startMs: s.startMs + OFFSET_MS, endMs: s.endMs + OFFSET_MS })),
    },
    roundTrip: { sent: upSent, samples: rtt },
  };
}

/** Progress readings every 500 ms at a constant rate. */
function direction(startMs: number, endMs: number, bytesPerS: number, stop: LoadDirectionEvidence['stop'] = 'stable'): LoadDirectionEvidence {
  const progress = [];
  for (let t = startMs; t <= endMs; t += 500) progress.push({ atMs: t, bytes: ((t - startMs) / 1000) * bytesPerS });
  return { startMs, endMs, progress, flows: 6, stop, errors: [] };
}

const upLoaded = (t: number): boolean => t >= 2000 && t < 6000;
const downLoaded = (t: number): boolean => t >= 6000 && t < 10_000;

function input(shape: Shape, load: Partial<LoadEvidence> = {}, views: OutsideViews | null = null): AnalysisInput {
  const r = records(shape);
  return {
    meta: {
      callprobeVersion: 'test',
      browser: 'test',
      startedAt: '2026-01-01T00:00:00.000Z',
      server: 'http://127.0.0.1:8080',
      mode: 'reflector',
      profile: { id: 'client-to-edge' },
      ratePps: 100,
      payloadBytes: 160,
      durationS: 2,
      site: null,
      ticket: null,
      channel: { ordered: false, maxRetransmits: 0 },
    },
    connectivity: [],
    path: { transport: 'udp', port: 3478, candidateType: 'relay', family: 'ipv4', changes: 0 },
    setupMs: { config: 1, allocation: 2, iceConnected: 3, dtls: 4, channelOpen: 5, firstEcho: 6 },
    lastProbeMs: END_MS,
    outcome: null,
    probe: { path: 'rtp', reason: 'test' },
    compare: null,
    nat: null,
    witness: null,
    ...r,
    loop: null,
    lossTimeoutMs: 1000,
    sender: { timerErrorMs: [], missedTicks: 0, maxBufferedAmountBytes: 0, droppedAtSender: 0 },
    stats: null,
    pageHidden: false,
    notes: [],
    load: {
      budgetBytes: 50_000_000,
      startedAt: '2026-01-01T00:00:02.000Z',
      startMs: 2000,
      endMs: END_MS,
      up: direction(2000, 6000, 600_000),
      down: direction(6000, 10_000, 2_375_000),
      outcome: null,
      ...load,
    },
    views,
  };
}

/** ICE round trips every second, `idle` before the phase (2 s) and `loaded(t)` after. */
function iceViews(idle: number, loaded: (t: number) => number): OutsideViews {
  return { ...noOutsideViews(), iceRttMs: Array.from({ length: 10 }, (_, i) => ({ atMs: i * 1000 + 500, valueMs: i < 2 ? idle : loaded(i * 1000 + 500) })) };
}

/** The server's 200 ms arrival bins of the whole test; `gapMs(t)` the longest arrival gap of the bin from t (sends 10 ms apart). */
function bins(gapMs: (t: number) => number): OutsideViews['upArrivalBins'] {
  return Array.from({ length: END_MS / 200 }, (_, i) => ({
    fromSendMs: i * 200,
    toSendMs: i * 200 + 190,
    packets: 20,
    maxGapMs: gapMs(i * 200),
    maxSendGapMs: 10,
  }));
}

describe('the busy-line measurements', () => {
  it('grades added delay on the DSLReports scale, boundaries to the next grade', () => {
    expect([0, 4.99, 5, 29.9, 30, 59.9, 60, 199, 200, 399, 400, 2000].map(bloatGrade)).toEqual(['A+', 'A+', 'A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'F', 'F']);
    expect(bloatGrade(null)).toBeNull();
  });

  it('reads goodput over a window from progress readings, linear between them', () => {
    const p = [
      { atMs: 0, bytes: 0 },
      { atMs: 1000, bytes: 1_000_000 },
      { atMs: 2000, bytes: 1_500_000 },
    ];
    expect(bytesAt(p, 500)).toBe(500_000);
    expect(bytesAt(p, 3000)).toBe(1_500_000);
    // 1.5 MB - 0.5 MB over 1.5 s: 5.333 Mbit/s.
    expect(goodputBitsPerS(p, { fromMs: 500, toMs: 2000 })).toBeCloseTo(5_333_333.33, 1);
  });

  it('places the reflector clock from the smallest round trip (1000 ms ahead here)', () => {
    const r = records({ upExtra: () => 0, downExtra: () => 0 });
    expect(reflectorClockOffsetMs(r.up as DirectionRecords, r.roundTrip)).toBe(1000);
  });
});

describe('the load section', () => {
  it('a bloated uplink: uploads add 180 ms (grade C), downloads 40 ms (B); suffers, upstream; idle grades see no loaded probe', () => {
    const report = analyze(input({ upExtra: (t) => (upLoaded(t) ? 180 : 0), downExtra: (t) => (downLoaded(t) ? 40 : 0) }));
    expect(schemaErrors(report)).toEqual([]);
    const l = report.load;
    expect(l?.up?.addedDelayMs).toBe(180);
    expect(l?.up?.addedDelayMsP90).toBe(180);
    expect(l?.up?.grade).toBe('C');
    expect(l?.down?.addedDelayMs).toBe(40);
    expect(l?.down?.grade).toBe('B');
    expect(l?.up?.idleRttMs).toBe(10);
    expect(l?.up?.loadedRttMs).toBe(190);
    expect(l?.down?.loadedRttMs).toBe(50);
    expect(l?.up?.goodputMbps).toBeCloseTo(4.8, 9);
    expect(l?.down?.goodputMbps).toBeCloseTo(19, 9);
    expect(l?.up?.lossPct).toBe(0);
    expect(l?.up?.probes).toEqual({ sent: 400, received: 400, suspect: 0 });
    expect(l?.up?.windowMs).toEqual({ fromMs: 0, toMs: 4000 });
    expect(l?.verdict).toEqual({ kind: 'suffers', text: 'Calls will suffer when the line is busy: uploads add 180 ms.', directions: ['up'] });
    expect(l?.outcome).toBeUndefined();
    expect(l?.bytes).toBe(2_400_000 + 9_500_000);
    // The idle grades: 2 s of 10 ms round trips, nothing of the load.
    expect(report.summary.rttMsP50).toBe(10);
    expect(report.summary.rttMsP90).toBe(10);
    expect(report.directions.up?.packetsSent ?? report.summary.packetsSent).toBe(200);
    expect(l?.capacity?.items.map((i) => [i.use, i.room])).toEqual([
      ['audio', 'yes'],
      ['video', 'yes'],
      ['screen-sharing', 'yes'],
    ]);
  });

  it('a shallow queue: 8 ms more and 5% of upstream probes lost; suffers by loss, never blames delay', () => {
    const report = analyze(input({ upExtra: (t) => (upLoaded(t) ? 8 : 0), downExtra: () => 0, upLost: (t) => upLoaded(t) && (t / 10) % 20 === 0 }));
    const l = report.load;
    expect(l?.up?.addedDelayMs).toBe(8);
    expect(l?.up?.grade).toBe('A');
    expect(l?.up?.lossPct).toBe(5);
    expect(l?.verdict?.kind).toBe('suffers');
    expect(l?.verdict?.text).toBe('Calls will suffer when the line is busy: uploads cause 5% loss.');
    expect(l?.verdict?.text).not.toMatch(/add/);
  });

  it('nothing changes under a saturated load: no effect, at the rates measured', () => {
    const l = analyze(input({ upExtra: () => 0, downExtra: () => 0 })).load;
    expect(l?.up?.addedDelayMs).toBe(0);
    expect(l?.up?.grade).toBe('A+');
    expect(l?.verdict).toEqual({
      kind: 'no-effect',
      text: 'No effect seen at 4.8 Mbit/s up and 19 Mbit/s down: calls should hold up when the line is busy.',
      directions: [],
    });
  });

  it('a line the budget could not fill: could not load the line, never a pass', () => {
    const l = analyze(input({ upExtra: () => 0, downExtra: () => 0 }, { down: direction(6000, 10_000, 2_375_000, 'budget') })).load;
    expect(l?.down?.saturated).toBe(false);
    expect(l?.verdict?.kind).toBe('could-not-load');
    expect(l?.verdict?.text).toBe(
      'Could not load the line: downloads reached 19 Mbit/s and used the whole byte budget before filling it. No effect on calls was seen at 4.8 Mbit/s up and 19 Mbit/s down, but this is not a pass.',
    );
  });

  it('a device that could not keep up (its probes suspect while uploading) is not the line: outcome device-busy, no verdict', () => {
    const l = analyze(input({ upExtra: () => 0, downExtra: () => 0, suspect: [{ startMs: 2000, endMs: 5990, reason: 'sender-stall' }] })).load;
    expect(l?.up?.probes.suspect).toBe(400);
    expect(l?.up?.grade).toBeNull();
    expect(l?.verdict).toBeUndefined();
    expect(l?.outcome?.reason).toBe('device-busy');
    expect(l?.outcome?.sentence).toMatch(/neither the line nor the network/);
  });

  it("loopback under a busy device: uploads 'add' 233 ms but the server saw them in bursts after 500 ms gaps; this device's, never suffers or the smart-queue advice", () => {
    const shape = { upExtra: (t: number) => (upLoaded(t) ? 233 : 0), downExtra: () => 0 };
    const views = { ...noOutsideViews(), upArrivalBins: bins((t) => (upLoaded(t) && t % 1000 === 0 ? 500 : 10)) };
    const report = analyze(input(shape, {}, views));
    expect(schemaErrors(report)).toEqual([]);
    const l = report.load;
    // The figure the page measured stays; its grade and its targets are not the line's.
    expect(l?.up?.addedDelayMs).toBe(233);
    expect(l?.up?.grade).toBeNull();
    expect(l?.up?.targets.find((t) => t.target === 'latency-rtt')?.status).toBe('insufficient');
    // Bins from 2000 to 5800: 20, one in five (2000, 3000, 4000, 5000) with a gap 490 ms beyond the sends': 20 % > 10 %.
    expect(l?.up?.attribution).toMatchObject({ who: 'device', why: 'arrival-gaps', irregularBinShare: 0.2 });
    expect(l?.verdict).toEqual({
      kind: 'device-busy',
      text: 'This device, not your line, added the delay while the line was busy (uploads seemed to add 233 ms): no clock outside this page saw it. Close other programs and run the test again to judge the line.',
      directions: [],
    });
    expect(l?.outcome).toBeUndefined();
    const a = answerView(report);
    expect(a.advice.map((x) => x.id)).not.toContain('smart-queue');
    expect(a.findings.map((f) => f.kind)).not.toContain('busy-line');
  });

  it("a bloated uplink the network thread saw too (ICE rose from 10 to 190 ms): the line's, suffers", () => {
    const shape = { upExtra: (t: number) => (upLoaded(t) ? 180 : 0), downExtra: () => 0 };
    const l = analyze(
      input(
        shape,
        {},
        iceViews(10, (t) => (upLoaded(t) ? 190 : 10)),
      ),
    ).load;
    expect(l?.up?.attribution).toMatchObject({ who: 'network', why: 'rtt-view-rose', rttViewRiseMs: 180 });
    expect(l?.up?.grade).toBe('C');
    expect(l?.verdict?.kind).toBe('suffers');
  });

  it("the same delay with the ICE round trip flat (10 ms throughout): this device's", () => {
    const shape = { upExtra: (t: number) => (upLoaded(t) ? 180 : 0), downExtra: () => 0 };
    const l = analyze(
      input(
        shape,
        {},
        iceViews(10, () => 10),
      ),
    ).load;
    expect(l?.up?.attribution).toMatchObject({ who: 'device', why: 'rtt-view-flat', rttViewRiseMs: 0 });
    expect(l?.verdict?.kind).toBe('device-busy');
  });

  it("a reflector that held the probes 30 ms while the line was loaded: the server's, its own sentence", () => {
    const shape = { upExtra: () => 0, downExtra: (t: number) => (downLoaded(t) ? 90 : 0) };
    const views = { ...noOutsideViews(), reflectorHoldMs: Array.from({ length: 1000 }, (_, i) => ({ atMs: i * 10, valueMs: downLoaded(i * 10) ? 30 : 1 })) };
    const l = analyze(input(shape, {}, views)).load;
    expect(l?.down?.attribution).toMatchObject({ who: 'server', why: 'server-busy', serverMs: 30 });
    expect(l?.verdict?.kind).toBe('server-busy');
    expect(l?.verdict?.text).toBe(
      'The test server, not your line, was slow while the line was busy (downloads seemed to add 90 ms): it held the probes or ran late. This says nothing about your line; run the test again later.',
    );
  });

  it("a server loop running 40 ms late all through the phase: the phase's server-busy, and the idle verdict untouched by it", () => {
    const shape = { upExtra: (t: number) => (upLoaded(t) ? 90 : 0), downExtra: () => 0 };
    const late = (t: number): boolean => upLoaded(t) || downLoaded(t);
    const views = { ...noOutsideViews(), serverLoopDelayMs: Array.from({ length: 1000 }, (_, i) => ({ atMs: i * 10, valueMs: late(i * 10) ? 40 : 0 })) };
    const report = analyze(input(shape, {}, views));
    expect(report.load?.up?.attribution).toMatchObject({ who: 'server', why: 'server-busy' });
    expect(report.load?.verdict?.kind).toBe('server-busy');
    expect(report.attribution?.directions.map((d) => d.windows200ms.server)).toEqual([0, 0]);
    expect(report.summary.insufficientCause).not.toBe('server-busy');
    // The report's server section is the idle stream's: the phase's late loop is not in it.
    expect(report.server).toMatchObject({ eventLoopDelayMsP50: 0, eventLoopDelayMsP99: 0, busyWindows: 0 });
  });

  it("no view outside the page, and this device stalled for 1 s of the 4 s upload window: this device's (the page's own evidence)", () => {
    // Sends 3000..3990 inside the stall: 100 of 400 probes (25 %: at least 10 %, not most).
    const shape = {
      upExtra: (t: number) => (upLoaded(t) ? 180 : 0),
      downExtra: () => 0,
      suspect: [{ startMs: 3000, endMs: 3995, reason: 'sender-stall' as const }],
    };
    const l = analyze(input(shape)).load;
    expect(l?.up?.attribution).toMatchObject({ who: 'device', why: 'page-busy', deviceSuspectShare: 0.25 });
    expect(l?.verdict?.kind).toBe('device-busy');
  });

  it('downloads "adding 1,036 ms" beside a loaded round trip of 329.6 ms: the added delay is cut to the round trip, and says so', () => {
    // The round trips of the download window read 329.6 ms (a set of probes the transits' window did not match).
    const r = input({ upExtra: () => 0, downExtra: (t) => (downLoaded(t) ? 1036 : 0) });
    r.roundTrip = { ...r.roundTrip, samples: r.roundTrip.samples.map((s) => (downLoaded(s.sendMs) ? { ...s, rttMs: 329.6 } : s)) };
    const l = analyze(r).load;
    expect(l?.down?.loadedRttMs).toBe(329.6);
    expect(l?.down?.addedDelayMs).toBe(329.6);
    expect(l?.down?.addedDelayMsP90).toBe(329.6);
    expect(l?.down?.addedDelayCapped).toBe(true);
    expect(l?.up?.addedDelayCapped).toBeUndefined();
  });

  it('the loaded round trip is taken over the same clean probes as the added delay (suspect ones out of both)', () => {
    // Uploads add 180 ms, but 300 ms in a receiver stall from 5000 to 5495 (50 probes of 400): both figures leave it out.
    const shape = {
      upExtra: (t: number) => (upLoaded(t) ? (t >= 5000 && t < 5500 ? 300 : 180) : 0),
      downExtra: () => 0,
      suspect: [{ startMs: 5000, endMs: 5495, reason: 'receiver-stall' as const }],
    };
    const l = analyze(input(shape)).load;
    expect(l?.up?.addedDelayMs).toBe(180);
    expect(l?.up?.loadedRttMs).toBe(190);
  });

  it('a refused phase reports its outcome and leaves the idle test whole', () => {
    const report = analyze(
      input(
        { upExtra: () => 0, downExtra: () => 0 },
        { up: null, down: null, startMs: 0, endMs: 0, outcome: { reason: 'refused', detail: 'too-many-phases: 30 in the last hour' } },
      ),
    );
    expect(report.load?.outcome).toEqual({
      reason: 'refused',
      detail: 'too-many-phases: 30 in the last hour',
      sentence: 'The busy-line test did not run: the server refused it.',
    });
    expect(report.load?.verdict).toBeUndefined();
    expect(report.summary.packetsSent).toBe(1000);
  });

  it('a report with a busy-line section, its longest errors and the longest provisional history still fits the upload bounds and 64 KiB', () => {
    const errors = Array.from({ length: 4 }, () => 'e'.repeat(300));
    const bloated = { upExtra: (t: number) => (upLoaded(t) ? 180 : 0), downExtra: (t: number) => (downLoaded(t) ? 40 : 0) };
    const report = analyze(input(bloated, { up: { ...direction(2000, 6000, 600_000), errors }, down: { ...direction(6000, 10_000, 2_375_000), errors } }));
    const body = JSON.parse(JSON.stringify({ ...report, provisional: longestProvisionalHistory() })) as Record<string, unknown>;
    expect(uploadBoundsProblem(SCHEMA_VERSION, body)).toBeNull();
    const bytes = Buffer.byteLength(JSON.stringify({ ...body, sampleId: 'f'.repeat(36) }));
    console.log(
      `a report with a busy-line section (${JSON.stringify(report.load).length} bytes) and a full provisional history: ${bytes} bytes of ${DEFAULTS.results.bodyLimitBytes}`,
    );
    expect(bytes).toBeLessThan(DEFAULTS.results.bodyLimitBytes);
  });

  it('says the most it can move before it starts', () => {
    expect(budgetSentence(50_000_000)).toBe('The busy-line test moves at most 50 MB up and 50 MB down (100 MB in all) and adds at most 25 s.');
    return loadMessages('de').then((de) =>
      expect(budgetSentence(12_500_000, de)).toBe(
        'Der Test mit ausgelasteter Leitung überträgt höchstens 12,5\u00a0MB im Upstream und 12,5\u00a0MB im Downstream (insgesamt 25\u00a0MB) und dauert höchstens 25\u00a0s länger.',
      ),
    );
  });
});
