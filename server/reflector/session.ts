import { performance } from 'node:perf_hooks';
import type { SignalData, SignalLeg } from '../../src/protocol/api.js';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { ProbeKind, encodeBothReceipts, encodeControlMessage, encodeReceipts, type RelayWitness, type ServerLoopReading } from '../../src/protocol/wire.js';
import { ReflectorCore, strongestWitness } from './core.js';
import { RtpReflectorCore, type RtpCore } from './rtp/core.js';
import { NativeRtpCore } from './rtp/native-core.js';
import { RtpLeg, type AttachLocalPeer } from './rtp/leg.js';
import { mediaKinds } from './rtp/sdp.js';
import type { RelayEndpoints } from './candidates.js';
import { checkRemoteOffer } from './signalled-sdp.js';
import { ChannelLeg, type ReflectorRelayServer } from './channel-leg.js';
import { ReflectorSessionError, refusing, type ReflectorCloseCode, type ReflectorLogger } from './session-base.js';
import type { DataPath, SessionTally } from '../common/data-plane.js';

/**
 * Receipts in one control message: 28 bytes each, in base64 on the signalling socket, well inside
 * BOUNDS.controlMessageBytesMax (a flush of a quarter second at 100 probes/s holds 25 a stream).
 */
const RECEIPTS_PER_MESSAGE = 2000;

export interface ReflectorSessionOptions {
  id: string;
  /** The relay-side address: the only one the reflector offers candidates on (the relay reaches it directly). */
  peerAddress: string;
  payloadBytes: number;
  /** How often receipts are flushed to the page (`sendControl`). */
  receiptIntervalMs: number;
  maxSessionMs: number;
  /**
   * Close the session when the page sends no offer (of either leg) this long after it opened, or
   * after its RTP leg ended while it had no data-channel leg (CONSTANTS.signalling).
   */
  offerTimeoutMs: number;
  /** A leg that has not connected this long after its offer is closed; the data-channel leg's closes the session (CONSTANTS.signalling). */
  connectTimeoutMs: number;
  /**
   * Close the session (`no-ice`) when no ICE check of the page (a STUN request or response on any
   * candidate pair of the data-channel leg, or from the relay to the RTP leg when that is its only
   * leg) has reached it this long after its answer (CONSTANTS.signalling.iceTrafficTimeoutMs);
   * absent: only connectTimeoutMs bounds it.
   */
  iceTrafficTimeoutMs?: number;
  /** Candidates accepted per session, after the offer (CONSTANTS.signalling). */
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
  /** A control message for the page (src/protocol/wire.ts: JSON text, or a binary batch of receipts), on its signalling socket. */
  sendControl(message: string | Uint8Array): void;
  /** The page opened the data-channel leg (its wrtc peer is being made). */
  onChannelLeg?: () => void;
  /** Let the relay reach this endpoint; returns the undo function. */
  allowEndpoint(ip: string, port: number): () => void;
  /** Our own relay: let the data-channel leg's allocations (`username`) exchange data with the page's relayed address (ChannelLegOptions.allowRelayPair); absent: a relay not ours. */
  allowRelayPair?: (username: string, ip: string, port: number) => () => void;
  /** The relay, when it runs in this process: the RTP leg's datagrams go to and from it by a call (RtpLegOptions.attachLocalPeer). */
  attachLocalPeer?: AttachLocalPeer;
  /** What the RTP leg's SRTP and probe core run on: the addon's (`native`) or JavaScript (`portable`). */
  dataPath: DataPath;
  /** Our own relay, where the data-channel leg takes its only candidate (relay-only). */
  relayServer: ReflectorRelayServer;
  /** What the embedded relay saw of the RTP towards this endpoint (Relay.relayWitness); absent or null: nothing. */
  relayWitness?: (ip: string, port: number) => RelayWitness | null;
  /** The server's event-loop lateness between two times of performance.now() (loop-lateness.ts); absent: not measured. */
  serverLoop?: (fromMs: number, toMs: number) => ServerLoopReading;
  /** The session ended; `code` says why in a word the page is told (`no-ice`), when there is one. */
  onClose(reason: string, code?: ReflectorCloseCode): void;
}

