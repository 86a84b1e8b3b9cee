/**
 * The video leg: a werift peer (../rtp/relay-peer.ts, relay-only as the RTP probe leg) that
 * answers the page's offer of one video section. It counts every RTP packet of the page's video
 * that arrives (header, payload and padding bytes, sequence numbers for loss, bytes per bin for
 * the rate), and sends the page a paced stream of filler RTP on the negotiated VP8 payload type
 * through the same relay, climbing through CONSTANTS.video.downStepsKbps. Nothing is decoded and
 * nothing is echoed: the figures are the rates and losses of each direction.
 *
 * The page's browser runs its own congestion control on its video: the leg answers with
 * transport-wide congestion control (transport-cc feedback and its header extension,
 * draft-holmer-rmcat-transport-wide-cc-extensions-01) and no NACK, so the loss it counts is the
 * path's and the page's rate climbs as a call's would.
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  RtcpRrPacket,
  RtcpSrPacket,
  RtpHeader,
  RtpPacket,
  useTransportWideCC,
  useTWCC,
  useVP8,
  type MediaStreamTrack,
  type RTCPeerConnection,
  type RTCRtpTransceiver,
} from 'werift';
import type { SignalData } from '../../../src/protocol/api.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import type { VideoTally } from '../../../src/protocol/wire.js';
import type { RelayEndpoints } from '../candidates.js';
import { addPageCandidate, answerPageOffer, relayOnlyPeer, SignalledEndpoints } from '../rtp/relay-peer.js';
import { DtlsHandshakeFilter, isDtls } from '../rtp/werift-dtls.js';
import { useOwnSrtp } from '../rtp/werift-srtp.js';
import { weriftUdpSockets } from '../rtp/werift-udp.js';
import type { AttachLocalPeer } from '../rtp/leg.js';
import type { DataPath } from '../../common/data-plane.js';
import { TwccFeedback } from './twcc.js';
import { DownSchedule } from './schedule.js';

/** VP8's RTP clock (RFC 7741 §4.1). */
const VIDEO_CLOCK_HZ = 90_000;
/** The downstream pacer's tick: each tick sends what the schedule owes by then. */
const PACE_TICK_MS = 5;
/** A downstream packet on the wire as the page's getStats counts it: RTP header (12), transport-cc extension (8), filler. */
const DOWN_PACKET_BYTES = CONSTANTS.video.downPayloadBytes + 20;
/** A receiver report's fraction lost (of 256) above which the schedule stops climbing: 5 %. */
const LOSS_HOLD_FRACTION = 13;
/** Transport-cc feedback every 50 ms, as browsers send theirs (libwebrtc's default interval). */
const TWCC_INTERVAL_MS = 50;

interface VideoLegLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface VideoLegOptions {
  id: string;
  peerAddress: string;
  relay: RelayEndpoints;
  connectTimeoutMs: number;
  logger: VideoLegLogger;
  sendSignal(data: SignalData): void;
  allowEndpoint(ip: string, port: number): () => void;
  onCandidateDropped(count: number): void;
  onClose(reason: string): void;
  attachLocalPeer?: AttachLocalPeer;
  dataPath: DataPath;
  /** The leg's clock, ms. */
  nowMs(): number;
}

/** Arrivals of the page's video (one SSRC: the first seen), counted as they come. */
export class UpstreamCount {
  private ssrc: number | null = null;
  private firstExt = 0;
  private highestExt = 0;
  private firstMs = 0;
  packets = 0;
  bytes = 0;
  readonly bins: number[] = [];
  /** Packets that arrived in each bin. */
  readonly binPackets: number[] = [];
  /** The highest extended sequence number seen by the end of each bin (its packets' share of what was sent). */
  private readonly binHighest: number[] = [];

  constructor(
    private readonly binMs: number,
    private readonly maxBins: number,
  ) {}

  /** One RTP packet of `bytes` on the wire (header, payload, padding) with sequence number `seq`, arrived at `nowMs`. */
  add(ssrc: number, seq: number, bytes: number, nowMs: number): void {
    if (this.ssrc === null) {
      this.ssrc = ssrc;
      this.firstExt = seq;
      this.highestExt = seq;
      this.firstMs = nowMs;
    } else if (ssrc !== this.ssrc) {
      return;
    } else {
      // The extended sequence number nearest the highest so far (RFC 3550 §A.1's wrap rule).
      const cycle = this.highestExt - (this.highestExt & 0xffff);
      let ext = cycle + seq;
      if (ext - this.highestExt > 0x8000) ext -= 0x10000;
      else if (this.highestExt - ext > 0x8000) ext += 0x10000;
      if (ext > this.highestExt) this.highestExt = ext;
    }
    this.packets++;
    this.bytes += bytes;
    const bin = Math.floor((nowMs - this.firstMs) / this.binMs);
    if (bin < 0 || bin >= this.maxBins) return;
    while (this.bins.length <= bin) {
      this.bins.push(0);
      this.binPackets.push(0);
      this.binHighest.push(this.binHighest[this.binHighest.length - 1] ?? this.firstExt - 1);
    }
    this.bins[bin] = (this.bins[bin] ?? 0) + bytes;
    this.binPackets[bin] = (this.binPackets[bin] ?? 0) + 1;
    this.binHighest[bin] = this.highestExt;
  }

