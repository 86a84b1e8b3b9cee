/**
 * The test plan as tables, with no WebRTC: options, configuration and capabilities in, the
 * plan (mode, rates, why not RTP, the busy line, the phases) or the SetupError out. Every
 * expected value is written out by hand from the defaults (RTP at 100 frames/s of 160 B, a 5/s
 * cross-check, 100 ms of send margin, 26 s of room for a busy-line phase of at most 25 s).
 */
import { describe, expect, it } from 'vitest';
import { SIGNAL_PROTOCOL, SIGNAL_PROTOCOL_REFUSALS, type ServerConfig } from '../../../src/protocol/api.js';
import type { RunOptions } from '../../../src/session/env.js';
import type { TestConfig } from '../../../src/session/plan/config.js';
import { metaFor, planTest, type TestCapabilities, type TestPlan } from '../../../src/session/plan/test-plan.js';
import { SetupError } from '../../../src/session/net/errors.js';
import { planLoad } from '../../../src/session/load/plan.js';
import { ALL_CAPS, ENTRY, runOptions, serverConfig } from './plan-kit.js';

const TURN = [ENTRY];
const SERVER = serverConfig();

const server = (over: Partial<ServerConfig> = {}): TestConfig => ({ kind: 'server', server: { ...SERVER, ...over } });
const OVERRIDE: TestConfig = { kind: 'override', relay: { turn: TURN, username: 'u', credential: 'c' } };

const ALL = ALL_CAPS;
const options = runOptions;

const FACTS = { startedAt: '2025-01-02T03:04:05.000Z', userAgent: 'ua' };
const plan = (opts: Partial<RunOptions>, config: TestConfig, caps: Partial<TestCapabilities> = {}): TestPlan =>
  planTest(options(opts), config, { ...ALL, ...caps }, FACTS);

/** A 15 s stream: 100/s data channel (1500 + 10 margin probes). */
const DC_100 = { ratePps: 100, intervalMs: 10, count: 1510, payloadBytes: 160 };
/** RTP graded over 15 s: 100 frames/s of 160 B, room for 200/s (3000 + 20), the pacer's 5/s ticks (75 + 2) spread over 15.1 s. */
const RTP_15 = {
  planned: true,
  graded: { ratePps: 100, intervalMs: 10, payloadBytes: 160 },
  capacity: 3020,
  crossCheck: { ratePps: 5, intervalMs: 15_100 / 76, count: 77, payloadBytes: 160 },
  connectGraceMs: 8000,
};
const BASIC = ['config', 'connect', 'stream', 'analyze'];

describe('planTest: mode, rates and the RTP path', () => {
  it.each([
    {
      name: 'a callprobe server with everything: reflector, RTP graded',
      opts: {},
      config: server(),
      caps: {},
      mode: 'reflector',
      reflectorPath: '/signal',
      dataChannel: DC_100,
      rtp: RTP_15,
    },
    {
      name: 'loopback asked for',
      opts: { mode: 'loopback' as const },
      config: server(),
      caps: {},
      mode: 'loopback',
      reflectorPath: '/signal',
      dataChannel: DC_100,
      rtp: { planned: false, whyNot: 'loopback mode: the in-page loop has no RTP reflector' },
    },
    {
      name: 'a server without a reflector: loopback',
      opts: {},
      config: server({ reflectorPath: null }),
      caps: {},
      mode: 'loopback',
      reflectorPath: null,
      dataChannel: DC_100,
      rtp: { planned: false, whyNot: 'loopback mode: the in-page loop has no RTP reflector' },
    },
    {
      name: "someone else's TURN server (--turn)",
      opts: { override: OVERRIDE.kind === 'override' ? OVERRIDE.relay : null },
      config: OVERRIDE,
      caps: {},
      mode: 'loopback',
      reflectorPath: null,
      dataChannel: DC_100,
      rtp: { planned: false, whyNot: "a TURN server that is not callprobe's (--external-turn) has no RTP reflector behind it" },
    },
    {
      name: 'the edge-to-edge profile: 1000/s, faster than RTP',
      opts: { profile: { id: 'edge-to-edge' as const } },
      config: server(),
      caps: {},
      mode: 'reflector',
      reflectorPath: '/signal',
      dataChannel: { ratePps: 1000, intervalMs: 1, count: 15_100, payloadBytes: 160 },
      rtp: { planned: false, whyNot: 'this profile needs 1000 probes/s; RTP runs at 100/s, so the data channel is graded' },
    },
    {
      name: 'a server without the RTP reflector (serve --no-rtp)',
      opts: {},
      config: server({ rtpReflector: false }),
      caps: {},
      mode: 'reflector',
      reflectorPath: '/signal',
      dataChannel: DC_100,
      rtp: { planned: false, whyNot: 'the server has no RTP reflector' },
    },
    {
      name: 'a client that cannot open an RTP leg (Node)',
      opts: {},
      config: server(),
      caps: { rtpLeg: false },
      mode: 'reflector',
      reflectorPath: '/signal',
      dataChannel: DC_100,
      rtp: { planned: false, whyNot: 'this client cannot open an RTP probe leg' },
    },
    {
      name: 'a browser without RTP transforms',
      opts: {},
      config: server(),
      caps: { rtpTransforms: false },
      mode: 'reflector',
      reflectorPath: '/signal',
      dataChannel: DC_100,
      rtp: { planned: false, whyNot: 'this browser has no RTP transforms (RTCRtpScriptTransform)' },
    },
    {
      name: 'a one-second test',
      opts: { durationS: 1 },
      config: server({ rtpReflector: false }),
      caps: {},
      mode: 'reflector',
      reflectorPath: '/signal',
      dataChannel: { ratePps: 100, intervalMs: 10, count: 110, payloadBytes: 160 },
      rtp: { planned: false, whyNot: 'the server has no RTP reflector' },
    },
  ])('$name', ({ opts, config, caps, mode, reflectorPath, dataChannel, rtp }) => {
    const p = plan(opts, config, caps);
    expect(p.mode).toBe(mode);
    expect(p.reflectorPath).toBe(reflectorPath);
    expect(p.dataChannel).toEqual(dataChannel);
    expect(p.rtp).toEqual(rtp);
    expect(p.config).toBe(config);
    expect(p.load).toEqual({ kind: 'not-asked' });
    expect(p.compare).toBeNull();
    expect(p.phases).toEqual(BASIC);
  });
});

