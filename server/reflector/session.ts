import { performance } from 'node:perf_hooks';
import SimplePeer from 'simple-peer';
import wrtc from '@roamhq/wrtc';
import type { SignalData, SignalLeg } from '../../src/protocol/api.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import {
  ProbeDecodeError,
  ProbeKind,
  encodeBothReceipts,
  encodeControlMessage,
  encodeReceipts,
  parseControlMessage,
  type RelayWitness,
  type ServerLoopReading,
} from '../../src/protocol/wire.js';
import { CONTROL_CHANNEL, PROBE_CHANNEL_LABEL } from '../../src/protocol/channels.js';
import { ReflectorCore, strongestWitness } from './core.js';
import { joinLoopReadings } from './loop-lateness.js';
import { RtpReflectorCore, type RtpCore } from './rtp/core.js';
import { NativeRtpCore } from './rtp/native-core.js';
import { RtpLeg, type AttachLocalPeer, type LegBaseline } from './rtp/leg.js';
import { mediaKinds } from './rtp/sdp.js';
import { internalsOf } from '../../src/session/net/simple-peer.js';
import { readStats, type StatsSample } from '../../src/session/stats/adapter.js';
import { isOwnRelayedCandidate, parseCandidate, type RelayEndpoints } from './candidates.js';
import { SdpError, type SdpRefusal } from './sdp-lines.js';
import { checkRemoteCandidate, checkRemoteOffer, localDescription } from './signalled-sdp.js';
import { TypedError } from '../../src/protocol/typed-error.js';
import type { SessionTally } from '../../src/protocol/data-plane.js';

export interface ReflectorLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** A TURN server entry (RTCIceServer) for the data-channel leg, with its minted credential. */
export interface ReflectorRelayServer {
  /** e.g. "turn:127.0.0.1:3478?transport=udp" (RFC 7065 URI). */
  url: string;
  username: string;
  credential: string;
}

export interface ReflectorSessionOptions {
  id: string;
  /** The relay-side address: the only one the reflector offers candidates on (the relay reaches it directly). */
  peerAddress: string;
  payloadBytes: number;
  /** How often receipts are flushed over the control channel. */
  receiptIntervalMs: number;
  maxSessionMs: number;
  /** Close the session when the page sends no offer this long after it opened (DEFAULTS.signalling). */
  offerTimeoutMs: number;
  /** Close the session when its data channel has not opened this long after the offer (DEFAULTS.signalling). */
  connectTimeoutMs: number;
  /**
   * Close the session (`no-ice`) when no ICE check of the page (a STUN request or response on any
   * candidate pair of the data-channel leg) has reached it this long after its answer
   * (DEFAULTS.signalling.iceTrafficTimeoutMs); absent: only connectTimeoutMs bounds it.
   */
  iceTrafficTimeoutMs?: number;
  /** Candidates accepted per session, after the offer (DEFAULTS.signalling). */
  maxCandidates: number;
  /** The only endpoints the page's candidates may point at: the relay's relayed addresses and ports. */
  relay: RelayEndpoints;
  /** A page candidate (or offer candidate line) was dropped because it does not point at the relay. */
  onCandidateDropped(count: number): void;
  logger: ReflectorLogger;
  /** Whether the page may open the RTP probe leg (ServerConfig.rtpReflector). */
  rtp: boolean;
  /** Forward a signal message to the page, tagged with its leg (absent: the data-channel leg). */
  sendSignal(data: SignalData, leg?: SignalLeg): void;
  /** Let the relay reach this endpoint; returns the undo function. */
  allowEndpoint(ip: string, port: number): () => void;
  /** The relay, when it runs in this process: the RTP leg's datagrams go to and from it by a call (RtpLegOptions.attachLocalPeer). */
  attachLocalPeer?: AttachLocalPeer;
  /** What runs in place of today's RTP leg, for a benchmark's side-by-side run only (RtpLegOptions.baseline). */
  baseline?: LegBaseline;
  /** Our own relay, where the data-channel leg takes its only candidate (relay-only). */
  relayServer: ReflectorRelayServer;
  /** What the embedded relay saw of the RTP towards this endpoint (Relay.relayWitness); absent or null: nothing. */
  relayWitness?: (ip: string, port: number) => RelayWitness | null;
  /** The server's event-loop lateness between two times of performance.now() (loop-lateness.ts); absent: not measured. */
  serverLoop?: (fromMs: number, toMs: number) => ServerLoopReading;
  /**
   * The first plane's relay, in another process (`serve --workers 2` and more): its witness of the
   * strongest of these endpoints and its event loop's lateness between two times of this process's
   * performance.now(), asked at the session's end when this plane's own relay (`relayWitness`)
   * saw no RTP of the session: its allocations stayed there (TCP, TLS) or it ran no RTP leg.
   * `serverLoop` is this process's own: the two loops are joined, bin by bin.
   */
  relayElsewhere?: (endpoints: readonly { ip: string; port: number }[], fromMs: number, toMs: number) => Promise<RelayReading>;
  /** The session ended; `code` says why in a word the page is told (`no-ice`), when there is one. */
  onClose(reason: string, code?: ReflectorCloseCode): void;
}

