import { randomInt } from 'node:crypto';
import { RtpHeader, RtpPacket, useOPUS, type MediaStreamTrack, type RTCPeerConnection, type RTCRtpTransceiver } from 'werift';
import { addPageCandidate, answerPageOffer, relayOnlyPeer, SignalledEndpoints } from './relay-peer.js';
import type { SignalData } from '../../../src/protocol/api.js';
import type { DataPath } from '../../common/data-plane.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import { PROBE_DSCP } from '../../../src/protocol/dscp.js';
import type { RelayEndpoints } from '../candidates.js';
import type { RtpCore } from './core.js';
import { NativeRtpCore, type FastTaken } from './native-core.js';
import { withAudioPtime } from './sdp.js';
import { shortPath, type NativeTake, type RtpShortPath } from './short-path.js';
import { useOwnSrtp, type SrtpOwner, type SrtpTakeover } from './werift-srtp.js';
import { DtlsHandshakeFilter, isDtls } from './werift-dtls.js';
import type { SrtpCryptoKind } from './srtp-crypto.js';
import { weriftUdpSockets, type WeriftUdp } from './werift-udp.js';
import type { FastOffer } from '../../turn/transport/fast-path.js';
import { LegFastOffer } from './fast-offer.js';

/** Opus' RTP clock (RFC 7587 §4.1): always 48 kHz, whatever the audio's sampling rate. */
const OPUS_CLOCK_HZ = 48_000;

/** The session's logger (ReflectorLogger's shape; pino in serve). */
interface RtpLegLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface RtpLegOptions {
  id: string;
  /** The only address the leg binds and offers (the relay reaches it directly). */
  peerAddress: string;
  /** The only endpoints the page's candidates may point at: the relay's relayed addresses and ports. */
  relay: RelayEndpoints;
  /** Close the leg when it has not connected this long after the offer. */
  connectTimeoutMs: number;
  /**
   * Close the leg (`no-ice`) when no ICE check of the page (a STUN message from the relay's
   * addresses) reached it this long after its answer, so an offer alone does not hold the session
   * for the whole connect timeout (CONSTANTS.signalling.iceTrafficTimeoutMs); absent: only
   * connectTimeoutMs bounds it.
   */
  iceTrafficTimeoutMs?: number;
  /**
   * Close the leg (`no-media`) when no RTP or RTCP datagram of the page reached it this long after
   * its DTLS handshake (CONSTANTS.rtp.mediaAfterDtlsMs): a leg the page believes in and that carries
   * nothing is ours to end, so the page can open it again; absent: not watched.
   */
  mediaAfterDtlsMs?: number;
  /** The page's first RTP or RTCP datagram after the leg's DTLS handshake: the leg carries the page's stream. */
  onMedia?(): void;
  /** The probe core: the addon's (NativeRtpCore: on the short path it takes each packet whole) or RtpReflectorCore. */
  core: RtpCore;
  /** The reflector's clock (ms), the one its receipts are in. */
  nowMs(): number;
  logger: RtpLegLogger;
  /** Forward a signal message of this leg to the page (tagged leg 'rtp' by the caller). */
  sendSignal(data: SignalData): void;
  /** Let the relay reach this endpoint; returns the undo function. */
  allowEndpoint(ip: string, port: number): () => void;
  /** A trickled page candidate was dropped because it does not point at the relay. */
  onCandidateDropped(count: number): void;
  /** The leg is over (failed, timed out, or closed; `no-ice`: no ICE check came; `no-media`: none of the page's media after DTLS); the session goes on without it. */
  onClose(reason: string, code?: RtpLegCloseCode): void;
  /** The relay, when it runs in this process: the leg's datagrams to and from it are handed over by a call (no loopback hop). */
  attachLocalPeer?: AttachLocalPeer;
  /** What our SRTP's per-packet work runs on: the addon (`native`), or JavaScript over node:crypto (`portable`): ./srtp-crypto.ts. */
  dataPath: DataPath;
}