/**
 * One test's server-side peer: the legs the page opens, the RTP probe leg (rtp/leg.ts) and the
 * data-channel leg (channel-leg.ts: it answers the page's data-channel offer and echoes its
 * probes), each when its offer comes. A test graded on RTP opens the RTP leg alone; the page opens
 * the data-channel leg when it has no RTP leg (its browser, this server) or that leg failed. The
 * control messages go to the page on its signalling socket (`sendControl`). The session bounds
 * the page's wait for an offer and the session's length, sends both streams' receipts every
 * `receiptIntervalMs`, and at the page's `stop` sends what it saw (the RTP second opinion, the
 * last receipts, each stream's final tally).
 */
export class ReflectorSession {
  /** The data-channel stream's echo and receipts (its counts are zero while no such leg opened). */
  private readonly core: ReflectorCore;
  /** The data-channel leg, from the page's data-channel offer on (its wrtc peer is made then, and only then). */
  private channel: ChannelLeg | null = null;
  /** The RTP leg's signalled host candidates (where the relay sends its RTP; the witness is read there). */
  private readonly endpoints: { ip: string; port: number }[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly maxTimer: NodeJS.Timeout;
  /** Until the page's first offer of either leg (then that leg's connect timeout runs), and again when the RTP leg ended with no data-channel leg. */
  private offerTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The page sent its `stop` (a second one is ignored: the finals go once). */
  private stopped = false;
  /** The relay's witness went with the final tally. */
  private witnessed = false;
  /** When the session opened (performance.now()): the start of the server-loop span its `final` reports. */
  private readonly openedMs = performance.now();
  /** The RTP probe leg, from the page's first 'rtp' offer on. */
  private rtpLeg: RtpLeg | null = null;
  /** The DSCP the relay marked the datagrams of the RTP leg that carried the page's stream with; null: none. */
  private echoDscp: number | null = null;
  private rtpCore: RtpCore | null = null;
  private rtpCandidates = 0;
  /** RTP legs opened (at most CONSTANTS.rtp.legAttempts), and whether the page was asked to offer one again (`rtp-retry`) and has not yet. */
  private rtpLegs = 0;
  private rtpAgain = false;

  constructor(private readonly opts: ReflectorSessionOptions) {
    this.core = new ReflectorCore(opts.payloadBytes);
    this.maxTimer = setTimeout(() => this.close('session outlived its maximum length'), opts.maxSessionMs);
    this.waitForOffer();
  }

  /** Datagrams on the probe channel that were not probes, dropped without an echo. */
  get badProbeCount(): number {
    return this.channel?.badProbeCount ?? 0;
  }

  /** What the session echoed so far: probes on each path, datagrams that were not probes, whether the relay witnessed its RTP. */
  tally(): SessionTally {
    return { probes: this.core.received, rtpProbes: this.rtpCore?.received ?? 0, badProbes: this.badProbeCount, witnessed: this.witnessed };
  }

  /** A signal message from the page, to the leg it is tagged with (absent: the data-channel leg, channel-leg.ts). */
  signal(data: SignalData, leg?: SignalLeg): void {
    if (this.closed) return;
    if (leg === 'rtp') this.signalRtp(data);
    else this.signalChannel(data);
  }

  /** The page's `stop`: its stream is over; the rest goes to it (`finish`), once. */
  stop(): void {
    if (this.closed || this.stopped) return;
    this.stopped = true;
    void this.finish();
  }

  /** (Re)starts the wait for an offer: the session closes when none comes in time. */
  private waitForOffer(): void {
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = setTimeout(() => this.close(`no offer within ${this.opts.offerTimeoutMs} ms`), this.opts.offerTimeoutMs);
  }

  /** An offer was taken: the leg's connect timeout bounds the wait from now on, and the receipts flow. */
  private offered(): void {
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = null;
    this.flushTimer ??= setInterval(() => this.flush(), this.opts.receiptIntervalMs);
  }

  /**
   * A signal of the data-channel leg. Its wrtc peer is made by the leg's first offer only: a
   * candidate or an answer before it is refused without one.
   */
  private signalChannel(data: SignalData): void {
    if (this.channel === null) {
      if (data.type === 'candidate') throw new ReflectorSessionError('candidate-before-offer', 'a candidate before the offer is refused');
      if (data.type !== 'offer') throw new ReflectorSessionError('unexpected-answer', 'the reflector answers; it takes no answer');
      this.opts.onChannelLeg?.();
      this.channel = new ChannelLeg({
        id: this.opts.id,
        core: this.core,
        relay: this.opts.relay,
        relayServer: this.opts.relayServer,
        ...(this.opts.allowRelayPair ? { allowRelayPair: this.opts.allowRelayPair } : {}),
        maxCandidates: this.opts.maxCandidates,
        connectTimeoutMs: this.opts.connectTimeoutMs,
        ...(this.opts.iceTrafficTimeoutMs !== undefined ? { iceTrafficTimeoutMs: this.opts.iceTrafficTimeoutMs } : {}),
        logger: this.opts.logger,
        sendSignal: (d) => this.opts.sendSignal(d),
        sendControl: (m) => this.opts.sendControl(m),
        onCandidateDropped: (n) => this.opts.onCandidateDropped(n),
        onOffered: () => this.offered(),
        onFailed: (reason, code) => this.close(reason, code),
      });
    }
    this.channel.signal(data);
  }

  /**
   * A signal of the RTP leg: one offer per session (one audio section), and one more after the
   * session asked for it (`rtp-retry`: the first leg carried none of the page's media), each
   * followed by at most `maxCandidates` candidates (those in the offer included), checked like
   * the data-channel leg's.
   */
  private signalRtp(data: SignalData): void {
    if (data.type === 'offer') {
      if (!this.opts.rtp) throw new ReflectorSessionError('no-rtp-leg', 'this server runs without the RTP reflector');
      if (this.rtpCore && !this.rtpAgain) throw new ReflectorSessionError('duplicate-offer', 'one RTP offer per session, and one more when the reflector asks');
      const offer = refusing(() => checkRemoteOffer(data.sdp ?? '', this.opts.relay, this.opts.maxCandidates));
      const kinds = mediaKinds(offer.lines);
      if (kinds.length !== 1 || kinds[0] !== 'audio') {
        throw new ReflectorSessionError('bad-signal', `the RTP offer must have exactly one audio section, not ${JSON.stringify(kinds)}`);
      }
      // The addon's probe core on the native data path (one call a packet on the short path); the JavaScript one on the portable path.
      const coreOpts = { recentRecords: CONSTANTS.rtp.recentRecords, frameBytes: CONSTANTS.rtp.frameBytes };
      const core = this.opts.dataPath === 'native' ? new NativeRtpCore(coreOpts) : new RtpReflectorCore(coreOpts);
      this.rtpCore = core;
      this.rtpLegs++;
      this.rtpAgain = false;
      const leg = new RtpLeg({
        id: this.opts.id,
        peerAddress: this.opts.peerAddress,
        relay: this.opts.relay,
        connectTimeoutMs: this.opts.connectTimeoutMs,
        ...(this.opts.iceTrafficTimeoutMs !== undefined ? { iceTrafficTimeoutMs: this.opts.iceTrafficTimeoutMs } : {}),
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
        mediaAfterDtlsMs: CONSTANTS.rtp.mediaAfterDtlsMs,
        onMedia: () => {
          if (this.rtpLeg !== leg || this.closed) return;
          // The leg that carries the page's stream: its datagrams to the page leave with this mark (or none).
          this.echoDscp = leg.echoDscp;
          this.opts.sendControl(encodeControlMessage({ type: 'rtp-live' }));
        },
        onClose: (reason, code) => {
          if (this.rtpLeg === leg) this.rtpLeg = null;
          // A leg that carried none of the page's media is ours: the page is told, and may open it again once (then it falls back to the data channel).
          if (code === 'no-media' && !this.closed) {
            this.rtpAgain = this.rtpLegs < CONSTANTS.rtp.legAttempts;
            this.opts.sendControl(encodeControlMessage({ type: 'rtp-retry', reason }));
          }
          if (this.channel !== null || this.closed) return;
          // Without a data-channel leg the session had nothing else: a page that sent no ICE check is
          // told so (as the data-channel leg's would be); another may still open that leg (its fallback), in time.
          if (code === 'no-ice') this.close(reason, 'no-ice');
          else this.waitForOffer();
        },
        ...(this.opts.attachLocalPeer ? { attachLocalPeer: this.opts.attachLocalPeer } : {}),
        dataPath: this.opts.dataPath,
      });
      this.rtpLeg = leg;
      this.rtpCandidates = offer.candidates;
      this.offered();
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

  /** The page is done: its audio as our WebRTC stack saw it, the last receipts, the tally. */
  private async finish(): Promise<void> {
    const rtp = this.channel === null ? null : await this.channel.readStats();
    if (this.closed) return;
    const witness = this.witness();
    const serverLoop = this.opts.serverLoop?.(this.openedMs, performance.now()) ?? null;
    this.opts.sendControl(
      encodeControlMessage({
        type: 'rtp-stats',
        inboundJitterMs: rtp?.inboundJitterMs ?? null,
        packetsReceived: rtp?.inboundPacketsReceived ?? null,
        packetsLost: rtp?.inboundPacketsLost ?? null,
      }),
    );
    this.flush();
    this.witnessed = witness !== null;
    this.opts.sendControl(encodeControlMessage(this.core.final(witness, serverLoop, this.echoDscp)));
    if (this.rtpCore) this.opts.sendControl(encodeControlMessage(this.rtpCore.final()));
  }

  /** The relay's witness of the RTP towards this session's endpoint that carried the most (null: none seen). */
  private witness(): RelayWitness | null {
    const at = this.opts.relayWitness;
    return at ? strongestWitness(this.endpoints, at) : null;
  }

  /**
   * Receipts of both probe streams gathered since the last flush: one control message when both
   * have some, else the one stream's; a batch too large for one message (BOUNDS.controlMessageBytesMax)
   * goes in several, in order.
   */
  private flush(): void {
    const dataChannel = this.core.takeReceipts();
    const rtp = this.rtpCore?.takeReceipts() ?? [];
    if (dataChannel.length > 0 && rtp.length > 0 && dataChannel.length + rtp.length <= RECEIPTS_PER_MESSAGE) {
      this.opts.sendControl(encodeBothReceipts(dataChannel, rtp));
      return;
    }
    for (let i = 0; i < dataChannel.length; i += RECEIPTS_PER_MESSAGE) this.opts.sendControl(encodeReceipts(dataChannel.slice(i, i + RECEIPTS_PER_MESSAGE)));
    for (let i = 0; i < rtp.length; i += RECEIPTS_PER_MESSAGE)
      this.opts.sendControl(encodeReceipts(rtp.slice(i, i + RECEIPTS_PER_MESSAGE), ProbeKind.RtpReceipts));
  }

  close(reason: string, code?: ReflectorCloseCode): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.maxTimer);
    if (this.offerTimer) clearTimeout(this.offerTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.rtpLeg?.close(`session closed: ${reason}`);
    this.channel?.close();
    this.opts.logger.info({ session: this.opts.id, reason }, 'reflector session closed');
    this.opts.onClose(reason, code);
  }
}
