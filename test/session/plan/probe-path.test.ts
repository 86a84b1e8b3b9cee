/**
 * choosePath over every outcome of the RTP leg, with and without an RTP plan: which probe path
 * is graded, why (the report's words), and which data-channel stream is sent.
 */
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../src/protocol/api.js';
import type { RunOptions } from '../../../src/session/env.js';
import { choosePath, type RtpLegOutcome } from '../../../src/session/plan/probe-path.js';
import { planTest } from '../../../src/session/plan/test-plan.js';

const SERVER: ServerConfig = {
  callprobeVersion: '1.0.0',
  username: 'u',
  credential: 'c',
  credentialExpiresAtMs: 0,
  turn: [{ url: 'turn:relay.example:3478?transport=udp', transport: 'udp', port: 3478 }],
  notOffered: [],
  reflectorPath: '/signal',
  rtpReflector: true,
  relay: 'embedded',
  signalProtocol: 2,
  load: null,
};

const OPTIONS: RunOptions = {
  baseUrl: 'https://callprobe.example',
  durationS: 15,
  profile: { id: 'client-to-edge' },
  mode: 'auto',
  turnPick: null,
  override: null,
  audio: 'none',
  signal: new AbortController().signal,
  version: 'test',
};
const CAPS = { portChecks: true, rtpLeg: true, rtpTransforms: true, loadTransport: true };
const FACTS = { startedAt: '2025-01-02T03:04:05.000Z', userAgent: 'ua' };

const rtpPlan = planTest(OPTIONS, { kind: 'server', server: SERVER }, CAPS, FACTS);
const loopbackPlan = planTest({ ...OPTIONS, mode: 'loopback' }, { kind: 'server', server: SERVER }, CAPS, FACTS);

/** The data channel graded alone: 100/s over 15 s (1510 probes of 160 B). */
const DC = { ratePps: 100, intervalMs: 10, count: 1510, payloadBytes: 160 };
/** The 5/s cross-check beside RTP: 77 probes spread over 15.1 s. */
const CROSS_CHECK = { ratePps: 5, intervalMs: 15_100 / 76, count: 77, payloadBytes: 160 };
const RTP_GRADED = { ratePps: 100, intervalMs: 10, payloadBytes: 160 };

describe('choosePath with RTP planned', () => {
  it.each<{ outcome: RtpLegOutcome; path: 'rtp' | 'datachannel'; reason: string }>([
    { outcome: { leg: 'connected' }, path: 'rtp', reason: 'probes ride the audio track as RTP over SRTP, like a call' },
    { outcome: { leg: 'timed-out' }, path: 'datachannel', reason: 'the RTP leg did not connect within 5000 ms of the data channel' },
    { outcome: { leg: 'failed', error: 'the server has no RTP leg' }, path: 'datachannel', reason: 'the RTP leg failed: the server has no RTP leg' },
    {
      outcome: { leg: 'absent', because: 'no-audio-track' },
      path: 'datachannel',
      reason: 'no audio track (audio: none): the RTP probes ride an audio track',
    },
    { outcome: { leg: 'absent', because: 'no-rtp-leg' }, path: 'datachannel', reason: 'this client cannot open an RTP probe leg' },
  ])('$outcome.leg $outcome.because: $path', ({ outcome, path, reason }) => {
    const choice = choosePath(rtpPlan, outcome);
    expect(choice.probe).toEqual({ path, reason });
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
    { leg: 'timed-out' },
    { leg: 'failed', error: 'ICE failed' },
    { leg: 'absent', because: 'no-audio-track' },
    { leg: 'absent', because: 'no-rtp-leg' },
  ])('$leg $because', (outcome) => {
    const choice = choosePath(loopbackPlan, outcome);
    expect(choice.probe).toEqual({ path: 'datachannel', reason: 'loopback mode: the in-page loop has no RTP reflector' });
    expect(choice.rtp).toBe(false);
    expect(choice.dataChannel).toEqual(DC);
  });
});