  /** Packets sent in each bin by sequence number: how far the highest number moved in it (a reordered packet counts where it arrived). */
  get binExpected(): number[] {
    return this.binHighest.map((h, i) => h - (i === 0 ? this.firstExt - 1 : (this.binHighest[i - 1] ?? h)));
  }

  /** The SSRC counted (the first seen), null before any. */
  get ssrcSeen(): number | null {
    return this.ssrc;
  }

  /** Packets the sequence numbers say were sent, from the first that arrived to the highest. */
  get expected(): number {
    return this.ssrc === null ? 0 : this.highestExt - this.firstExt + 1;
  }
}

export class VideoLeg {
  private readonly pc: RTCPeerConnection;
  private transceiver: RTCRtpTransceiver | null = null;
  private readonly undo: (() => void)[] = [];
  private readonly endpoints: SignalledEndpoints;
  private readonly dtlsFilter = new DtlsHandshakeFilter();
  private dtlsServer = false;
  private connectTimer: NodeJS.Timeout | null;
  private paceTimer: NodeJS.Timeout | null = null;
  private paceStartMs = 0;
  private paceUntilMs = 0;
  private schedule: DownSchedule | null = null;
  /** Bytes sent to the page in each bin from the stream's start (what the schedule sent, held steps included). */
  private readonly downBins: number[] = [];
  private closed = false;
  private downSeq = randomInt(0, 0x10000);
  private downTimestamp = randomInt(0, 0x1_0000_0000);
  private readonly filler: Buffer;
  readonly up = new UpstreamCount(CONSTANTS.video.binMs, CONSTANTS.video.maxBins);
  downPackets = 0;
  downBytes = 0;
  private sendFailures = 0;
  private readonly twcc = new TwccFeedback();
  private twccTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: VideoLegOptions) {
    this.endpoints = new SignalledEndpoints(opts.peerAddress, opts.allowEndpoint, this.undo);
    this.pc = relayOnlyPeer(
      opts.peerAddress,
      opts.relay,
      { codecs: { audio: [], video: [useVP8({ rtcpFeedback: [useTWCC()] })] }, headerExtensions: { audio: [], video: [useTransportWideCC()] } },
      () => undefined,
    );
    // Filler: a VP8 payload descriptor (RFC 7741 §4.2: S bit, partition 0) then random bytes; SRTP makes each packet's bytes differ anyway.
    this.filler = randomBytes(CONSTANTS.video.downPayloadBytes);
    this.filler[0] = 0x10;
    // The page's video section makes a receive-only transceiver in werift; the leg sends on it too.
    this.pc.onRemoteTransceiverAdded.subscribe((t) => {
      t.setDirection('sendrecv');
      this.transceiver = t;
      t.onTrack.subscribe((track) => this.onTrack(track));
      t.sender.onRtcp.subscribe((packet) => this.onReceiverReport(packet, t.sender.ssrc));
      this.takeTwcc(t);
    });
    this.pc.onIceCandidate.subscribe((c) => {
      if (c) this.onLocalCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        if (this.connectTimer) clearTimeout(this.connectTimer);
        this.connectTimer = null;
        this.opts.logger.info({ session: opts.id, pt: this.transceiver?.sender.codec?.payloadType }, 'video leg connected');
        // Both ways at once, as a call's video: the page's encoder climbs from its connect, the reflector's schedule from here.
        this.startDown(CONSTANTS.video.seconds);
      } else if (state === 'failed' || state === 'closed') {
        this.close(`video leg ${state}`);
      }
    });
    this.connectTimer = setTimeout(() => this.close(`video leg not connected within ${opts.connectTimeoutMs} ms of the offer`), opts.connectTimeoutMs);
  }

  /** The page's offer (one video section, checked by the session); answered with its candidates on the reflector's address only. */
  async offer(sdp: string): Promise<void> {
    try {
      const answer = await answerPageOffer(this.pc, sdp, this.opts.peerAddress, () => this.closed);
      if (answer === null) return;
      this.dtlsServer = answer.dtlsServer;
      for (const c of answer.candidates) this.endpoints.allow(c);
      this.joinLocalRelay();
      for (const t of this.pc.dtlsTransports)
        useOwnSrtp(
          t,
          (err) => this.opts.logger.debug({ session: this.opts.id, reason: err.reason }, 'video srtp packet dropped'),
          this.opts.dataPath === 'native' ? 'native' : 'js',
        );
      this.filterDtls();
      if (this.closed) return;
      this.opts.sendSignal({ type: 'answer', sdp: answer.sdp });
    } catch (err) {
      this.close(`video offer failed: ${(err as Error).message}`);
    }
  }

  /** A page candidate: dropped unless it points at the relay (SdpError('bad-candidate') when it is not one candidate). */
  candidate(c: NonNullable<SignalData['candidate']>): void {
    if (this.closed) return;
    addPageCandidate(
      this.pc,
      c,
      this.opts.relay,
      () => this.opts.onCandidateDropped(1),
      (err) => this.opts.logger.warn({ session: this.opts.id, err: err.message }, 'video candidate refused by werift'),
    );
  }

  /** Starts the stream to the page: the schedule from now, for `seconds` at most (the page's `stop` ends it sooner). Once. */
  private startDown(seconds: number): void {
    if (this.paceTimer !== null || this.closed) return;
    this.paceStartMs = this.opts.nowMs();
    this.paceUntilMs = this.paceStartMs + seconds * 1000;
    this.schedule = new DownSchedule(CONSTANTS.video.downStepsKbps, CONSTANTS.video.downStepMs, this.paceStartMs, DOWN_PACKET_BYTES);
    this.paceTimer = setInterval(() => this.pace(), PACE_TICK_MS);
  }

  stopDown(): void {
    if (this.paceTimer !== null) clearInterval(this.paceTimer);
    this.paceTimer = null;
  }

  tally(): VideoTally {
    return {
      type: 'video-tally',
      binMs: CONSTANTS.video.binMs,
      upPackets: this.up.packets,
      upExpected: this.up.expected,
      upBytes: this.up.bytes,
      upBins: [...this.up.bins],
      upBinPackets: [...this.up.binPackets],
      upBinExpected: this.up.binExpected,
      downBins: [...this.downBins],
      downPackets: this.downPackets,
      downBytes: this.downBytes,
    };
  }

  private pace(): void {
    const now = this.opts.nowMs();
    const sender = this.transceiver?.sender;
    const schedule = this.schedule;
    if (now >= this.paceUntilMs || sender === undefined || schedule === null) {
      this.stopDown();
      return;
    }
    const due = schedule.packetsDue(now, this.downBytes);
    const bin = Math.floor((now - this.paceStartMs) / CONSTANTS.video.binMs);
    while (this.downBins.length <= bin && this.downBins.length < CONSTANTS.video.maxBins) this.downBins.push(0);
    for (let i = 0; i < due; i++) {
      this.downSeq = (this.downSeq + 1) & 0xffff;
      // The 90 kHz timestamp follows the time sent.
      const ts = (this.downTimestamp + Math.round(((now - this.paceStartMs) * VIDEO_CLOCK_HZ) / 1000)) >>> 0;
      const header = new RtpHeader({ sequenceNumber: this.downSeq, timestamp: ts, payloadType: sender.codec?.payloadType ?? 96, marker: i === 0 });
      this.downPackets++;
      this.downBytes += DOWN_PACKET_BYTES;
      if (bin < this.downBins.length) this.downBins[bin] = (this.downBins[bin] ?? 0) + DOWN_PACKET_BYTES;
      sender.sendRtp(new RtpPacket(header, this.filler)).catch((err: Error) => {
        if (this.sendFailures++ < 3) this.opts.logger.warn({ session: this.opts.id, err: err.message }, 'video send failed');
      });
    }
  }

  /**
   * Our transport-cc feedback (./twcc.ts) in place of werift's: werift's receiver hands each
   * packet's transport-wide sequence number to its `receiverTWCC`, made only when none is set;
   * ours is set first, before the offer is applied. When werift's members moved, its own runs,
   * and the leg says so in its log.
   */
  private takeTwcc(t: RTCRtpTransceiver): void {
    const receiver = t.receiver as unknown as { receiverTWCC?: unknown; rtcpSsrc?: unknown; dtlsTransport?: { sendRtcp?: unknown } };
    const dtls = receiver.dtlsTransport;
    if (!('receiverTWCC' in receiver) || typeof receiver.rtcpSsrc !== 'number' || typeof dtls?.sendRtcp !== 'function') {
      this.opts.logger.warn({ session: this.opts.id }, "video leg: werift's transport-cc feedback stays (its internals moved)");
      return;
    }
    receiver.receiverTWCC = {
      twccRunning: false,
      handleTWCC: (seq: unknown) => {
        if (typeof seq === 'number') this.twcc.record(seq, this.opts.nowMs());
      },
    };
    const senderSsrc = receiver.rtcpSsrc;
    const send = dtls.sendRtcp.bind(dtls) as (packets: Array<{ serialize(): Buffer }>) => Promise<void>;
    this.twccTimer = setInterval(() => {
      const media = this.up.ssrcSeen;
      if (media === null) return;
      const packet = this.twcc.build(senderSsrc, media);
      if (packet === null) return;
      send([{ serialize: () => packet }]).catch((err: Error) => {
        if (this.sendFailures++ < 3) this.opts.logger.warn({ session: this.opts.id, err: err.message }, 'video feedback send failed');
      });
    }, TWCC_INTERVAL_MS);
  }

  /**
   * The page's receiver reports (RFC 3550 §6.4.2) on our stream: a fraction lost over 5 % (13 of
   * 256) means the step sent now does not fit: the schedule holds the step below it.
   */
  private onReceiverReport(packet: { type: number; reports?: ReadonlyArray<{ ssrc: number; fractionLost: number }> }, ssrc: number): void {
    if (packet.type !== RtcpRrPacket.type && packet.type !== RtcpSrPacket.type) return;
    const schedule = this.schedule;
    if (schedule === null || schedule.held !== null) return;
    if ((packet.reports ?? []).some((r) => r.ssrc === ssrc && r.fractionLost > LOSS_HOLD_FRACTION)) {
      schedule.hold(this.opts.nowMs());
      this.opts.logger.debug({ session: this.opts.id, heldKbps: schedule.held }, 'video stream holds a step: the page reported loss');
    }
  }

  private onTrack(track: MediaStreamTrack): void {
    track.onReceiveRtp.subscribe((rtp) => {
      if (this.closed) return;
      const h = rtp.header;
      this.up.add(h.ssrc, h.sequenceNumber, h.serializeSize + rtp.payload.length + (h.padding ? h.paddingSize : 0), this.opts.nowMs());
      if (this.up.bytes > CONSTANTS.video.maxUpBytes) this.close(`the page sent more than ${CONSTANTS.video.maxUpBytes} bytes of video (a phase's most)`);
    });
  }

  private joinLocalRelay(): void {
    const attach = this.opts.attachLocalPeer;
    if (attach === undefined) return;
    for (const socket of weriftUdpSockets(this.pc)) {
      const { address, port } = socket.address;
      // Video is not marked: Teams marks video AF41, and the relay marks only what it is asked to; none here.
      const link = attach(address, port, (data, fromIp, fromPort) => socket.onData(data, [fromIp, fromPort]), null);
      const wire = socket.send;
      socket.send = (data, addr) => (addr !== undefined && link.fromPeer(data, addr[0], addr[1]) ? Promise.resolve() : wire(data, addr));
      this.undo.push(() => {
        socket.send = wire;
        link.detach();
      });
    }
  }

  /** The page's DTLS handshake records pass the handshake filter first when werift is the DTLS server (../rtp/werift-dtls.ts). */
  private filterDtls(): void {
    if (!this.dtlsServer) return;
    for (const socket of weriftUdpSockets(this.pc)) {
      const next = socket.onData;
      socket.onData = (data, addr) => {
        if (!isDtls(data)) return next(data, addr);
        const kept = this.dtlsFilter.keep(data);
        if (kept !== null) next(kept, addr);
      };
      this.undo.push(() => {
        socket.onData = next;
      });
    }
  }

  private onLocalCandidate(c: NonNullable<SignalData['candidate']>): void {
    if (this.closed) return;
    const signal = this.endpoints.signalOf(c);
    if (signal !== null) this.opts.sendSignal(signal);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopDown();
    if (this.twccTimer) clearInterval(this.twccTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    for (const u of [...this.undo].reverse()) u();
    this.pc.close().catch((err: Error) => this.opts.logger.warn({ session: this.opts.id, err: err.message }, 'video leg close failed'));
    this.opts.logger.info(
      {
        session: this.opts.id,
        reason,
        upPackets: this.up.packets,
        upExpected: this.up.expected,
        upBytes: this.up.bytes,
        downPackets: this.downPackets,
        downBytes: this.downBytes,
      },
      'video leg closed',
    );
    this.opts.onClose(reason);
  }
}
