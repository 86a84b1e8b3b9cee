import { RtpHeader, RtpPacket } from 'werift';
import type { ServerConfig } from '../../src/protocol/api.js';
import { CONSTANTS, DEFAULTS } from '../../src/protocol/defaults.js';
import { decodeRtpEcho, encodeRtpProbe } from '../../src/protocol/rtp-probe.js';
import type { ControlMessage } from '../../src/protocol/wire.js';
import { openPageLegs } from '../lib/page-legs.js';
import { TimerPacer } from './timer-pacer.js';

/** What one RTP load client measured (round trip only: the client and the server share a clock-free loopback). */
export interface RtpClientSummary {
  probesSent: number;
  echoes: number;
  rttMsP50: number | null;
  /** Mean absolute difference of consecutive round trips (RFC 3550 §6.4.1's D, unsmoothed), ms. */
  jitterMs: number | null;
  lossPct: number | null;
  /** Pacing ticks skipped because the client ran a whole interval late (not sent, not loss). */
  missedTicks: number;
  rtpReceipts: number;
  rtpFinal: ControlMessage | null;
}

const OPUS = Uint8Array.of(0xfc, 0xff, 0xfe); // an Opus 10 ms CELT frame's TOC and filler (RFC 6716 §3.1)

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await wait(20);
  }
}

/**
 * A load client that plays the page on the RTP path (both legs: ../lib/page-legs.ts, relay-only
 * through the server's UDP relay), stamped probe frames at
 * 100/s (`CONSTANTS.rtp.ptimeMs`) for `durationS`, then `stop` and the RTP tally.
 */
export async function runRtpClient(baseUrl: string, durationS: number): Promise<RtpClientSummary> {
  const cfg = (await (await fetch(`${baseUrl}/api/config`)).json()) as ServerConfig;
  if (!cfg.rtpReflector) throw new Error('this server has no RTP reflector');
  const entry = cfg.turn.find((e) => e.transport === 'udp');
  if (!entry) throw new Error('no UDP relay entry');
  const iceServers = [{ urls: entry.url, username: cfg.username, credential: cfg.credential }];
  const rttMs: number[] = [];
  const echoed = new Set<number>();
  const legs = await openPageLegs(baseUrl, iceServers, (rtp) => {
    const now = performance.now();
    try {
      const e = decodeRtpEcho(rtp.payload);
      echoed.add(e.upSeq);
      rttMs.push(now - e.clientSendMs);
    } catch {
      // not an echo frame: nothing to measure
    }
  });
  try {
    const { pc, transceiver, controlText, errors } = legs;
    await pc.setLocalDescription(await pc.createOffer());
    legs.offerRtp(pc.localDescription?.sdp ?? '');
    await until(() => pc.connectionState === 'connected' || errors.length > 0, DEFAULTS.connectTimeoutMs, 'the RTP leg to connect');
    if (errors.length > 0) throw new Error(errors.map((e) => `${e.reason}: ${e.message}`).join('; '));

    const pt = transceiver.sender.codec?.payloadType ?? 111;
    const intervalMs = CONSTANTS.rtp.ptimeMs;
    const ticks = Math.round((durationS * 1000) / intervalMs);
    let sent = 0;
    // The data-channel load client's pacer (same rule as the page's worker: drift-free, too-late ticks skipped and counted).
    const pacer = new TimerPacer({
      intervalMs,
      count: ticks,
      onTick: (i) => {
        const payload = encodeRtpProbe({ probeSeq: i, sendMs: performance.now(), opus: OPUS });
        sent++;
        void transceiver.sender.sendRtp(
          new RtpPacket(new RtpHeader({ payloadType: pt, sequenceNumber: i & 0xffff, timestamp: (i * 480) >>> 0 }), Buffer.from(payload)),
        );
      },
    });
    const { missedTicks } = await pacer.done;
    // Late echoes: a second is far beyond any loopback round trip.
    await wait(1000);
    legs.stop();
    await until(() => controlText.some((m) => m.type === 'rtp-final'), DEFAULTS.finalTallyTimeoutMs, 'rtp-final');
    const sorted = [...rttMs].sort((a, b) => a - b);
    let dSum = 0;
    for (let i = 1; i < rttMs.length; i++) dSum += Math.abs((rttMs[i] ?? 0) - (rttMs[i - 1] ?? 0));
    return {
      probesSent: sent,
      echoes: echoed.size,
      rttMsP50: sorted.length > 0 ? (sorted[sorted.length >> 1] ?? null) : null,
      jitterMs: rttMs.length > 1 ? dSum / (rttMs.length - 1) : null,
      lossPct: sent > 0 ? (100 * (sent - echoed.size)) / sent : null,
      missedTicks,
      rtpReceipts: legs.rtpReceipts.length,
      rtpFinal: controlText.find((m) => m.type === 'rtp-final') ?? null,
    };
  } finally {
    legs.close();
  }
}