describe('planTest: the busy line', () => {
  it.each([
    {
      name: 'asked, offered, loadable: planned, the stream runs 26 s longer',
      opts: { load: true },
      config: server(),
      caps: {},
      load: { kind: 'planned', offer: { maxBytesPerDirection: 50_000_000, maxFlowsPerSource: 4 }, afterMs: 15_100, extraS: 26 },
      streamS: 41,
      phases: ['config', 'connect', 'stream', 'load', 'analyze'],
    },
    {
      name: 'not asked',
      opts: { load: false },
      config: server(),
      caps: {},
      load: { kind: 'not-asked' },
      streamS: 15,
      phases: BASIC,
    },
    {
      name: "asked of someone else's TURN server",
      opts: { load: true },
      config: OVERRIDE,
      caps: {},
      load: { kind: 'unavailable', evidence: noLoad('not-offered', "a TURN server that is not callprobe's has no load sink or source") },
      streamS: 15,
      phases: BASIC,
    },
    {
      name: 'asked in loopback mode',
      opts: { load: true, mode: 'loopback' as const },
      config: server(),
      caps: {},
      load: {
        kind: 'unavailable',
        evidence: noLoad('not-run', 'the busy-line test needs the reflector (loopback mode has no upstream and downstream to tell apart)'),
      },
      streamS: 15,
      phases: BASIC,
    },
    {
      name: 'asked of a server that does not offer it',
      opts: { load: true },
      config: server({ load: null }),
      caps: {},
      load: { kind: 'unavailable', evidence: noLoad('not-offered', 'this server does not offer the busy-line test (serve --no-load, or an older server)') },
      streamS: 15,
      phases: BASIC,
    },
    {
      name: 'asked of an older server (no load field)',
      opts: { load: true },
      config: { kind: 'server' as const, server: { ...SERVER, load: undefined } },
      caps: {},
      load: { kind: 'unavailable', evidence: noLoad('not-offered', 'this server does not offer the busy-line test (serve --no-load, or an older server)') },
      streamS: 15,
      phases: BASIC,
    },
    {
      name: 'asked of a client that cannot load the line',
      opts: { load: true },
      config: server(),
      caps: { loadTransport: false },
      load: { kind: 'unavailable', evidence: noLoad('not-offered', 'this client cannot load the line') },
      streamS: 15,
      phases: BASIC,
    },
  ])('$name', ({ opts, config, caps, load, streamS, phases }) => {
    const p = plan(opts, config, caps);
    expect(p.load).toEqual(load);
    expect(p.streamS).toBe(streamS);
    expect(p.phases).toEqual(phases);
  });

  it('leaves room for the phase in every stream it plans', () => {
    const p = plan({ load: true }, server());
    expect(p.dataChannel).toEqual({ ratePps: 100, intervalMs: 10, count: 4110, payloadBytes: 160 });
    expect(p.rtp).toEqual({ ...RTP_15, capacity: 8220, crossCheck: { ratePps: 5, intervalMs: 41_100 / 206, count: 207, payloadBytes: 160 } });
  });
});

describe('planTest: compare mode', () => {
  it.each([
    {
      name: 'asked, ports checked, RTP planned: at RTP rate',
      opts: { compare: { secondsPerRung: 5 } },
      caps: {},
      compare: { secondsPerRung: 5, ratePps: 100 },
    },
    {
      name: 'asked, ports checked, edge-to-edge: at its rate',
      opts: { compare: { secondsPerRung: 3 }, profile: { id: 'edge-to-edge' as const } },
      caps: {},
      compare: { secondsPerRung: 3, ratePps: 1000 },
    },
    { name: 'asked, no port checks: nothing to compare', opts: { compare: { secondsPerRung: 5 } }, caps: { portChecks: false }, compare: null },
    { name: 'not asked', opts: { compare: null }, caps: {}, compare: null },
  ])('$name', ({ opts, caps, compare }) => {
    const p = plan(opts, server(), caps);
    expect(p.compare).toEqual(compare);
    expect(p.phases).toEqual(compare ? ['config', 'connect', 'stream', 'compare', 'analyze'] : BASIC);
  });

  it('runs every planned phase in order: busy line, then compare', () => {
    expect(plan({ load: true, compare: { secondsPerRung: 5 } }, server()).phases).toEqual(['config', 'connect', 'stream', 'load', 'compare', 'analyze']);
  });
});