/** What a relay in another process says at a session's end (ReflectorSessionOptions.relayElsewhere). */
export interface RelayReading {
  witness: RelayWitness | null;
  loop: ServerLoopReading | null;
}

/** Why a session ended, when the page is told: its page sent no ICE check in time. */
export type ReflectorCloseCode = 'no-ice';

export class ReflectorSessionError extends TypedError<
  'bad-signal' | 'candidate-before-offer' | 'duplicate-offer' | 'unexpected-answer' | 'no-rtp-leg' | SdpRefusal
> {
  override readonly name = 'ReflectorSessionError';
}

/** Runs `check`; an SdpError becomes the ReflectorSessionError the page is told about. */
export function refusing<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof SdpError) throw new ReflectorSessionError(err.reason, err.message);
    throw err;
  }
}

/**
 * One test's server-side peer: simple-peer over @roamhq/wrtc, answering the page's offer,
 * echoing every probe on the unordered channel and reporting receipts on the reliable one.
 *
 * What it sends where is bounded by signalling (signalled-sdp.ts): its remote candidates are
 * the relay's only. Its stack (libwebrtc) cannot be told to refuse a peer-reflexive candidate:
 * a Binding request that carries this session's ICE password (the page has it) teaches it the
 * request's source and starts checks towards it (RFC 8445 §7.3.1.3), so a spoofed source would
 * make it a packet source for the page's choice of victim. So this leg is relay-only: it takes
 * its one candidate on our own relay (an allocation under a credential the server mints for
 * itself, `relayServer`), and its sockets hear only the relay (libwebrtc's TURN port drops what
 * any other address sends; the relay drops what reaches the allocation from a peer without a
 * permission, RFC 8656 §9). The hop it adds is measured (docs/benchmarks.md).
 */
