/**
 * assembleInput and unconnectedInput: the analysis input from what the test's parts returned,
 * as runSession always built it (the server named, the busy line's evidence, the notes' order,
 * connecting time on the rung used).
 */
import { describe, expect, it } from 'vitest';
import type { LoadEvidence } from '../../../src/analysis/schema/load-input.js';
import type { RunOptions } from '../../../src/session/env.js';
import type { TestConfig } from '../../../src/session/plan/config.js';
import { noStreamViews } from '../../../src/session/collect/outside-views.js';
import { assembleInput, unconnectedInput, type TestEvidence } from '../../../src/session/plan/input.js';
import { choosePath } from '../../../src/session/plan/probe-path.js';
import { planTest, type TestPlan } from '../../../src/session/plan/test-plan.js';
import { SessionTimeline } from '../../../src/session/timings.js';
import { ALL_CAPS, ENTRY, FACTS, runOptions, serverConfig } from './plan-kit.js';

const SERVER = serverConfig({ rtpReflector: false, load: { maxBytesPerDirection: 1000, maxFlowsPerSource: 1 } });
const OPTIONS = runOptions();
const CAPS = ALL_CAPS;
const OVERRIDE: TestConfig = { kind: 'override', relay: { turn: [ENTRY], username: 'u', credential: 'c' } };

const MEASURED: LoadEvidence = {
  budgetBytes: 1000,
  startedAt: '2025-01-02T03:04:20.000Z',
  startMs: 15_100,
  endMs: 20_000,
  up: null,
  down: null,
  outcome: null,
};
const CLOCK = { resolutionMs: 0.1, crossOriginIsolated: true };
const LOST = { reason: 'connection-lost' as const, atMs: 9000, detail: 'ICE failed' };

function evidence(plan: TestPlan, over: Partial<TestEvidence> = {}): TestEvidence {
  return {
    plan,
    path: choosePath(plan, { leg: 'absent', because: 'no-rtp-leg' }),
    channel: { ordered: false, maxRetransmits: 0 },
    entry: ENTRY,
    checks: [{ transport: 'udp', port: 3478, url: ENTRY.url, reachable: true, allocateMs: 40, error: null }],
    stream: {
      connectionLost: null,
      relayWitness: null,
      reflectorPacketsReceived: null,
      qos: null,
      lossTimeoutMs: 1000,
      sender: { timerErrorMs: [], missedTicks: 0, maxBufferedAmountBytes: 0, droppedAtSender: 0 },
      notes: ['paced by timer'],
      provisional: [],
    },
    records: { up: null, down: null, loop: null, roundTrip: { sent: [], samples: [] }, notes: ['from the records'], views: noStreamViews() },
    compared: null,
    statsPath: null,
    opinion: null,
    rttViews: null,
    nat: null,
    pageHidden: false,
    sessionNotes: ['of the session'],
    clock: CLOCK,
    times: {
      setup: { config: 10, allocation: 100, iceConnected: 200, dtls: 300, channelOpen: 350, firstEcho: 400 },
      allocation: 100,
      channelOpen: 350,
      lastProbe: 15_200,
    },
    load: null,
    ...over,
  };
}

const serverPlan = (opts: Partial<RunOptions> = {}): TestPlan => planTest({ ...OPTIONS, ...opts }, { kind: 'server', server: SERVER }, CAPS, FACTS);

