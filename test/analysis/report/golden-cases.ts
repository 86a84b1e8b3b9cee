/**
 * Recorded inputs for the golden reports: each case is analysed and its report compared byte
 * for byte with test/analysis/report/golden/<name>.json. Together they reach every sentence
 * the analysis writes (each grade outcome, warning, note and explanation branch).
 */
import type { DirectionRecords } from '../../../src/analysis/measure/records.js';
import { nothingMeasured, type AnalysisInput, type StatsSecondOpinion } from '../../../src/analysis/schema/input.js';
import { stream } from '../measure/fixtures.js';
import { ladder, type RungCheck } from '../../../src/analysis/grade/connectivity.js';
import { context, meta, quietSender, reflectorInput, roundTrips } from './inputs.js';

const late =
  (ks: readonly number[], byMs = 25) =>
  (i: number) =>
    ks.includes(i) ? byMs : 0;

/** A device too busy for the test: 400 ms where its sender fell behind (the device-busy case). */
function deviceBusy(): AnalysisInput {
  return {
    ...reflectorInput({
      count: 1500,
      up: { suspect: [{ startMs: 7000, endMs: 7400, reason: 'sender-stall' }], lost: (i) => i >= 700 && i < 730 },
      rttMs: (i) => (i >= 700 && i < 740 ? 119 : 40),
    }),
    sender: {
      timerErrorMs: Array.from({ length: 1500 }, (_, i) => (i >= 700 && i < 740 ? 150 : 0.2)),
      missedTicks: 0,
      maxBufferedAmountBytes: 160,
      droppedAtSender: 0,
    },
  };
}

function handBuiltReflector(): AnalysisInput {
  // As in analyze.test.ts: upstream loss, a late probe, a reordered probe; downstream duplicates.
  const input = reflectorInput({
    count: 3000,
    up: { lost: (i) => i >= 100 && i <= 104, extraDelayMs: (i) => (i === 500 ? 1500 : i === 700 ? 25 : 0) },
    rttMs: (i) => (i === 500 ? 1540 : 30 + (i % 10)),
    rttLost: (i) => i >= 100 && i <= 104,
  });
  const copy = input.down?.arrivals.find((a) => a.seq === 10);
  if (input.down === null || copy === undefined) throw new Error('fixture');
  input.down.arrivals.push({ ...copy, recvMs: copy.recvMs + 3 }, { ...copy, recvMs: copy.recvMs + 4 });
  return input;
}

function loopback(
  over: { stats?: StatsSecondOpinion | null; count?: number; lost?: (i: number) => boolean; extraDelayMs?: (i: number) => number } = {},
): AnalysisInput {
  const count = over.count ?? 1500;
  const loop = stream({
    count,
    intervalMs: 10,
    baseDelayMs: 2,
    lost: over.lost ?? ((i) => i === 42),
    ...(over.extraDelayMs ? { extraDelayMs: over.extraDelayMs } : {}),
  });
  return {
    meta: meta({ mode: 'loopback', ratePps: 100, durationS: count / 100 }),
    ...context(),
    up: null,
    down: null,
    loop,
    roundTrip: roundTrips(loop, (i) => 2 + (i % 4) * 0.5, over.lost ?? ((i) => i === 42)),
    lossTimeoutMs: 1000,
    sender: quietSender(),
    stats:
      over.stats === undefined
        ? {
            iceRttMs: [5, 5.2, 4.8],
            rtcpRttMs: [40],
            inboundJitterMs: [0.5, 1],
            inboundJitterDirection: 'loop',
            rtcpFractionLost: 0,
            concealedRatio: null,
            audioSource: 'fake-device',
          }
        : over.stats,
    pageHidden: false,
    notes: [],
  };
}

function empty(): AnalysisInput {
  return {
    meta: meta(),
    ...context(),
    up: { sent: [], arrivals: [], intervalMs: 10, suspect: [] },
    down: { sent: [], arrivals: [], intervalMs: 10, suspect: [] },
    loop: null,
    lossTimeoutMs: 1000,
    ...nothingMeasured(),
  };
}

