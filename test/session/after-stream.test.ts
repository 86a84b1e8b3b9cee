/**
 * No path through the session turns measured evidence into an error: once the last probe was
 * sent and the tally closed, whatever fails (getStats, the page watch, the progress display, the
 * audio source, an analysis that refuses the browser's figures) becomes a note and the test is
 * graded on what was measured. Before that the outcome stands as it was (a throw ends the test),
 * and getStats' polling stops either way. Also: a browser that lacks a required API is told so
 * before anything is tried, the clock's step is in the report, and Firefox's partial path
 * (no relay url: no port, no family) is completed from the relay entry.
 */
import { describe, expect, it } from 'vitest';
import type { GradedPath, StatsSecondOpinion } from '../../src/analysis/schema/input.js';
import { analyze } from '../../src/analysis/report/analyze.js';
import { AfterStream } from '../../src/session/after-stream.js';
import { runSession } from '../../src/session/run-session.js';
import type { SessionEnv, StatsSource } from '../../src/session/env.js';
import { probeCount } from '../../src/session/plan/rates.js';
import { GOLDEN_CASES } from '../analysis/report/golden-cases.js';
import { schemaErrors } from '../kit/report-validator.js';
import { ENTRIES, minimalEnv, options, recorder } from './fake-env.js';

const opinion: StatsSecondOpinion = {
  iceRttMs: [],
  rtcpRttMs: [1, 2, 3],
  rtcpFractionLost: 0,
  inboundJitterMs: [],
  inboundJitterDirection: null,
  concealedRatio: null,
  audioSource: 'none',
  lacks: ['ice-rtt'],
};

/** getStats that records its calls; `fail` names the calls that throw. */
function stats(calls: string[], fail: ReadonlySet<string>, path: GradedPath | null = null): StatsSource {
  const step = <T>(name: string, value: T): T => {
    calls.push(name);
    if (fail.has(name)) throw new DOMException(`${name} broke`, 'InvalidStateError');
    return value;
  };
  return {
    start: () => void step('start', undefined),
    stop: async () => step('stop', undefined),
    halt: () => void step('halt', undefined),
    pathChangeTimesMs: [],
    path: () => step('path', path ?? { transport: 'udp', port: 3478, candidateType: 'relay', family: 'ipv4', changes: 0 }),
    opinion: () => step('opinion', opinion),
    freezeOpinion: () => Promise.resolve(),
    rttViews: () => ({ iceRttMs: [], rtcpRttMs: [] }),
  };
}

