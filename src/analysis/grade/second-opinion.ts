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
 */
import { percentile } from '../measure/percentile.js';
import type { StatsSecondOpinion, TestMode } from '../schema/input.js';
import type { SecondOpinion } from '../schema/report-schema.js';
import { ms, pct, plural } from '../present/format.js';

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

const median = (values: readonly number[]): number | null => (values.length === 0 ? null : percentile(values, 50));

export function secondOpinion(input: SecondOpinionInput): SecondOpinion {
  const s = input.stats;
  const scale = input.mode === 'loopback' ? 0.5 : 1;
  const tolerance = `${String(STATS_TOLERANCE_ABS_MS)} ms + ${String(STATS_TOLERANCE_REL * 100)}% of the probe value`;
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
      tolerance,
      disagreements: [],
      notes: ['The browser\'s own statistics (getStats) were not collected for this test.'],
    };
  }
  const ice = median(s.iceRttMs);
  const rtcp = median(s.rtcpRttMs);
  const inbound = median(s.inboundJitterMs);
  const disagreements: SecondOpinion['disagreements'] = [];
  const notes: string[] = [];

  const compare = (source: 'ice-rtt' | 'rtcp-rtt' | 'inbound-jitter', probe: number | null, stat: number | null, samples: number, what: string) => {
    if (probe === null || stat === null) return;
    const tol = statsToleranceMs(probe);
    const diff = Math.abs(stat - probe);
    if (diff > tol) {
      disagreements.push({
        source,
        probeValue: probe,
        statsValue: stat,
        differenceMs: diff,
        toleranceMs: tol,
        samples,
        sentence: `The browser's ${what} (${ms(stat)}, ${plural(samples, 'sample')}) differs from the probes' ${ms(probe)} by more than ${ms(tol)}.`,
      });
    }
  };
  compare('ice-rtt', input.probeRttMsP50, ice === null ? null : ice * scale, s.iceRttMs.length, scale === 1 ? 'ICE round trip' : 'ICE round trip (halved)');
  compare('rtcp-rtt', input.probeRttMsP50, rtcp === null ? null : rtcp * scale, s.rtcpRttMs.length, scale === 1 ? 'RTCP round trip' : 'RTCP round trip (halved)');
  compare('inbound-jitter', input.probeJitterMs, inbound, s.inboundJitterMs.length, 'audio jitter');

  if (scale !== 1) notes.push('Loopback mode: getStats round trips cross the relay twice, so they are halved before comparing with the probes.');
  if (s.rtcpRttMs.length > 0 && s.rtcpRttMs.length < 3) {
    notes.push(`RTCP round trip rests on ${plural(s.rtcpRttMs.length, 'sample')} (RTCP reports arrive about every 5 s).`);
  }
  if (s.iceRttMs.length > 0 && s.iceRttMs.length < 3) {
    notes.push(`ICE round trip rests on ${plural(s.iceRttMs.length, 'sample')} (updated about every 2.5 s).`);
  }
  if (s.audioSource === 'webaudio') notes.push('The audio came from a WebAudio source, which adds a 2-3 ms jitter floor to the browser\'s jitter figure.');
  if (s.audioSource === 'none') notes.push('No audio track was sent, so the browser reported no audio jitter or concealment.');
  if (disagreements.some((d) => d.source === 'inbound-jitter')) {
    notes.push('Under loss Chromium sends padding-only RTP probes that inflate its jitter figure; the probe jitter is the primary measure.');
  }
  if (s.rtcpFractionLost !== null) {
    notes.push(`RTCP reported ${pct(s.rtcpFractionLost * 100)} lost in its last report interval only.`);
  }

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
    tolerance,
    disagreements,
    notes,
  };
}