/** A busy sender on a TCP relay path whose getStats disagree: every sender warning at once. */
function troubled(): AnalysisInput {
  const input = reflectorInput({
    count: 2000,
    up: {
      suspect: [
        { startMs: 4000, endMs: 4300, reason: 'sender-queue' },
        { startMs: 12_000, endMs: 12_100, reason: 'receiver-stall' },
      ],
    },
    down: { suspect: [{ startMs: 100_000 + 6000, endMs: 100_000 + 6050, reason: 'path-change' }] },
    rttMs: (i) => 40 + (i % 7),
    path: { transport: 'tcp', port: 443, changes: 1 },
    meta: { payloadBytes: 160 },
    stats: {
      iceRttMs: [80, 82],
      rtcpRttMs: [90],
      inboundJitterMs: [12, 14, 13],
      inboundJitterDirection: 'down',
      rtcpFractionLost: 0.02,
      concealedRatio: 0.01,
      audioSource: 'webaudio',
    },
  });
  input.sender = {
    timerErrorMs: Array.from({ length: 100 }, (_, i) => (i >= 95 ? 14 : 0.4)),
    missedTicks: 3,
    maxBufferedAmountBytes: 160 * 40,
    droppedAtSender: 7,
  };
  input.up?.arrivals.push({ seq: 999_999, sendMs: 1, recvMs: 2 });
  input.notes = ['paced by a worker timer'];
  return input;
}

/** Two 5 s bursts of probes 25 s apart: the test ran long enough, yet no 15 s window is full. */
function sendingGap(): AnalysisInput {
  const input = reflectorInput({ count: 500 });
  const join = (a: DirectionRecords, b: DirectionRecords): DirectionRecords => ({
    ...a,
    sent: [...a.sent, ...b.sent],
    arrivals: [...a.arrivals, ...b.arrivals],
  });
  const later = (startMs: number, clockOffsetMs: number) => stream({ count: 500, intervalMs: 10, startMs, firstSeq: 500, clockOffsetMs, baseDelayMs: 20 });
  if (input.up === null || input.down === null) throw new Error('fixture');
  input.up = join(input.up, later(25_000, 5000));
  input.down = join(input.down, later(125_000, -5000));
  input.roundTrip = roundTrips(input.up, () => 40);
  input.meta = { ...input.meta, durationS: 30 };
  return input;
}

/** UDP rungs of relay.example.test that timed out. */
const silentUdp = (ports: number[]): RungCheck[] =>
  ports.map((port) => ({
    transport: 'udp' as const,
    port,
    url: `turn:relay.example.test:${port}?transport=udp`,
    reachable: false,
    allocateMs: null,
    error: 'timeout',
  }));

