/**
 * choosePath over every outcome of the RTP leg, with and without an RTP plan: which probe path
 * is graded, why (the report's words), and which data-channel stream is sent.
 */
import { describe, expect, it } from 'vitest';
import { choosePath, type RtpLegOutcome } from '../../../src/session/plan/probe-path.js';
import type { ProbeFallback } from '../../../src/analysis/schema/report-schema.js';
import { planTest } from '../../../src/session/plan/test-plan.js';
import { ALL_CAPS, FACTS, runOptions, serverConfig } from './plan-kit.js';

const SERVER = serverConfig({ load: null });
const OPTIONS = runOptions();
const CAPS = ALL_CAPS;

const rtpPlan = planTest(OPTIONS, { kind: 'server', server: SERVER }, CAPS, FACTS);
const loopbackPlan = planTest({ ...OPTIONS, mode: 'loopback' }, { kind: 'server', server: SERVER }, CAPS, FACTS);

/** The data channel graded alone: 100/s over 15 s (1510 probes of 160 B). */
const DC = { ratePps: 100, intervalMs: 10, count: 1510, payloadBytes: 160 };
/** The 5/s cross-check beside RTP: 77 probes spread over 15.1 s. */
const CROSS_CHECK = { ratePps: 5, intervalMs: 15_100 / 76, count: 77, payloadBytes: 160 };
const RTP_GRADED = { ratePps: 100, intervalMs: 10, payloadBytes: 160 };

describe('choosePath with RTP planned', () => {
  it.each<{ outcome: RtpLegOutcome; path: 'rtp' | 'datachannel'; reason: string; fallback: ProbeFallback | null }>([
    { outcome: { leg: 'connected' }, path: 'rtp', reason: 'probes ride the audio track as RTP over SRTP, like a call', fallback: null },
    {
      outcome: { leg: 'timed-out', relayRefusals: [] },
      path: 'datachannel',
      reason: 'the RTP leg did not connect within 8000 ms',
      fallback: 'not-connected',
    },
    {
      // Our own quota is the server's fact, named as such (never this device's).
      outcome: {
        leg: 'timed-out',
        // The same refusal on two interfaces: said once.
        relayRefusals: ['turn:10.0.0.1:3478?transport=udp: 486 Allocation Quota Reached', 'turn:10.0.0.1:3478?transport=udp: 486 Allocation Quota Reached'],
      },
      path: 'datachannel',
      reason:
        "the test server's relay refused the RTP leg (turn:10.0.0.1:3478?transport=udp: 486 Allocation Quota Reached), so it did not connect within 8000 ms",
      fallback: 'relay-refused',
    },
    {
      outcome: { leg: 'failed', error: 'the server has no RTP leg', by: 'server-or-path' },
      path: 'datachannel',
      reason: 'the RTP leg failed: the server has no RTP leg',
      fallback: 'failed',
    },
    {
      // The leg's own timeout saw our relay refuse it: still the server's fact.
      outcome: { leg: 'failed', error: "the test server's relay refused the RTP leg: turn:10.0.0.1:3478?transport=udp: 486 x", by: 'relay' },
      path: 'datachannel',
      reason: "the RTP leg failed: the test server's relay refused the RTP leg: turn:10.0.0.1:3478?transport=udp: 486 x",
      fallback: 'relay-refused',
    },
    {
      // What this browser could not set up is its own fact: no fallback code, as an absent leg.
      outcome: { leg: 'failed', error: 'could not set up the RTP leg: refused by the test', by: 'browser' },
      path: 'datachannel',
      reason: 'the RTP leg failed: could not set up the RTP leg: refused by the test',
      fallback: null,
    },
    {
      outcome: { leg: 'absent', because: 'no-audio-track' },
      path: 'datachannel',
      reason: 'no audio track (audio: none): the RTP probes ride an audio track',
      fallback: null,
    },
    { outcome: { leg: 'absent', because: 'no-rtp-leg' }, path: 'datachannel', reason: 'this client cannot open an RTP probe leg', fallback: null },
  ])('$outcome.leg $outcome.because: $path', ({ outcome, path, reason, fallback }) => {
    const choice = choosePath(rtpPlan, outcome);
    expect(choice.probe).toEqual(fallback === null ? { path, reason } : { path, reason, fallback });
    expect(choice.rtp).toBe(path === 'rtp');
    expect(choice.dataChannel).toEqual(path === 'rtp' ? CROSS_CHECK : DC);
    expect({ ratePps: choice.graded.ratePps, intervalMs: choice.graded.intervalMs, payloadBytes: choice.graded.payloadBytes }).toEqual(
      path === 'rtp' ? RTP_GRADED : { ratePps: 100, intervalMs: 10, payloadBytes: 160 },
    );
  });
});

describe('choosePath without RTP planned: the plan says why, whatever became of the leg', () => {
  it.each<RtpLegOutcome>([
    { leg: 'connected' },
    { leg: 'timed-out', relayRefusals: [] },
    { leg: 'failed', error: 'ICE failed', by: 'server-or-path' },
    { leg: 'absent', because: 'no-audio-track' },
    { leg: 'absent', because: 'no-rtp-leg' },
  ])('$leg $because', (outcome) => {
    const choice = choosePath(loopbackPlan, outcome);
    expect(choice.probe).toEqual({ path: 'datachannel', reason: 'loopback mode: the in-page loop has no RTP reflector' });
    expect(choice.rtp).toBe(false);
    expect(choice.dataChannel).toEqual(DC);
  });
});

describe('choosePath after the RTP leg was opened twice: the report keeps both attempts', () => {
  it('keeps both openings beside the path taken, and none of one opening alone', () => {
    const attempts = [
      { outcome: 'no-media', tookMs: 2300 },
      { outcome: 'carried', tookMs: 700 },
    ] as const;
    expect(choosePath(rtpPlan, { leg: 'connected', attempts }).probe).toEqual({
      path: 'rtp',
      reason: 'probes ride the audio track as RTP over SRTP, like a call',
      attempts,
    });
    const twice = [
      { outcome: 'no-media', tookMs: 2300 },
      { outcome: 'no-media', tookMs: 2400 },
    ] as const;
    const error = "the test server received none of this page's audio on it (no RTP from the page within 2000 ms of DTLS), 2 times";
    expect(choosePath(rtpPlan, { leg: 'failed', error, by: 'server-or-path', attempts: twice }).probe).toEqual({
      path: 'datachannel',
      reason: `the RTP leg failed: ${error}`,
      fallback: 'failed',
      attempts: twice,
    });
    expect(choosePath(rtpPlan, { leg: 'connected', attempts: [{ outcome: 'carried', tookMs: 700 }] }).probe).not.toHaveProperty('attempts');
  });
});