describe('assembleInput', () => {
  it.each([
    { name: "callprobe's server: the server asked", plan: serverPlan(), server: 'https://callprobe.example', why: 'the server has no RTP reflector' },
    {
      name: "someone else's TURN server: its relay",
      plan: planTest({ ...OPTIONS, override: { turn: [ENTRY], username: 'u', credential: 'c' } }, OVERRIDE, CAPS, FACTS),
      server: 'turn:relay.example:3478?transport=udp',
      why: "a TURN server that is not callprobe's (--external-turn) has no RTP reflector behind it",
    },
  ])('names $name', ({ plan, server, why }) => {
    const input = assembleInput(evidence(plan));
    expect(input.meta.server).toBe(server);
    expect(input.meta.ratePps).toBe(100);
    expect(input.meta.payloadBytes).toBe(160);
    expect(input.probe).toEqual({ path: 'datachannel', reason: why });
    expect(input.clock).toEqual(CLOCK);
  });

  it('keeps the notes in order: the stream, its records, the session', () => {
    expect(assembleInput(evidence(serverPlan())).notes).toEqual(['paced by timer', 'from the records', 'of the session']);
  });

  it('reports the time from the relay chosen to the channels open on the rung used (350 - 100 ms)', () => {
    const rung = assembleInput(evidence(serverPlan())).connectivity.find((r) => r.url === ENTRY.url);
    expect(rung?.connectMs).toBe(250);
    expect(
      assembleInput(evidence(serverPlan(), { times: { ...evidence(serverPlan()).times, channelOpen: null } })).connectivity.find((r) => r.url === ENTRY.url)
        ?.connectMs,
    ).toBeNull();
  });

  it.each([
    { name: 'not asked: no load section', opts: {}, measured: null, lost: false, load: undefined },
    { name: 'planned and run: what it measured', opts: { load: true }, measured: MEASURED, lost: false, load: MEASURED },
    {
      name: 'planned, the connection lost before it started',
      opts: { load: true },
      measured: null,
      lost: true,
      load: {
        budgetBytes: 0,
        startedAt: null,
        startMs: 0,
        endMs: 0,
        up: null,
        down: null,
        outcome: { reason: 'server-gone', detail: 'the connection to the server was lost before the busy-line test could start' },
      },
    },
    {
      name: 'planned, the test ended before it started',
      opts: { load: true },
      measured: null,
      lost: false,
      load: {
        budgetBytes: 0,
        startedAt: null,
        startMs: 0,
        endMs: 0,
        up: null,
        down: null,
        outcome: { reason: 'not-run', detail: 'the test ended before the busy-line test could start' },
      },
    },
    {
      name: 'planned, run, then the connection lost',
      opts: { load: true },
      measured: MEASURED,
      lost: true,
      load: { ...MEASURED, outcome: { reason: 'server-gone', detail: 'the connection to the server was lost during the test' } },
    },
    {
      name: 'unavailable (loopback): why not',
      opts: { load: true, mode: 'loopback' as const },
      measured: null,
      lost: false,
      load: {
        budgetBytes: 0,
        startedAt: null,
        startMs: 0,
        endMs: 0,
        up: null,
        down: null,
        outcome: { reason: 'not-run', detail: 'the busy-line test needs the reflector (loopback mode has no upstream and downstream to tell apart)' },
      },
    },
  ])('busy line $name', ({ opts, measured, lost, load }) => {
    const plan = serverPlan(opts);
    const input = assembleInput(evidence(plan, { load: measured, stream: { ...evidence(plan).stream, connectionLost: lost ? LOST : null } }));
    if (load === undefined) expect('load' in input).toBe(false);
    else expect(input.load).toEqual(load);
  });
});

describe('the views outside the page', () => {
  it("joins the probe stream's views (the server's loop lateness among them) and getStats' round trips", () => {
    const stream = {
      receiveLagMs: [{ atMs: 40, valueMs: 1.5 }],
      reflectorHoldMs: [{ atMs: 30, valueMs: 0.2 }],
      upArrivalBins: [{ fromSendMs: 0, toSendMs: 190, packets: 20, maxGapMs: 12, maxSendGapMs: 11 }],
      serverLoopDelayMs: [{ atMs: 180, valueMs: 42 }],
    };
    const rtt = { iceRttMs: [{ atMs: 1000, valueMs: 26 }], rtcpRttMs: [{ atMs: 5000, valueMs: 27 }] };
    const base = evidence(serverPlan());
    const input = assembleInput({ ...base, records: { ...base.records, views: stream }, rttViews: rtt });
    expect(input.views).toEqual({ ...stream, ...rtt });
  });

  it('has empty views where nothing sampled getStats and the stream carried none (the in-page loop)', () => {
    expect(assembleInput(evidence(serverPlan())).views).toEqual({
      receiveLagMs: [],
      iceRttMs: [],
      rtcpRttMs: [],
      reflectorHoldMs: [],
      upArrivalBins: null,
      serverLoopDelayMs: [],
    });
  });
});

describe('unconnectedInput', () => {
  it('names the server asked, at the data channel rate, with the busy line not run', () => {
    const input = unconnectedInput(serverPlan({ load: true }), [], new SessionTimeline(() => 0), null, CLOCK, null);
    expect(input.meta.server).toBe('https://callprobe.example');
    expect(input.meta.ratePps).toBe(100);
    expect(input.meta.channel).toEqual({ ordered: false, maxRetransmits: 0 });
    expect(input.outcome?.reason).toBe('could-not-connect');
    expect(input.load).toEqual({
      budgetBytes: 0,
      startedAt: null,
      startMs: 0,
      endMs: 0,
      up: null,
      down: null,
      outcome: { reason: 'not-run', detail: 'the test ended before the busy-line test could start' },
    });
  });
});