export const GOLDEN_CASES: ReadonlyArray<{ name: string; input: () => AnalysisInput }> = [
  { name: 'reflector-hand-built', input: handBuiltReflector },
  { name: 'loopback-hand-built', input: () => loopback() },
  { name: 'loopback-no-stats-short', input: () => loopback({ stats: null, count: 500, lost: () => false }) },
  { name: 'empty', input: empty },
  { name: 'clean-15s', input: () => reflectorInput({ count: 1500 }) },
  { name: 'clean-10s', input: () => reflectorInput({ count: 1000 }) },
  { name: 'rtt-99.96', input: () => reflectorInput({ count: 1500, rttMs: () => 99.96 }) },
  { name: 'rtt-100', input: () => reflectorInput({ count: 1500, rttMs: () => 100 }) },
  { name: 'rtt-too-few', input: () => reflectorInput({ count: 1500, rttLost: (i) => i >= 19 }) },
  { name: 'loss-at-target', input: () => reflectorInput({ count: 1500, up: { lost: (i) => i % 100 === 0 } }) },
  { name: 'loss-just-below', input: () => reflectorInput({ count: 1500, up: { lost: (i) => i % 100 === 0 && i > 0 } }) },
  {
    name: 'loss-heavy',
    input: () =>
      reflectorInput({ count: 3000, up: { lost: (i) => i % 8 === 0 }, down: { lost: (i) => i % 50 === 0 }, rttMs: () => 620, rttLost: (i) => i % 8 === 0 }),
  },
  { name: 'jitter-fail', input: () => reflectorInput({ count: 2000, intervalMs: 20, down: { extraDelayMs: (i) => (i % 2) * 70 } }) },
  {
    name: 'page-hidden-interval',
    input: () => reflectorInput({ count: 2000, pageHidden: true, up: { suspect: [{ startMs: 9000, endMs: 9500, reason: 'page-hidden' }] } }),
  },
  {
    name: 'sender-stall-with-loss',
    input: () => reflectorInput({ count: 2000, up: { suspect: [{ startMs: 19000, endMs: 19500, reason: 'sender-stall' }], lost: (i) => i >= 300 && i < 305 } }),
  },
  { name: 'page-hidden-no-intervals', input: () => reflectorInput({ count: 2000, pageHidden: true }) },
  { name: 'edge-to-edge-not-resolvable', input: () => reflectorInput({ count: 1500, meta: { profile: { id: 'edge-to-edge' } } }) },
  {
    name: 'edge-to-edge-1000pps',
    input: () => reflectorInput({ count: 15_000, intervalMs: 1, up: { lost: (i) => i % 1000 === 999 }, meta: { profile: { id: 'edge-to-edge' } } }),
  },
  { name: 'reorder-one-short', input: () => reflectorInput({ count: 1500, up: { extraDelayMs: late([700]) } }) },
  { name: 'reorder-many', input: () => reflectorInput({ count: 1500, up: { extraDelayMs: late(Array.from({ length: 30 }, (_, k) => 100 + k * 40)) } }) },
  { name: 'reorder-one-long', input: () => reflectorInput({ count: 3000, up: { extraDelayMs: late([700]) } }) },
  { name: 'reliable-channel', input: () => reflectorInput({ count: 1500, meta: { channel: { ordered: true, maxRetransmits: null } } }) },
  {
    name: 'azure-site',
    input: () => reflectorInput({ count: 1500, rttMs: () => 120, meta: { profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'site' } } }),
  },
  {
    name: 'azure-edge',
    input: () => reflectorInput({ count: 1500, rttMs: () => 120, meta: { profile: { id: 'azure-region', azureRegion: 'Hawaii US', from: 'edge' } } }),
  },
  { name: 'troubled-sender', input: troubled },
  {
    name: 'rtt-left-out',
    input: () => reflectorInput({ count: 1700, rttMs: (i) => 20 + (i % 3), up: { suspect: [{ startMs: 16_000, endMs: 16_500, reason: 'sender-stall' }] } }),
  },
  { name: 'sending-gap', input: sendingGap },
  {
    name: 'loopback-no-audio',
    input: () =>
      loopback({
        stats: {
          iceRttMs: [5],
          rtcpRttMs: [],
          inboundJitterMs: [],
          inboundJitterDirection: null,
          rtcpFractionLost: null,
          concealedRatio: null,
          audioSource: 'none',
        },
      }),
  },
  {
    name: 'rtt-left-out-too-few',
    input: () => reflectorInput({ count: 1500, rttLost: (i) => i >= 30, up: { suspect: [{ startMs: 0, endMs: 150, reason: 'sender-stall' }] } }),
  },
  {
    // Heavy loss before the server died: still no verdict, the test could not finish.
    name: 'connection-lost',
    input: () => ({
      ...reflectorInput({ count: 620, up: { lost: (i) => i % 10 === 0 } }),
      outcome: { reason: 'connection-lost' as const, atMs: 6200, detail: 'the server closed the signaling connection (code 1006)' },
    }),
  },
  {
    name: 'connection-lost-silent',
    input: () => ({
      ...reflectorInput({ count: 1500 }),
      outcome: { reason: 'connection-lost' as const, atMs: 14_900, detail: 'the reflector stopped answering and never sent its final tally' },
    }),
  },
  {
    // A device too busy for the test: 400 ms where its sender fell behind (timer-late warnings),
    // with loss and long round trips inside it. Never graded as the network: no fail, the
    // answer says the device could not keep up.
    name: 'device-busy',
    input: deviceBusy,
  },
  {
    // The same busy sender, on a data channel that stood in for the audio (RTP) stream our relay
    // refused (its per-username quota): the answer says the server's refusal, never that the
    // device could not keep up.
    name: 'device-busy-rtp-refused',
    input: () => ({
      ...deviceBusy(),
      probe: {
        path: 'datachannel' as const,
        reason:
          "the test server's relay refused the RTP leg (turn:relay.example.test:3478?transport=udp: 486 Allocation Quota Reached), so it did not connect within 5000 ms of the data channel",
        fallback: 'relay-refused' as const,
      },
    }),
  },
  {
    // UDP 3478-3481 silent, TCP 3478 connected, a clean test over TCP: a pass only over a fallback path.
    name: 'fallback-tcp',
    input: () => ({
      ...reflectorInput({ count: 1500, path: { transport: 'tcp', port: 3478 } }),
      connectivity: ladder([
        ...silentUdp([3478, 3479, 3480, 3481]),
        { transport: 'tcp' as const, port: 3478, url: 'turn:relay.example.test:3478?transport=tcp', reachable: true, allocateMs: 31, error: null },
      ]),
    }),
  },
  {
    // A relay on a loopback address that answered on no port: the relay was not heard from, nothing more.
    name: 'relay-silent-loopback',
    input: () => ({
      ...empty(),
      connectivity: ladder(
        [3478, 3479].map((port) => ({
          transport: 'udp' as const,
          port,
          url: `turn:127.0.0.1:${port}?transport=udp`,
          reachable: false,
          allocateMs: null,
          error: 'timeout',
        })),
      ),
      path: { transport: 'unknown' as const, port: null, candidateType: null, family: null, changes: 0 },
      outcome: { reason: 'could-not-connect' as const, atMs: null, detail: 'no relay port connected (UDP 3478: timeout, UDP 3479: timeout)' },
    }),
  },
  {
    // Every rung timed out: no probe was sent, the ladder is the answer.
    name: 'could-not-connect',
    input: () => ({
      ...empty(),
      connectivity: ladder([
        ...silentUdp([3478, 3479, 3480, 3481]),
        { transport: 'tcp' as const, port: 443, url: 'turn:relay.example.test:443?transport=tcp', reachable: false, allocateMs: null, error: 'timeout' },
      ]),
      path: { transport: 'unknown' as const, port: null, candidateType: null, family: null, changes: 0 },
      outcome: {
        reason: 'could-not-connect' as const,
        atMs: null,
        detail: 'no relay port connected (UDP 3478: timeout, UDP 3479: timeout, UDP 3480: timeout, UDP 3481: timeout, TCP 443: timeout)',
      },
    }),
  },
  {
    // The same ladder while the server saw tests connect through its relay 3 minutes before: this
    // network blocks every port Teams uses (UDP 3478-3481, TCP 443), so calls cannot connect: a fail.
    name: 'blocked-every-port',
    input: () => ({
      ...empty(),
      connectivity: ladder([
        ...silentUdp([3478, 3479, 3480, 3481]),
        { transport: 'tcp' as const, port: 443, url: 'turn:relay.example.test:443?transport=tcp', reachable: false, allocateMs: null, error: 'timeout' },
      ]),
      path: { transport: 'unknown' as const, port: null, candidateType: null, family: null, changes: 0 },
      outcome: {
        reason: 'could-not-connect' as const,
        atMs: null,
        detail: 'no relay port connected (UDP 3478: timeout, UDP 3479: timeout, UDP 3480: timeout, UDP 3481: timeout, TCP 443: timeout)',
        side: 'network' as const,
        relayEvidence: { kind: 'recent-test' as const, atMs: 1_700_000_000_000 },
      },
    }),
  },
  {
    // A server of the default ports (UDP 3478-3481, TCP 3478; no 443), all blocked, with the relay's
    // evidence: this network's side, but no verdict: whether calls would fall back to 443 was not tried.
    name: 'blocked-default-ports',
    input: () => ({
      ...empty(),
      connectivity: ladder([
        ...silentUdp([3478, 3479, 3480, 3481]),
        { transport: 'tcp' as const, port: 3478, url: 'turn:relay.example.test:3478?transport=tcp', reachable: false, allocateMs: null, error: 'timeout' },
      ]),
      path: { transport: 'unknown' as const, port: null, candidateType: null, family: null, changes: 0 },
      outcome: {
        reason: 'could-not-connect' as const,
        atMs: null,
        detail: 'no relay port connected (UDP 3478: timeout, UDP 3479: timeout, UDP 3480: timeout, UDP 3481: timeout, TCP 3478: timeout)',
        side: 'network' as const,
        relayEvidence: { kind: 'recent-test' as const, atMs: 1_700_000_000_000 },
      },
    }),
  },
];
