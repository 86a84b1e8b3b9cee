import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { RTCPeerConnection as WeriftPeerConnection, RtpHeader, RtpPacket, useOPUS } from 'werift';
import WebSocket from 'ws';
import { SIGNAL_PROTOCOL_QUERY, type ServerConfig, type ServerSignalMessage, type SignalData, type SignalLeg } from '../../src/protocol/api.js';
import { CONTROL_CHANNEL, PROBE_CHANNEL_INIT, PROBE_CHANNEL_LABEL } from '../../src/protocol/channels.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { decodeRtpEcho, encodeRtpProbe } from '../../src/protocol/rtp-probe.js';
import { ProbeKind, decodeReceipts, parseControlMessage, type ControlMessage } from '../../src/protocol/wire.js';
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
 * A load client that plays the page on the RTP path: the data-channel leg
 * (simple-peer over @roamhq/wrtc, control channel only) and the RTP leg (werift, relay-only
 * through the server's UDP relay) on one signalling WebSocket, stamped probe frames at
 * 100/s (`DEFAULTS.rtp.ptimeMs`) for `durationS`, then `stop` and the RTP tally.
 */
export async function runRtpClient(baseUrl: string, durationS: number): Promise<RtpClientSummary> {
  const cfg = (await (await fetch(`${baseUrl}/api/config`)).json()) as ServerConfig;
  if (!cfg.rtpReflector) throw new Error('this server has no RTP reflector');
  const entry = cfg.turn.find((e) => e.transport === 'udp');
  if (!entry) throw new Error('no UDP relay entry');
  const iceServers = [{ urls: entry.url, username: cfg.username, credential: cfg.credential }];
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/api/signal' + SIGNAL_PROTOCOL_QUERY, { origin: baseUrl });
  const closers: (() => void)[] = [() => ws.close()];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const send = (data: SignalData, leg?: SignalLeg): void => ws.send(JSON.stringify(leg ? { type: 'signal', data, leg } : { type: 'signal', data }));
    const errors: string[] = [];

    const peer = new SimplePeer({
      initiator: true,
      trickle: true,
      wrtc: wrtc as unknown as NonNullable<SimplePeer.Options['wrtc']>,
      config: { iceServers, iceTransportPolicy: 'relay' },
      channelName: PROBE_CHANNEL_LABEL,
      channelConfig: { ...PROBE_CHANNEL_INIT },
    });
    closers.push(() => peer.destroy());
    const control = (peer as unknown as { _pc: RTCPeerConnection })._pc.createDataChannel(CONTROL_CHANNEL.label, {
      negotiated: true,
      id: CONTROL_CHANNEL.id,
      ordered: true,
    });
    control.binaryType = 'arraybuffer';
    const controlText: ControlMessage[] = [];
    let rtpReceipts = 0;
    control.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') controlText.push(parseControlMessage(ev.data));
      else {
        const bytes = new Uint8Array(ev.data as ArrayBuffer);
        if (bytes[3] === ProbeKind.RtpReceipts) rtpReceipts += decodeReceipts(bytes, ProbeKind.RtpReceipts).length;
      }
    };
    let dcConnected = false;
    peer.on('connect', () => (dcConnected = true));
    peer.on('signal', (d: SignalData) => send(d));

    const pc = new WeriftPeerConnection({ iceServers, iceTransportPolicy: 'relay', iceUseTcp: false, codecs: { audio: [useOPUS()], video: [] } });
    closers.push(() => void pc.close());
    const transceiver = pc.addTransceiver('audio', { direction: 'sendrecv' });
    const rttMs: number[] = [];
    const echoed = new Set<number>();
    transceiver.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        const now = performance.now();
        try {
          const e = decodeRtpEcho(rtp.payload);
          echoed.add(e.upSeq);
          rttMs.push(now - e.clientSendMs);
        } catch {
          // not an echo frame: nothing to measure
        }
      }),
    );
    let offered = false;
    const early: SignalData[] = [];
    pc.onIceCandidate.subscribe((c) => {
      if (!c) return;
      const d: SignalData = { type: 'candidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? 0 } };
      if (offered) send(d, 'rtp');
      else early.push(d);
    });
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as ServerSignalMessage;
      if (m.type === 'error') errors.push(`${m.reason}: ${m.message}`);
      else if (m.leg === 'rtp') {
        if (m.data.type === 'answer') void pc.setRemoteDescription({ type: 'answer', sdp: m.data.sdp ?? '' });
        else if (m.data.candidate)
          void pc.addIceCandidate({
            candidate: m.data.candidate.candidate,
            sdpMid: m.data.candidate.sdpMid ?? '0',
            sdpMLineIndex: m.data.candidate.sdpMLineIndex ?? 0,
          });
      } else peer.signal(m.data as SimplePeer.SignalData);
    });
    await pc.setLocalDescription(await pc.createOffer());
    send({ type: 'offer', sdp: pc.localDescription?.sdp ?? '' }, 'rtp');
    offered = true;
    for (const d of early.splice(0)) send(d, 'rtp');
    await until(() => (dcConnected && pc.connectionState === 'connected') || errors.length > 0, DEFAULTS.connectTimeoutMs, 'both legs to connect');
    if (errors.length > 0) throw new Error(errors.join('; '));

    const pt = transceiver.sender.codec?.payloadType ?? 111;
    const intervalMs = DEFAULTS.rtp.ptimeMs;
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
    control.send(JSON.stringify({ type: 'stop' }));
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
      rtpReceipts,
      rtpFinal: controlText.find((m) => m.type === 'rtp-final') ?? null,
    };
  } finally {
    for (const c of closers) c();
  }
}