describe('after the stream, a failure is a note and the test is graded', () => {
  it('getStats, the page watch, the progress display and the audio source all failing: the report stands, each said once', async () => {
    const calls: string[] = [];
    const env: SessionEnv = {
      ...minimalEnv(),
      createStats: () => stats(calls, new Set(['stop', 'opinion', 'path'])),
      createWatch: () => ({
        everHidden: false,
        start: () => undefined,
        stop: () => {
          throw new Error('the watch broke');
        },
      }),
      openAudio: () =>
        Promise.resolve({
          stream: null,
          source: 'webaudio',
          stop: () => {
            throw new DOMException('cannot stop', 'InvalidStateError');
          },
        }),
    };
    const { events } = recorder();
    const report = await runSession(options({ audio: 'webaudio' }), env, {
      phase: (p) => {
        events.phase(p);
        if (p === 'analyzing' || p === 'done') throw new Error('the display broke');
      },
      live: () => {
        throw new Error('the chart broke');
      },
    });
    expect(schemaErrors(report)).toEqual([]);
    // A one-second test: graded (the round trip passes), no outcome standing in for the evidence.
    expect(report.outcome).toBeNull();
    expect(report.grades.find((g) => g.target === 'latency-rtt')?.status).toBe('pass');
    expect(report.summary.packetsSent).toBe(probeCount(1, 100));
    const notes = report.diagnostics.notes;
    expect(notes).toContain("the browser's statistics (getStats) failed after the stream, so it is left out: InvalidStateError: stop broke");
    expect(notes).toContain('the page watch failed after the stream, so it is left out: Error: the watch broke');
    expect(notes).toContain('the path from getStats failed after the stream, so it is left out: InvalidStateError: path broke');
    expect(notes).toContain("the browser's second opinion failed after the stream, so it is left out: InvalidStateError: opinion broke");
    expect(notes).toContain('stopping the audio source failed (InvalidStateError: cannot stop) after the stream');
    expect(notes.filter((n) => n.startsWith("the page's progress display failed"))).toEqual([
      "the page's progress display failed (Error: the chart broke); the measurement went on",
    ]);
    // Without getStats' path the path is the relay entry the peers used.
    expect(report.path).toMatchObject({ transport: 'udp', port: 3478, family: 'ipv4', candidateType: 'relay' });
    expect(report.secondOpinion.available).toBe(false);
    // stop() already ended the polling: halt is not needed after it.
    expect(calls).toEqual(['start', 'stop', 'path', 'opinion']);
  });

  it('a throw before the tally closed ends the test as before, and getStats stops polling', async () => {
    const calls: string[] = [];
    const env: SessionEnv = {
      ...minimalEnv(),
      createStats: () => stats(calls, new Set()),
      createPacer: () => ({ done: Promise.reject(new Error('pacing worker failed: out of memory')), stop: () => undefined }),
    };
    await expect(runSession(options(), env, recorder().events)).rejects.toThrow('pacing worker failed: out of memory');
    expect(calls).toEqual(['start', 'halt']);
  });

  it('an analysis that refuses the browser’s figures grades the probes alone and says what it left out', () => {
    const c = GOLDEN_CASES.find((x) => x.name === 'clean-15s');
    if (!c) throw new Error('no golden case clean-15s');
    const input = c.input();
    const chosen: GradedPath = { transport: 'udp', port: 3478, candidateType: 'relay', family: 'ipv4', changes: 0 };
    // A browser's getStats gave a port that is no port: the analysis refuses the input as it is.
    const odd = { ...input, path: { ...input.path, port: 3478.5 } };
    expect(() => analyze(odd)).toThrow(/path.port/);
    const after = new AfterStream();
    const report = after.report(odd, chosen);
    expect(report.path.port).toBe(3478);
    expect(report.summary.verdict).toBe(analyze(input).summary.verdict);
    expect(report.diagnostics.notes.at(-1)).toMatch(
      /^the report could not include the browser's statistics, compare mode, the NAT check, the relay's witness and the views outside the page \(AnalysisInputError: .*path\.port.*\): graded on the probes alone$/,
    );
  });
});

describe('before anything is tried', () => {
  it('a browser without WebRTC is told what it lacks, as browser-unsupported', async () => {
    let loaded = false;
    const env: SessionEnv = {
      ...minimalEnv(),
      missingApis: () => ['RTCPeerConnection', 'RTCDataChannel'],
      loadSimplePeer: () => {
        loaded = true;
        return minimalEnv().loadSimplePeer();
      },
    };
    await expect(runSession(options(), env, recorder().events)).rejects.toMatchObject({
      reason: 'browser-unsupported',
      message:
        'This browser cannot run the test: it lacks RTCPeerConnection (WebRTC, which carries the probes), RTCDataChannel (WebRTC data channels, which carry the probes where the audio stream cannot). Use a current version of Chrome, Edge, Firefox or Safari.',
    });
    expect(loaded).toBe(false);
  });
});

describe('what the report says about this browser', () => {
  it('the clock’s step, and the second opinions this browser cannot give', async () => {
    const report = await runSession(options(), { ...minimalEnv(), createStats: () => stats([], new Set()) }, recorder().events);
    expect(report.meta.clock?.resolutionMs).toBeGreaterThan(0);
    expect(report.meta.clock?.resolutionMs).toBeLessThan(1);
    expect(report.meta.clock?.crossOriginIsolated).toBeNull();
    expect(report.grades.find((g) => g.target === 'latency-rtt')?.resolution).toBe(report.meta.clock?.resolutionMs);
    expect(report.secondOpinion.unavailable).toEqual([
      {
        source: 'ice-rtt',
        sentence:
          'This browser cannot give the ICE round trip: its getStats reports no candidate-pair currentRoundTripTime, so the round trip has no ICE second opinion here.',
      },
    ]);
    expect(report.secondOpinion.notes[0]).toBe(report.secondOpinion.unavailable?.[0]?.sentence);
  });

  it('a relay path without port and family (Firefox: no local-candidate url) is completed from the relay entry', async () => {
    const partial: GradedPath = { transport: 'udp', port: null, candidateType: 'relay', family: null, changes: 0 };
    const report = await runSession(options(), { ...minimalEnv(), createStats: () => stats([], new Set(), partial) }, recorder().events);
    expect(ENTRIES[0]?.port).toBe(3478);
    expect(report.path).toEqual({ transport: 'udp', port: 3478, family: 'ipv4', relayed: true, candidateType: 'relay', changes: 0, changed: false });
  });
});
