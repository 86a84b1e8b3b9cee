/**
 * getStats adapter: the one place where WebRTC's seconds become milliseconds.
 * getStats is a second opinion (RTCP RTT updates only every ~5 s for audio, ICE RTT every
 * ~2.5 s; a WebAudio source adds a 2-3 ms jitter floor); the probes are the main figures.
 */
import type { GradedPath } from '../../analysis/schema/input.js';
import { tryParseTurnUriParts } from '../../protocol/turn-uri.js';

const SECONDS_TO_MS = 1000;

/** One poll of getStats, in ms. Null where the browser did not report the figure. */
export interface StatsSample {
  iceRttMs: number | null;
  /** The selected pair's STUN responses received: a new count is a new ICE round trip measured. */
  pairResponses: number | null;
  rtcpRttMs: number | null;
  /** Identifies the RTCP measurement, so a repeated value is not counted twice. */
  rtcpMeasurements: number | null;
  /**
   * When the RTCP report behind rtcpRttMs arrived (remote-inbound-rtp timestamp): a new measurement
   * where the browser has no roundTripTimeMeasurements (Safari, per MDN's compatibility data).
   */
  rtcpReportMs: number | null;
  rtcpFractionLost: number | null;
  inboundJitterMs: number | null;
  inboundPacketsReceived: number | null;
  inboundPacketsLost: number | null;
  concealedSamples: number | null;
  totalSamplesReceived: number | null;
  /** Selected candidate pair id, to notice a path change. */
  pairId: string | null;
  path: Omit<GradedPath, 'changes'>;
  /**
   * Which objects this report had, and whether each carried the field a second opinion reads:
   * a field missing from an object that is there is one this browser does not report.
   */
  has: {
    pair: boolean;
    pairRtt: boolean;
    remoteInbound: boolean;
    remoteInboundRtt: boolean;
    inbound: boolean;
    inboundConcealment: boolean;
  };
}

type StatsEntry = Record<string, unknown> & { type: string; id: string };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const ms = (seconds: unknown): number | null => {
  const s = num(seconds);
  return s === null ? null : s * SECONDS_TO_MS;
};

/** Reads one RTCStatsReport (as a list of entries) into a StatsSample. Pure. */
export function readStats(entries: Iterable<StatsEntry>): StatsSample {
  const byId = new Map<string, StatsEntry>();
  for (const e of entries) byId.set(e.id, e);
  let pair: StatsEntry | null = null;
  for (const e of byId.values()) {
    if (e.type === 'transport' && typeof e['selectedCandidatePairId'] === 'string') {
      pair = byId.get(e['selectedCandidatePairId']) ?? null;
    }
  }
  if (!pair) {
    // No `transport` stats (Firefox): the pair it marks selected (its own field), else the nominated one that succeeded.
    for (const e of byId.values()) if (e.type === 'candidate-pair' && e['selected'] === true) pair = e;
  }
  if (!pair) {
    for (const e of byId.values()) if (e.type === 'candidate-pair' && e['nominated'] === true && e['state'] === 'succeeded') pair = e;
  }
  const local = pair ? byId.get(str(pair['localCandidateId']) ?? '') : undefined;
  const remoteInbound = [...byId.values()].find((e) => e.type === 'remote-inbound-rtp' && e['kind'] === 'audio');
  const inbound = [...byId.values()].find((e) => e.type === 'inbound-rtp' && e['kind'] === 'audio');
  const relayProtocol = str(local?.['relayProtocol']);
  const url = str(local?.['url']);
  return {
    iceRttMs: ms(pair?.['currentRoundTripTime']),
    pairResponses: num(pair?.['responsesReceived']),
    rtcpRttMs: ms(remoteInbound?.['roundTripTime']),
    rtcpMeasurements: num(remoteInbound?.['roundTripTimeMeasurements']),
    rtcpReportMs: num(remoteInbound?.['timestamp']),
    rtcpFractionLost: num(remoteInbound?.['fractionLost']),
    inboundJitterMs: ms(inbound?.['jitter']),
    inboundPacketsReceived: num(inbound?.['packetsReceived']),
    inboundPacketsLost: num(inbound?.['packetsLost']),
    concealedSamples: num(inbound?.['concealedSamples']),
    totalSamplesReceived: num(inbound?.['totalSamplesReceived']),
    pairId: pair ? pair.id : null,
    has: {
      pair: pair !== null,
      pairRtt: pair !== null && 'currentRoundTripTime' in pair,
      remoteInbound: remoteInbound !== undefined,
      remoteInboundRtt: remoteInbound !== undefined && 'roundTripTime' in remoteInbound,
      inbound: inbound !== undefined,
      inboundConcealment: inbound !== undefined && 'concealedSamples' in inbound,
    },
    path: {
      transport: relayProtocol === 'udp' || relayProtocol === 'tcp' || relayProtocol === 'tls' ? relayProtocol : 'unknown',
      port: portOfTurnUrl(url),
      candidateType: str(local?.['candidateType']),
      family: familyOfTurnUrl(url),
    },
  };
}

/** The address family of the TURN server in a local relay candidate's `url` (null when there is none). */
function familyOfTurnUrl(url: string | null): 'ipv4' | 'ipv6' | null {
  const host = url ? tryParseTurnUriParts(url)?.host : undefined;
  return host === undefined ? null : host.includes(':') ? 'ipv6' : 'ipv4';
}

/** The TURN server port in a local relay candidate's `url` ("turn:host:3479?transport=udp"). */
export function portOfTurnUrl(url: string | null): number | null {
  return url ? (tryParseTurnUriParts(url)?.port ?? null) : null;
}