/** A peer in this process joined to the relay (the relay's `attachLocalPeer`, server/turn). */
interface LocalPeerLink {
  /** The DSCP the relay puts on this peer's datagrams to the page; null: none (its sockets cannot mark one). */
  readonly dscp: number | null;
  /** `data` to the relayed address `toIp`:`toPort`; false when that address is not the relay's here. */
  fromPeer(data: Buffer, toIp: string, toPort: number): boolean;
  /** The relay's fast path offered (or withdrawn: null): server/turn/transport/fast-path.ts FastOffer. */
  offerFast(offer: FastOffer | null): void;
  detach(): void;
}
/** Why a leg closed, in a word the session acts on: no ICE check from the page, or none of its media after DTLS. */
export type RtpLegCloseCode = 'no-ice' | 'no-media';

export type AttachLocalPeer = (
  ip: string,
  port: number,
  deliver: (data: Buffer, fromIp: string, fromPort: number) => void,
  /** The DSCP its datagrams to the page are to carry (0-63); null: none asked. */
  dscp?: number | null,
) => LocalPeerLink;

/**
 * The RTP probe leg: a werift RTCPeerConnection that answers the page's offer of
 * one audio transceiver, reads each decrypted RTP packet of the page's track, hands its
 * payload to the Sans-IO core and sends the echo at once in its own RTP stream (its own SSRC,
 * sequence numbers from a random start, timestamps +480 per echo, the negotiated Opus PT).
 *
 * Like the data-channel leg it signals one UDP host candidate on `peerAddress` and binds its
 * one socket there (werift otherwise gathers every interface). It asks no STUN server (werift
 * would ask a public one: ./werift-udp.ts withoutStunServer) and gathers no relay candidate of
 * its own (a second TURN hop would distort the measurement).
 * Its remote candidates are the relay's only (the checked offer, checked trickled candidates),
 * and two werift filters keep it there: a candidate pair forms only towards the relay's
 * addresses and ports (iceFilterCandidatePair), and a Binding request from anywhere else gets
 * no answer and teaches it no peer-reflexive candidate (iceFilterStunResponse, which werift
 * runs before it learns one: werift's checkIncoming pairs peer-reflexive candidates without
 * iceFilterCandidatePair, and werift checks no MESSAGE-INTEGRITY on requests).
 */