export class ReflectorSession {
  private readonly peer: SimplePeer.Instance;
  private readonly control: RTCDataChannel;
  private readonly core: ReflectorCore;
  /** The RTP leg's signalled host candidates (where the relay sends its RTP; the witness is read there). */
  private readonly endpoints: { ip: string; port: number }[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly maxTimer: NodeJS.Timeout;
  /** The pre-offer timeout, then the offer-to-connect timeout. */
  private offerTimer: NodeJS.Timeout | null;
  /** The no-ICE-traffic timeout, from the answer on until the data channel opens. */
  private iceTimer: NodeJS.Timeout | null = null;
  private connected = false;
  private offered = false;
  private candidates = 0;
  private closed = false;
  private badProbes = 0;
  /** The relay's witness went with the final tally. */
  private witnessed = false;
  /** When the session opened (performance.now()): the start of the server-loop span its `final` reports. */
  private readonly openedMs = performance.now();
  /** The RTP probe leg, from the page's first 'rtp' offer on. */
  private rtpLeg: RtpLeg | null = null;
  private rtpCore: RtpCore | null = null;
  private rtpCandidates = 0;

  constructor(private readonly opts: ReflectorSessionOptions) {
    this.core = new ReflectorCore(opts.payloadBytes);
    this.peer = new SimplePeer({
      initiator: false,
      trickle: true,
      wrtc: wrtc as unknown as NonNullable<SimplePeer.Options['wrtc']>,
      // Relay-only (module comment): its sockets hear only the relay.
      config: {
        iceServers: [{ urls: opts.relayServer.url, username: opts.relayServer.username, credential: opts.relayServer.credential }],
        iceTransportPolicy: 'relay',
      },
    });
    this.control = internalsOf(this.peer).pc.createDataChannel(CONTROL_CHANNEL.label, {
      negotiated: true,
      id: CONTROL_CHANNEL.id,
      ordered: true,
    });
    this.control.binaryType = 'arraybuffer';
    this.control.onmessage = (ev: MessageEvent) => this.onControl(ev.data);
    this.peer.on('signal', (data: SignalData) => this.onLocalSignal(data));
    this.peer.on('connect', () => this.onConnect());
    this.peer.on('data', (chunk: Uint8Array) => this.onProbe(chunk));
    this.peer.on('error', (err: Error) => this.close(`peer error: ${err.message}`));
    this.peer.on('close', () => this.close('peer closed'));
    this.maxTimer = setTimeout(() => this.close('session outlived its maximum length'), opts.maxSessionMs);
    this.offerTimer = setTimeout(() => this.close(`no offer within ${opts.offerTimeoutMs} ms`), opts.offerTimeoutMs);
  }

  /** Datagrams on the probe channel that were not probes, dropped without an echo. */
  get badProbeCount(): number {
    return this.badProbes;
  }

  /** What the session echoed so far: probes on each path, datagrams that were not probes, whether the relay witnessed its RTP. */
  tally(): SessionTally {
    return { probes: this.core.received, rtpProbes: this.rtpCore?.received ?? 0, badProbes: this.badProbes, witnessed: this.witnessed };
  }

  /**
   * A signal message from the page. Candidates count only after the one offer (simple-peer
   * would queue them without limit before it), at most `maxCandidates` per session, those in
   * the offer included. A refused offer (signalled-sdp.ts) is not applied and not counted: the
   * page may send another until the offer timeout.
   */
  signal(data: SignalData, leg?: SignalLeg): void {
    if (this.closed) return;
    if (leg === 'rtp') {
      this.signalRtp(data);
      return;
    }
    if (data.type === 'candidate') {
      if (data.candidate === undefined) throw new ReflectorSessionError('bad-signal', 'candidate message without a candidate');
      if (!this.offered) throw new ReflectorSessionError('candidate-before-offer', 'a candidate before the offer is refused');
      this.countCandidate();
      const { candidate: line, sdpMid, sdpMLineIndex } = data.candidate;
      if (line === '') {
        this.peer.signal({
          type: 'candidate',
          candidate: { candidate: '', sdpMid: sdpMid ?? null, sdpMLineIndex: sdpMLineIndex ?? null },
        } as SimplePeer.SignalData);
        return;
      }
      const kept = refusing(() => checkRemoteCandidate(line, this.opts.relay));
      if (kept === null) {
        this.opts.onCandidateDropped(1);
        return;
      }
      this.peer.signal({
        type: 'candidate',
        candidate: { candidate: kept, sdpMid: sdpMid ?? null, sdpMLineIndex: sdpMLineIndex ?? null },
      } as SimplePeer.SignalData);
    } else if (data.type === 'offer') {
      if (this.offered) throw new ReflectorSessionError('duplicate-offer', 'one offer per session');
      const offer = refusing(() => checkRemoteOffer(data.sdp ?? '', this.opts.relay, this.opts.maxCandidates));
      this.offered = true;
      this.candidates = offer.candidates;
      if (this.offerTimer) clearTimeout(this.offerTimer);
      this.offerTimer = setTimeout(() => this.close(`not connected within ${this.opts.connectTimeoutMs} ms of the offer`), this.opts.connectTimeoutMs);
      this.peer.signal({ type: 'offer', sdp: offer.sdp });
    } else {
      throw new ReflectorSessionError('unexpected-answer', 'the reflector answers; it takes no answer');
    }
  }

  private countCandidate(): void {
    if (this.candidates >= this.opts.maxCandidates) {
      throw new ReflectorSessionError('too-many-candidates', `at most ${this.opts.maxCandidates} candidates per session`);
    }
    this.candidates++;
  }

  /**
   * A signal of the RTP leg: one offer per session (one audio section), then at most
   * `maxCandidates` candidates (those in the offer included), checked like the data-channel
   * leg's.
   */
  private signalRtp(data: SignalData): void {
    if (data.type === 'offer') {
      if (!this.opts.rtp) throw new ReflectorSessionError('no-rtp-leg', 'this server runs without the RTP reflector');
      if (this.rtpCore) throw new ReflectorSessionError('duplicate-offer', 'one RTP offer per session');
      const offer = refusing(() => checkRemoteOffer(data.sdp ?? '', this.opts.relay, this.opts.maxCandidates));
      const kinds = mediaKinds(offer.lines);
      if (kinds.length !== 1 || kinds[0] !== 'audio') {
        throw new ReflectorSessionError('bad-signal', `the RTP offer must have exactly one audio section, not ${JSON.stringify(kinds)}`);
      }
      // The addon's probe core (one call a packet on the short path); the JavaScript one for a
      // benchmark's side-by-side run of the leg as before a cut (every such cut but the relay's fast path came before the addon's core).
      const coreOpts = { recentRecords: DEFAULTS.rtp.recentRecords, frameBytes: DEFAULTS.rtp.frameBytes };
      const core = this.opts.baseline === undefined || this.opts.baseline === 'no-fast-path' ? new NativeRtpCore(coreOpts) : new RtpReflectorCore(coreOpts);
      this.rtpCore = core;
      const leg = new RtpLeg({
        id: this.opts.id,
        peerAddress: this.opts.peerAddress,
        relay: this.opts.relay,
        connectTimeoutMs: this.opts.connectTimeoutMs,
        core,
        nowMs: () => performance.now(),
        logger: this.opts.logger,
        sendSignal: (d) => this.opts.sendSignal(d, 'rtp'),
        allowEndpoint: (ip, port) => {
          // The RTP leg's own endpoint: the relay witness of the probe stream is read there at the end.
          this.endpoints.push({ ip, port });
          return this.opts.allowEndpoint(ip, port);
        },
        onCandidateDropped: (n) => this.opts.onCandidateDropped(n),
        onClose: () => {
          if (this.rtpLeg === leg) this.rtpLeg = null;
        },
        ...(this.opts.attachLocalPeer ? { attachLocalPeer: this.opts.attachLocalPeer } : {}),
        ...(this.opts.baseline ? { baseline: this.opts.baseline } : {}),
      });
      this.rtpLeg = leg;
      this.rtpCandidates = offer.candidates;
      void leg.offer(offer.sdp);
      return;
    }
    if (data.type === 'candidate') {
      if (data.candidate === undefined) throw new ReflectorSessionError('bad-signal', 'candidate message without a candidate');
      if (!this.rtpCore) throw new ReflectorSessionError('candidate-before-offer', 'an RTP candidate before the RTP offer is refused');
      if (this.rtpCandidates >= this.opts.maxCandidates) {
        throw new ReflectorSessionError('too-many-candidates', `at most ${this.opts.maxCandidates} RTP candidates per session`);
      }
      this.rtpCandidates++;
      const c = data.candidate;
      refusing(() => this.rtpLeg?.candidate(c));
      return;
    }
    throw new ReflectorSessionError('unexpected-answer', 'the reflector answers; it takes no answer');
  }

  /**
   * What our stack signals, filtered: its answer rebuilt with only the candidate on the
   * data-channel address (simple-peer sends pc.localDescription, which lists every candidate
   * gathered so far), and only that candidate trickled. Each is opened on the relay once.
   */
  private onLocalSignal(data: SignalData): void {
    if (this.closed) return;
    if (data.type === 'candidate') {
      const line = data.candidate?.candidate ?? '';
      if (line === '') return; // end-of-candidates
      const parsed = parseCandidate(line);
      if (!isOwnRelayedCandidate(parsed, this.opts.relay)) {
        this.opts.logger.debug({ session: this.opts.id, candidate: line }, 'candidate not signalled');
        return;
      }
      this.opts.sendSignal(data);
      return;
    }
    if (data.sdp === undefined) {
      this.opts.sendSignal(data);
      return;
    }
    let local: ReturnType<typeof localDescription>;
    try {
      local = localDescription(data.sdp, (c) => isOwnRelayedCandidate(c, this.opts.relay));
    } catch (err) {
      this.close(`our own ${data.type} is not SDP: ${(err as Error).message}`);
      return;
    }
    this.opts.sendSignal({ ...data, sdp: local.sdp });
    const wait = this.opts.iceTrafficTimeoutMs;
    if (data.type === 'answer' && wait !== undefined && this.iceTimer === null && !this.connected) {
      this.iceTimer = setTimeout(() => void this.checkIceTraffic(wait), wait);
    }
  }

  /**
   * `iceTrafficTimeoutMs` after the answer: unless the data channel opened, the session ends
   * (`no-ice`) when not one ICE check of the page reached it (no STUN request or response
   * received on any candidate pair), so an offer alone does not hold its slot for the whole
   * connect timeout. A page that checks but has not connected yet keeps the connect timeout.
   */
  private async checkIceTraffic(waitMs: number): Promise<void> {
    if (this.closed || this.connected) return;
    let heard = 0;
    try {
      const report = await internalsOf(this.peer).pc.getStats();
      report.forEach((v: { type?: string; requestsReceived?: number; responsesReceived?: number }) => {
        if (v.type === 'candidate-pair') heard += (v.requestsReceived ?? 0) + (v.responsesReceived ?? 0);
      });
    } catch (err) {
      this.opts.logger.debug({ session: this.opts.id, err: (err as Error).message }, 'ICE statistics not read');
      return; // the connect timeout still bounds it
    }
    if (this.closed || this.connected || heard > 0) return;
    this.close(`no ICE check from the page within ${waitMs} ms of the answer`, 'no-ice');
  }

  private onConnect(): void {
    this.connected = true;
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = null;
    if (this.iceTimer) clearTimeout(this.iceTimer);
    this.iceTimer = null;
    const channel = internalsOf(this.peer).channel;
    this.opts.logger.info({ session: this.opts.id, ordered: channel?.ordered, maxRetransmits: channel?.maxRetransmits }, 'reflector connected');
    if (channel && channel.label !== PROBE_CHANNEL_LABEL) {
      this.opts.logger.warn({ session: this.opts.id, label: channel.label }, 'unexpected probe channel label');
    }
    this.sendControl(
      encodeControlMessage({
        type: 'channel',
        ordered: channel?.ordered ?? true,
        maxRetransmits: channel?.maxRetransmits ?? null,
        label: channel?.label ?? '',
      }),
    );
    this.flushTimer = setInterval(() => this.flush(), this.opts.receiptIntervalMs);
  }

  private onProbe(chunk: Uint8Array): void {
    const recvMs = performance.now();
    try {
      const echo = this.core.onProbe(chunk, recvMs, () => performance.now(), internalsOf(this.peer).channel?.bufferedAmount ?? 0);
      this.peer.send(echo);
    } catch (err) {
      if (err instanceof ProbeDecodeError) {
        this.badProbes++;
        if (this.badProbes <= 5) this.opts.logger.warn({ session: this.opts.id, reason: err.reason }, 'bad probe dropped');
        return;
      }
      this.core.echoFailed();
      this.opts.logger.warn({ session: this.opts.id, err: (err as Error).message }, 'echo send failed');
    }
  }

  private onControl(data: unknown): void {
    if (typeof data !== 'string') {
      this.opts.logger.warn({ session: this.opts.id }, 'binary control message from the page dropped');
      return;
    }
    try {
      const msg = parseControlMessage(data);
      if (msg.type === 'stop') void this.finish();
    } catch (err) {
      this.opts.logger.warn({ session: this.opts.id, err: (err as Error).message }, 'bad control message dropped');
    }
  }

  /** The page is done: its audio as our WebRTC stack saw it, the last receipts, the tally. */
  private async finish(): Promise<void> {
    let rtp: StatsSample | null = null;
    try {
      rtp = readStats((await internalsOf(this.peer).pc.getStats()).values());
    } catch (err) {
      this.opts.logger.warn({ session: this.opts.id, err: (err as Error).message }, 'getStats failed: no RTP second opinion');
    }
    if (this.closed) return;
    const nowMs = performance.now();
    let witness = this.witness();
    let serverLoop = this.opts.serverLoop?.(this.openedMs, nowMs) ?? null;
    // Another plane's relay carried this session's packets when this plane's did not see its stream.
    if (this.opts.relayElsewhere && witness === null) {
      const far = await this.opts.relayElsewhere(this.endpoints, this.openedMs, nowMs);
      if (this.closed) return;
      witness = far.witness;
      serverLoop = far.loop === null ? serverLoop : serverLoop === null ? far.loop : joinLoopReadings(serverLoop, far.loop);
    }
    this.sendControl(
      encodeControlMessage({
        type: 'rtp-stats',
        inboundJitterMs: rtp?.inboundJitterMs ?? null,
        packetsReceived: rtp?.inboundPacketsReceived ?? null,
        packetsLost: rtp?.inboundPacketsLost ?? null,
      }),
    );
    this.flush();
    this.witnessed = witness !== null;
    this.sendControl(encodeControlMessage(this.core.final(witness, serverLoop)));
    if (this.rtpCore) this.sendControl(encodeControlMessage(this.rtpCore.final()));
  }

  /** The relay's witness of the RTP towards this session's endpoint that carried the most (null: none seen). */
  private witness(): RelayWitness | null {
    const at = this.opts.relayWitness;
    return at ? strongestWitness(this.endpoints, at) : null;
  }

  /**
   * Receipts of both probe streams gathered since the last flush: one control message when both
   * have some (each wrtc send is a synchronous hop to its network thread), else the one stream's.
   */
  private flush(): void {
    const dataChannel = this.core.takeReceipts();
    const rtp = this.rtpCore?.takeReceipts() ?? [];
    if (dataChannel.length > 0 && rtp.length > 0) this.sendControl(encodeBothReceipts(dataChannel, rtp));
    else if (dataChannel.length > 0) this.sendControl(encodeReceipts(dataChannel));
    else if (rtp.length > 0) this.sendControl(encodeReceipts(rtp, ProbeKind.RtpReceipts));
  }

  private sendControl(data: string | Uint8Array): void {
    if (this.control.readyState !== 'open') {
      this.opts.logger.warn({ session: this.opts.id, state: this.control.readyState }, 'control channel not open');
      return;
    }
    if (typeof data === 'string') this.control.send(data);
    else this.control.send(data as Uint8Array<ArrayBuffer>);
  }

  close(reason: string, code?: ReflectorCloseCode): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.maxTimer);
    if (this.offerTimer) clearTimeout(this.offerTimer);
    if (this.iceTimer) clearTimeout(this.iceTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.rtpLeg?.close(`session closed: ${reason}`);
    this.peer.destroy();
    this.opts.logger.info({ session: this.opts.id, reason }, 'reflector session closed');
    this.opts.onClose(reason, code);
  }
}