describe("the busy line on a hub's edge", () => {
  const WEU = { id: 'weu-1', azureRegion: 'West Europe' };
  it("runs on the edge's own sink and source, and names an edge that offers none, never --no-load", () => {
    const offer = { maxBytesPerDirection: 50_000_000, maxFlowsPerSource: 4, url: 'https://weu-1.example.org' };
    expect(planLoad(true, 15, 'reflector', server({ load: offer }), true, WEU)).toMatchObject({ kind: 'planned', offer });
    const none = planLoad(true, 15, 'reflector', server({ load: null }), true, WEU);
    expect(none).toMatchObject({
      kind: 'unavailable',
      evidence: { outcome: { reason: 'not-offered', detail: 'the test server in West Europe (weu-1) does not offer the busy-line test' } },
    });
    expect(JSON.stringify(none)).not.toContain('--no-load');
  });
});

describe('planTest: what it refuses', () => {
  it.each([
    {
      name: 'reflector asked of a server without one',
      opts: { mode: 'reflector' as const },
      config: server({ reflectorPath: null }),
      reason: 'reflector-error',
      message: 'this server has no reflector',
    },
    {
      name: "reflector asked of someone else's TURN server",
      opts: { mode: 'reflector' as const },
      config: OVERRIDE,
      reason: 'reflector-error',
      message: 'this server has no reflector',
    },
    {
      name: 'an older server',
      opts: {},
      config: server({ signalProtocol: SIGNAL_PROTOCOL - 1 }),
      reason: 'version-mismatch',
      message: SIGNAL_PROTOCOL_REFUSALS['server-outdated'],
    },
    {
      name: 'a server older than the protocol field',
      opts: {},
      config: { kind: 'server' as const, server: { ...SERVER, signalProtocol: undefined as unknown as number } },
      reason: 'version-mismatch',
      message: SIGNAL_PROTOCOL_REFUSALS['server-outdated'],
    },
    {
      name: 'a newer server',
      opts: {},
      config: server({ signalProtocol: SIGNAL_PROTOCOL + 1 }),
      reason: 'version-mismatch',
      message: SIGNAL_PROTOCOL_REFUSALS['page-outdated'],
    },
  ])('$name', ({ opts, config, reason, message }) => {
    let thrown: unknown = null;
    try {
      plan(opts, config);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SetupError);
    expect((thrown as SetupError).reason).toBe(reason);
    expect((thrown as SetupError).message).toBe(message);
  });

  it.each([
    { name: 'an older server in loopback mode: no control channel to disagree on', opts: { mode: 'loopback' as const }, config: server({ signalProtocol: 1 }) },
    { name: 'an older server without a reflector', opts: {}, config: server({ signalProtocol: 1, reflectorPath: null }) },
  ])('plans $name', ({ opts, config }) => {
    expect(plan(opts, config).mode).toBe('loopback');
  });
});

describe("the report's meta", () => {
  it('is templated from the options and facts, and completed with the path taken', () => {
    const p = plan({ site: 'Oslo', ticket: 'T-1' }, server());
    expect(p.meta).toEqual({
      callprobeVersion: 'test',
      browser: 'ua',
      startedAt: '2025-01-02T03:04:05.000Z',
      server: 'https://callprobe.example',
      mode: 'reflector',
      profile: { id: 'client-to-edge' },
      durationS: 15,
      site: 'Oslo',
      ticket: 'T-1',
    });
    const meta = metaFor(p.meta, { ordered: false, maxRetransmits: 0 }, 'turn:relay.example:3478?transport=udp', {
      ratePps: 100,
      intervalMs: 10,
      payloadBytes: 160,
    });
    // The report's key order, as runSession always built it.
    expect(Object.keys(meta)).toEqual([
      'callprobeVersion',
      'browser',
      'startedAt',
      'server',
      'mode',
      'profile',
      'ratePps',
      'payloadBytes',
      'durationS',
      'channel',
      'site',
      'ticket',
    ]);
    expect(meta).toMatchObject({
      server: 'turn:relay.example:3478?transport=udp',
      ratePps: 100,
      payloadBytes: 160,
      channel: { ordered: false, maxRetransmits: 0 },
    });
  });

  it('has no site or ticket unless given', () => {
    expect(plan({}, server()).meta).toMatchObject({ site: null, ticket: null });
  });
});

function noLoad(reason: string, detail: string): unknown {
  return { budgetBytes: 0, startedAt: null, startMs: 0, endMs: 0, up: null, down: null, outcome: { reason, detail } };
}