export class RtpLeg {
  private readonly pc: RTCPeerConnection;
  private readonly transceiver: RTCRtpTransceiver;
  private readonly undo: (() => void)[] = [];
  private readonly endpoints: SignalledEndpoints;
  private connectTimer: NodeJS.Timeout | null;
  /** From the answer until the leg connects: closes it when no ICE check came (`iceTrafficTimeoutMs`). */
  private iceTimer: NodeJS.Timeout | null = null;
  /** STUN messages from the relay's addresses (the page's ICE checks through the relay), counted until the leg connects. */
  private iceHeard = 0;
  private connected = false;
  private closed = false;
  private seq = randomInt(0, 0x10000);
  private timestamp = randomInt(0, 0x1_0000_0000);
  private readonly tsStep = (OPUS_CLOCK_HZ * CONSTANTS.rtp.ptimeMs) / 1000;
  private padding = 0;
  private notProbeLogged = 0;
  private sent = 0;
  private localLinks = 0;
  /** The relay in this process, once joined: the short path's echoes go to it by a call. */
  private localLink: LocalPeerLink | null = null;
  /** The DSCP the relay marks the leg's datagrams to the page with (echoDscp). */
  private marked: number | null = null;
  /** Whose SRTP each DTLS transport of the leg runs (./werift-srtp.ts), read when it connects. */
  private readonly srtpOwners: SrtpTakeover[] = [];
  private srtpRefused = 0;
  /** The short path (./short-path.ts): not tried yet, running, or off (werift's path, and why). */
  private short: 'pending' | RtpShortPath | { off: string } = 'pending';
  /** The relay's fast path, once offered (./fast-offer.ts). */
  private fast: LegFastOffer | null = null;
  /** werift's one UDP socket of the leg, once its answer is set. */
  private socket: WeriftUdp | null = null;
  /** werift runs the DTLS server (./werift-dtls.ts); the page's handshake records then pass `dtlsFilter` first. */
  private dtlsServer = false;
  private readonly dtlsFilter = new DtlsHandshakeFilter();
  /** An RTP or RTCP datagram of the page reached the leg. */
  private media = false;
  /** From DTLS until the page's first media datagram: closes the leg (`no-media`, mediaAfterDtlsMs). */
  private mediaTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: RtpLegOptions) {
    this.endpoints = new SignalledEndpoints(opts.peerAddress, opts.allowEndpoint, this.undo);
    this.pc = relayOnlyPeer(opts.peerAddress, opts.relay, { codecs: { audio: [useOPUS()], video: [] }, headerExtensions: { audio: [], video: [] } }, () => {
      this.iceHeard++;
    });
    this.transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.transceiver.onTrack.subscribe((track) => this.onTrack(track));
    this.pc.onIceCandidate.subscribe((c) => {
      if (c) this.onLocalCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        this.connected = true;
        this.clearTimers();
        this.opts.logger.info({ session: opts.id, pt: this.transceiver.sender.codec?.payloadType, srtp: this.srtpOwner }, 'rtp leg connected');
        this.watchMedia();
      } else if (state === 'failed' || state === 'closed') {
        this.close(`rtp leg ${state}`);
      }
    });
    this.connectTimer = setTimeout(() => this.close(`rtp leg not connected within ${opts.connectTimeoutMs} ms of the offer`), opts.connectTimeoutMs);
  }

  /** Padding-only RTP packets (P bit, no payload) seen and skipped. */
  get paddingCount(): number {
    return this.padding;
  }

  /** Echoes handed to the sender. */
  get sentCount(): number {
    return this.sent;
  }

  /**
   * The page's offer, already checked by the session (signalled-sdp.ts checkRemoteOffer: the
   * rebuilt SDP, candidates on the relay only, one audio section). Answers it with a=ptime added.
   */
  async offer(sdp: string): Promise<void> {
    try {
      const answer = await answerPageOffer(this.pc, sdp, this.opts.peerAddress, () => this.closed);
      if (answer === null) return;
      this.dtlsServer = answer.dtlsServer;
      for (const c of answer.candidates) this.endpoints.allow(c);
      this.joinLocalRelay();
      this.useOwnSrtp(this.opts.dataPath === 'native' ? 'native' : 'js');
      this.useShortPath();
      this.watchDatagrams();
      if (this.closed) return;
      this.opts.sendSignal({ type: 'answer', sdp: withAudioPtime(answer.sdp, CONSTANTS.rtp.ptimeMs) });
      const wait = this.opts.iceTrafficTimeoutMs;
      if (wait !== undefined && !this.connected) {
        this.iceTimer = setTimeout(() => {
          if (!this.connected && this.iceHeard === 0) this.close(`no ICE check from the page within ${wait} ms of the answer`, 'no-ice');
        }, wait);
      }
    } catch (err) {
      this.close(`rtp offer failed: ${(err as Error).message}`);
    }
  }

  /**
   * A page candidate, counted and bounded by the session. Throws SdpError('bad-candidate') when
   * it is not one candidate; dropped unless it points at the relay.
   */
  candidate(c: NonNullable<SignalData['candidate']>): void {
    if (this.closed) return;
    addPageCandidate(
      this.pc,
      c,
      this.opts.relay,
      () => this.opts.onCandidateDropped(1),
      (err) => this.opts.logger.warn({ session: this.opts.id, err: err.message }, 'rtp candidate refused by werift'),
    );
  }

  /**
   * Joins werift's socket to the relay in this process, both ways; undone at close (the socket then
   * sends on the wire again). The leg is audio: the relay is asked to mark what it sends the page
   * EF, as Teams marks its audio (Microsoft's "Implement Quality of Service in Microsoft Teams").
   */
  private joinLocalRelay(): void {
    const attach = this.opts.attachLocalPeer;
    if (attach === undefined) return;
    for (const socket of weriftUdpSockets(this.pc)) {
      const { address, port } = socket.address;
      const link = attach(address, port, (data, fromIp, fromPort) => socket.onData(data, [fromIp, fromPort]), PROBE_DSCP);
      this.marked = link.dscp;
      const wire = socket.send;
      socket.send = (data, addr) => (addr !== undefined && link.fromPeer(data, addr[0], addr[1]) ? Promise.resolve() : wire(data, addr));
      this.localLinks++;
      this.localLink = link;
      this.undo.push(() => {
        socket.send = wire;
        this.localLink = null;
        link.detach();
      });
    }
  }

  /** werift sockets joined to the relay in this process (0 without one, or when werift's internals moved). */
  get localLinkCount(): number {
    return this.localLinks;
  }

  /** The DSCP the relay puts on the leg's datagrams to the page (its echoes among them); null: none (not joined to a relay here, or the relay cannot mark). */
  get echoDscp(): number | null {
    return this.marked;
  }

  /** Our SRTP in each of werift's DTLS transports of the leg, from its SRTP start on; its refusals are counted. */
  private useOwnSrtp(crypto: SrtpCryptoKind): void {
    for (const t of this.pc.dtlsTransports) {
      const owner = useOwnSrtp(t, (err) => this.srtpDropped(err.reason), crypto);
      if (owner) this.srtpOwners.push(owner);
    }
  }

  private srtpDropped(reason: string): void {
    if (this.srtpRefused++ < 5) this.opts.logger.debug({ session: this.opts.id, reason }, 'srtp packet dropped');
  }

  /**
   * Every datagram werift's socket receives is offered to the short path first (./short-path.ts),
   * made at the first datagram after our SRTP starts; what it leaves goes to werift. When the leg
   * has other than one socket, one DTLS transport of ours, or werift's members moved, the leg
   * cannot take the page's stream and ends (shortPathOff).
   */
  private useShortPath(): void {
    const sockets = weriftUdpSockets(this.pc);
    const [socket] = sockets;
    if (sockets.length !== 1 || socket === undefined) {
      this.shortPathOff(`${sockets.length} werift sockets, not one`);
      return;
    }
    this.socket = socket;
    const werift = socket.onData;
    socket.onData = (data, addr) => {
      if (this.short === 'pending') this.makeShortPath();
      const short = this.short;
      if (short === 'pending' || 'off' in short || !short.take(data)) werift(data, addr);
    };
    this.undo.push(() => {
      socket.onData = werift;
    });
  }

  /**
   * Every datagram werift's socket receives passes here before the short path: the page's DTLS
   * records through the handshake filter (./werift-dtls.ts) when werift is the DTLS server, and
   * the page's first RTP or RTCP datagram (RFC 7983 §7: first byte 128-191) noted.
   */
  private watchDatagrams(): void {
    for (const socket of weriftUdpSockets(this.pc)) {
      const next = socket.onData;
      socket.onData = (data, addr) => {
        if (isDtls(data)) {
          const kept = this.dtlsServer ? this.dtlsFilter.keep(data) : data;
          if (kept !== null) next(kept, addr);
          return;
        }
        if (!this.media && data.length > 0 && (data[0] ?? 0) >> 6 === 2) this.mediaCame();
        next(data, addr);
      };
      this.undo.push(() => {
        socket.onData = next;
      });
    }
  }

  /** DTLS is up: the page's media must follow within mediaAfterDtlsMs, or the leg is ours to end. */
  private watchMedia(): void {
    if (this.media) {
      this.opts.onMedia?.();
      return;
    }
    const wait = this.opts.mediaAfterDtlsMs;
    if (wait === undefined) return;
    this.mediaTimer = setTimeout(() => this.close(`no RTP from the page within ${wait} ms of DTLS`, 'no-media'), wait);
  }

  private mediaCame(): void {
    this.media = true;
    if (!this.connected || this.closed) return;
    if (this.mediaTimer) clearTimeout(this.mediaTimer);
    this.mediaTimer = null;
    this.opts.onMedia?.();
  }

  /** The short path, once our SRTP runs in the leg's one DTLS transport; stays pending before. */
  private makeShortPath(): void {
    const [takeover] = this.srtpOwners;
    const [dtls] = this.pc.dtlsTransports;
    if (this.srtpOwners.length !== 1 || this.pc.dtlsTransports.length !== 1 || takeover === undefined || dtls === undefined) {
      this.shortPathOff(`${this.pc.dtlsTransports.length} DTLS transports, not one`);
      return;
    }
    const srtp = takeover.own();
    if (srtp === null) {
      if (takeover.owner() === 'werift') this.shortPathOff("werift's SRTP runs");
      return;
    }
    const core = this.opts.core;
    const made = shortPath(
      { srtp, receiver: this.transceiver.receiver, sender: this.transceiver.sender, dtls, core: core instanceof NativeRtpCore ? core : undefined },
      {
        nowMs: () => this.opts.nowMs(),
        onPayload: (payload, recvMs) => this.onPayload(payload, recvMs),
        onRefused: (err) => this.srtpDropped(err.reason),
        send: (packet, ip, port, downSeq) => this.sendShort(packet, ip, port, downSeq),
        onTaken: (out) => this.onTaken(out),
        onFastPossible: (ssrc, payloadType, answerTo) => this.offerFast(ssrc, payloadType, answerTo),
      },
    );
    if ('reason' in made) {
      this.shortPathOff(made.reason);
      return;
    }
    this.short = made.path;
    // The addon's core takes the page's packets whole: it numbers every echo from here on (the relay's fast path seals them too).
    if (made.path.native && core instanceof NativeRtpCore) core.numbering(this.seq, this.timestamp, this.tsStep);
  }

  /**
   * The leg cannot take the page's stream on the short path (werift's members moved, or it runs
   * werift's SRTP): it ends as a leg that carries none of the page's audio (`no-media`), so the
   * page is told and opens it again or falls back to the data channel. werift's own RTP path is
   * no runtime fallback for the stream (docs/probe-path.md): it would carry it slower, on other
   * timings, untested.
   */
  private shortPathOff(why: string): void {
    this.short = { off: why };
    this.opts.logger.warn({ session: this.opts.id, reason: why }, 'rtp leg cannot take the page stream on its short path');
    this.close(`rtp leg cannot take the page's stream on its short path: ${why}`, 'no-media');
  }

  /** An echo of the short path to the relay: by a call when the relay is in this process, else on werift's socket. */
  private sendShort(packet: Buffer, ip: string, port: number, downSeq: number): void {
    if (this.localLink?.fromPeer(packet, ip, port) === true) return;
    const socket = this.socket;
    if (socket === null) {
      this.echoFailed(downSeq, 'no socket');
      return;
    }
    socket.send(packet, [ip, port]).catch((err: Error) => this.echoFailed(downSeq, err.message));
  }

  /** The echo numbered `downSeq` was not sent: its receipt says so (RtpReflectorCore.echoFailed). */
  private echoFailed(downSeq: number, why: string): void {
    this.opts.core.echoFailed(downSeq);
    this.opts.logger.warn({ session: this.opts.id, err: why }, 'rtp echo send failed');
  }

  /**
   * Whose SRTP the leg runs: `ours`; `werift` (asked for, another profile negotiated, or
   * werift's internals moved); `mixed` across transports; or `none` before DTLS is done.
   */
  get srtpOwner(): SrtpOwner | 'mixed' {
    if (this.srtpOwners.length === 0) return this.pc.dtlsTransports.length > 0 ? 'werift' : 'none';
    const owners = new Set(this.srtpOwners.map((o) => o.owner()));
    const [only] = owners;
    return owners.size === 1 && only !== undefined ? only : 'mixed';
  }

  private onLocalCandidate(c: NonNullable<SignalData['candidate']>): void {
    if (this.closed) return;
    const signal = this.endpoints.signalOf(c);
    if (signal === null) {
      this.opts.logger.debug({ session: this.opts.id, candidate: c.candidate }, 'rtp candidate not signalled');
      return;
    }
    this.opts.sendSignal(signal);
  }

  private onTrack(track: MediaStreamTrack): void {
    track.onReceiveRtp.subscribe((rtp) => this.onPayload(rtp.payload, this.opts.nowMs()));
  }

  /** A payload of the page's stream, by werift's path or the short one, that arrived at `recvMs`: echoed if it is a probe. */
  private onPayload(payload: Buffer, recvMs: number): void {
    if (this.closed) return;
    if (payload.byteLength === 0) {
      this.padding++; // Chromium's padding-only packets (RFC 3550 §5.1 P bit) carry no frame
      return;
    }
    const out = this.opts.core.onFrame(payload, recvMs, () => this.opts.nowMs());
    if (out.kind === 'echo') this.send(out.payload, out.downSeq);
    else this.notEchoed(out);
  }

  /** A packet the addon's core took whole on the short path: counted as `onPayload` counts it, its echo numbered (and sent through werift when the short path could not). */
  private onTaken(out: NativeTake): void {
    if (out.kind === 'padding') {
      this.padding++;
      return;
    }
    if (out.kind !== 'echo') {
      this.notEchoed(out);
      return;
    }
    if (out.failed !== undefined) {
      // Not sealed, so not sent: its number goes to the next echo (no gap in the reflector's stream).
      this.echoFailed(out.downSeq, out.failed.message);
      return;
    }
    this.sent++;
    if (out.unsent !== null) this.sendByWerift(out.unsent.frame, out.unsent.seq, out.unsent.timestamp, out.downSeq);
  }

  /**
   * Offers the relay's fast path the page's stream `ssrc` (./fast-offer.ts): once the relay takes
   * it up, its packets are answered by the addon's core in C before any JavaScript, and counted
   * here in batches. Only with the relay in this process and the addon's core numbering the echoes.
   */
  private offerFast(ssrc: number, payloadType: number, answerTo: readonly [string, number]): void {
    const link = this.localLink;
    const core = this.opts.core;
    const short = this.short;
    if (link === null || !(core instanceof NativeRtpCore) || !core.numbers || this.closed) return;
    if (short === 'pending' || 'off' in short) return;
    this.fast ??= new LegFastOffer(link, core, short, (t) => this.fastTaken(t));
    this.fast.offer(ssrc, payloadType, answerTo);
  }

  /** A packet the relay's fast path took, counted as `onTaken` counts one. */
  private fastTaken(t: Readonly<FastTaken>): void {
    switch (t.kind) {
      case 'padding':
        this.padding++;
        return;
      case 'not-probe':
        if (t.notProbe !== null) this.notEchoed({ kind: 'not-probe', reason: t.notProbe });
        return;
      case 'after-final':
        return;
      case 'out-of-memory':
        this.opts.logger.warn({ session: this.opts.id }, 'rtp probe lost: the probe core could not grow its state');
        return;
      case 'echo':
        if (t.sealFailed !== null) this.echoFailed(t.downSeq, `srtp ${t.sealFailed}`);
        else this.sent++;
    }
  }

  private notEchoed(out: Exclude<NativeTake, { kind: 'echo' | 'padding' }>): void {
    if (out.kind !== 'not-probe') return;
    // Expected around every test: the page's track sends plain Opus frames before its first
    // and after its last stamped probe. Counted in the leg's closing line; the first few at debug.
    if (this.notProbeLogged++ < 5) this.opts.logger.debug({ session: this.opts.id, reason: out.reason }, 'rtp frame that is not a probe dropped');
  }

  /** The next echo's RTP sequence number and timestamp, and one more echo handed to the sender. */
  private nextEchoNumber(): void {
    this.seq = (this.seq + 1) & 0xffff;
    this.timestamp = (this.timestamp + this.tsStep) >>> 0;
    this.sent++;
  }

  private send(payload: Uint8Array, downSeq: number): void {
    const short = this.short;
    const core = this.opts.core;
    // Once the addon's core numbers the echoes, this one takes its number from it too.
    const n = core instanceof NativeRtpCore && core.numbers ? core.nextNumber() : { seq: this.seq, timestamp: this.timestamp };
    // Numbered on only once it is sent, or handed to werift's sender (an echo our SRTP refused throws
    // first; a number the core gave is spent then, a gap in the reflector's stream its receiver reports count).
    const sent = short !== 'pending' && !('off' in short) && short.send(payload, n.seq, n.timestamp, downSeq);
    this.nextEchoNumber();
    if (!sent) this.sendByWerift(payload, n.seq, n.timestamp, downSeq);
  }

  /** Sends `payload`, the echo numbered `downSeq`, through werift's sender as the RTP packet numbered `seq` at `timestamp`. */
  private sendByWerift(payload: Uint8Array, seq: number, timestamp: number, downSeq: number): void {
    const header = new RtpHeader({
      sequenceNumber: seq,
      timestamp,
      payloadType: this.transceiver.sender.codec?.payloadType ?? 111,
      marker: false,
    });
    // The sender writes its own SSRC and the negotiated payload type (werift RTCRtpSender.dispatchRtp).
    this.transceiver.sender.sendRtp(new RtpPacket(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength))).catch((err: Error) => {
      this.opts.core.echoFailed(downSeq);
      this.opts.logger.warn({ session: this.opts.id, err: err.message }, 'rtp echo send failed');
    });
  }

  /** Which path the page's stream took, for the closing line: the short path's counts, or why werift's ran. */
  private pathReading(): {
    rtpPath: 'short' | 'werift';
    shortTaken?: number;
    shortSent?: number;
    shortCore?: 'native' | 'js';
    fastTaken?: number;
    weriftWhy?: string;
  } {
    const s = this.short;
    if (s === 'pending') return { rtpPath: 'werift', weriftWhy: 'no datagram after DTLS' };
    if ('off' in s) return { rtpPath: 'werift', weriftWhy: s.off };
    // shortTaken counts the fast path's too: fastTaken of them were answered by the relay's fast path.
    return { rtpPath: 'short', shortTaken: s.takenCount, shortSent: s.sentCount, shortCore: s.native ? 'native' : 'js', fastTaken: this.fast?.takenCount ?? 0 };
  }

  private clearTimers(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (this.iceTimer) clearTimeout(this.iceTimer);
    this.iceTimer = null;
    if (this.mediaTimer) clearTimeout(this.mediaTimer);
    this.mediaTimer = null;
  }

  close(reason: string, code?: RtpLegCloseCode): void {
    if (this.closed) return;
    // What the relay's fast path took is counted before the closing line.
    this.fast?.withdraw();
    this.closed = true;
    this.clearTimers();
    // Newest first: a socket's handlers go back in the order they were put on.
    for (const u of [...this.undo].reverse()) u();
    this.pc.close().catch((err: Error) => this.opts.logger.warn({ session: this.opts.id, err: err.message }, 'rtp leg close failed'));
    this.opts.logger.info(
      {
        session: this.opts.id,
        reason,
        padding: this.padding,
        notProbes: this.opts.core.notProbeCount,
        srtp: this.srtpOwner,
        srtpRefused: this.srtpRefused,
        dtls: this.dtlsServer ? 'server' : 'client',
        dtlsCopies: this.dtlsFilter.droppedCount,
        media: this.media,
        ...this.pathReading(),
      },
      'rtp leg closed',
    );
    this.opts.onClose(reason, code);
  }
}
