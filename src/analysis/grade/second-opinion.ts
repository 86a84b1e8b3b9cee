/**
 * getStats second opinion: does the browser's own view agree with the probes?
 *
 * Tolerance: a getStats figure disagrees with the probe figure when they differ by more
 * than 5 ms + 25 % of the probe figure. Round trips: ICE candidate-pair RTT updates about
 * every 2.5 s and RTCP (remote-inbound) RTT only about every 5 s, so a short test has few
 * samples; we compare their nearest-rank medians. In loopback mode the getStats round trip
 * crosses the relay twice (pc1 -> relay -> pc2 -> relay -> pc1) while a probe sample
 * crosses it once, so getStats figures are halved before comparing. Jitter: inbound-rtp
 * jitter of the audio track against the probe J of the same direction; a WebAudio source
 * adds a 2-3 ms floor and Chromium's padding probes under loss inflate it.
 *
 * Returns data: what was compared and which caveats apply; the sentences are built in
 * src/analysis/present/sentences.ts.
 */
import { percentile } from '../measure/percentile.js';
import type { StatsGap, StatsSecondOpinion, TestMode } from '../schema/input.js';
import type { SecondOpinion } from '../schema/report-schema.js';

export const STATS_TOLERANCE_ABS_MS = 5;
export const STATS_TOLERANCE_REL = 0.25;

export function statsToleranceMs(probeValueMs: number): number {
  return STATS_TOLERANCE_ABS_MS + STATS_TOLERANCE_REL * Math.abs(probeValueMs);
}

export interface SecondOpinionInput {
  mode: TestMode;
  stats: StatsSecondOpinion | null;
  probeRttMsP50: number | null;
  /** Probe mean J of the direction the audio track travels (down, or loop). */
  probeJitterMs: number | null;
}

/** A getStats figure that differs from the probes by more than the tolerance. */
export type Disagreement = Omit<SecondOpinion['disagreements'][number], 'sentence'>;

/** A caveat on the browser's figures, in the order it is told. */
export type SecondOpinionCaveat =
  | { kind: 'not-collected' }
  | { kind: 'loopback-halved' }
  | { kind: 'few-rtcp-samples'; samples: number }
  | { kind: 'few-ice-samples'; samples: number }
  | { kind: 'webaudio-floor' }
  | { kind: 'no-audio' }
  | { kind: 'padding-inflates-jitter' }
  | { kind: 'rtcp-fraction-lost'; fractionLost: number };

/** The report's second opinion without its words: disagreements and caveats as data. */
export type SecondOpinionFacts = Omit<SecondOpinion, 'tolerance' | 'disagreements' | 'notes' | 'unavailable'> & {
  disagreements: Disagreement[];
  caveats: SecondOpinionCaveat[];
  /** Second opinions this browser cannot give (its getStats lacks the field). */
  unavailable: StatsGap[];
};

const median = (values: readonly number[]): number | null => (values.length === 0 ? null : percentile(values, 50));

export function secondOpinion(input: SecondOpinionInput): SecondOpinionFacts {
  const s = input.stats;
  const scale = input.mode === 'loopback' ? 0.5 : 1;
  if (s === null) {
    return {
      available: false,
      probeRttMsP50: input.probeRttMsP50,
      iceRttMsMedian: null,
      iceSamples: 0,
      rtcpRttMsMedian: null,
      rtcpSamples: 0,
      statsRttScale: scale,
      probeJitterMs: input.probeJitterMs,
      inboundJitterMsMedian: null,
      inboundJitterSamples: 0,
      rtcpFractionLost: null,
      concealedRatio: null,
      audioSource: null,
      disagreements: [],
      caveats: [{ kind: 'not-collected' }],
      unavailable: [],
    };
  }
  const ice = median(s.iceRttMs);
  const rtcp = median(s.rtcpRttMs);
  const inbound = median(s.inboundJitterMs);
  const disagreements: Disagreement[] = [];
  const caveats: SecondOpinionCaveat[] = [];

  const compare = (source: Disagreement['source'], probe: number | null, stat: number | null, samples: number) => {
    if (probe === null || stat === null) return;
    const tol = statsToleranceMs(probe);
    const diff = Math.abs(stat - probe);
    if (diff > tol) disagreements.push({ source, probeValue: probe, statsValue: stat, differenceMs: diff, toleranceMs: tol, samples });
  };
  compare('ice-rtt', input.probeRttMsP50, ice === null ? null : ice * scale, s.iceRttMs.length);
  compare('rtcp-rtt', input.probeRttMsP50, rtcp === null ? null : rtcp * scale, s.rtcpRttMs.length);
  compare('inbound-jitter', input.probeJitterMs, inbound, s.inboundJitterMs.length);

  if (scale !== 1) caveats.push({ kind: 'loopback-halved' });
  if (s.rtcpRttMs.length > 0 && s.rtcpRttMs.length < 3) caveats.push({ kind: 'few-rtcp-samples', samples: s.rtcpRttMs.length });
  if (s.iceRttMs.length > 0 && s.iceRttMs.length < 3) caveats.push({ kind: 'few-ice-samples', samples: s.iceRttMs.length });
  if (s.audioSource === 'webaudio') caveats.push({ kind: 'webaudio-floor' });
  if (s.audioSource === 'none') caveats.push({ kind: 'no-audio' });
  if (disagreements.some((d) => d.source === 'inbound-jitter')) caveats.push({ kind: 'padding-inflates-jitter' });
  if (s.rtcpFractionLost !== null) caveats.push({ kind: 'rtcp-fraction-lost', fractionLost: s.rtcpFractionLost });

  return {
    available: true,
    probeRttMsP50: input.probeRttMsP50,
    iceRttMsMedian: ice,
    iceSamples: s.iceRttMs.length,
    rtcpRttMsMedian: rtcp,
    rtcpSamples: s.rtcpRttMs.length,
    statsRttScale: scale,
    probeJitterMs: input.probeJitterMs,
    inboundJitterMsMedian: inbound,
    inboundJitterSamples: s.inboundJitterMs.length,
    rtcpFractionLost: s.rtcpFractionLost,
    concealedRatio: s.concealedRatio,
    audioSource: s.audioSource,
    disagreements,
    caveats,
    unavailable: [...(s.lacks ?? [])],
  };
}
