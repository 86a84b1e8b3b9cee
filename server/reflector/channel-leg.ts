/**
 * A session's data-channel leg: simple-peer over @roamhq/wrtc, answering the page's offer and
 * echoing every probe on its unordered channel (ReflectorCore). The session's control messages
 * go on the page's signalling socket, not here: a test graded on RTP opens no such leg.
 *
 * What it sends where is bounded by signalling (signalled-sdp.ts): its remote candidates are
 * the relay's only. Its stack (libwebrtc) cannot be told to refuse a peer-reflexive candidate:
 * a Binding request that carries this session's ICE password (the page has it) teaches it the
 * request's source and starts checks towards it (RFC 8445 §7.3.1.3), so a spoofed source would
 * make it a packet source for the page's choice of victim. So this leg is relay-only: it takes
 * its one candidate on our own relay (an allocation under a credential the server mints for
 * itself, `relayServer`), and its sockets hear only the relay (libwebrtc's TURN port drops what
 * any other address sends; the relay drops what reaches the allocation from a peer without a
 * permission, RFC 8656 §9). The hop it adds is measured (docs/benchmarks/accuracy.md).
 */
import { performance } from 'node:perf_hooks';
import SimplePeer from 'simple-peer';
import wrtc from '@roamhq/wrtc';
import type { SignalData } from '../../src/protocol/api.js';
import { ProbeDecodeError, encodeControlMessage } from '../../src/protocol/wire.js';
import { PROBE_CHANNEL_LABEL } from '../../src/protocol/channels.js';
import { internalsOf } from '../../src/session/net/simple-peer.js';
import { readStats, type StatsSample } from '../../src/session/stats/adapter.js';
import type { ReflectorCore } from './core.js';
import { canonicalAddress, isOwnRelayedCandidate, parseCandidate, type RelayEndpoints } from './candidates.js';
import { checkRemoteCandidate, checkRemoteOffer, localDescription } from './signalled-sdp.js';
import { ReflectorSessionError, refusing, type ReflectorCloseCode, type ReflectorLogger } from './session-base.js';

/** A TURN server entry (RTCIceServer) for the data-channel leg, with its minted credential. */
export interface ReflectorRelayServer {
  /** e.g. "turn:127.0.0.1:3478?transport=udp" (RFC 7065 URI). */
  url: string;
  username: string;
  credential: string;
}

export interface ChannelLegOptions {
  /** The session's id, in log lines. */
  id: string;
  /** The data-channel stream's echo and receipts (the session's: it sends the receipts and the final tally). */
  core: ReflectorCore;
  /** The only endpoints the page's candidates may point at: the relay's relayed addresses and ports. */
  relay: RelayEndpoints;
  /** Our own relay, where the leg takes its only candidate (relay-only). */
  relayServer: ReflectorRelayServer;
  /**
   * Lets this leg's allocations (its credential, `relayServer.username`) exchange data with the
   * page's relayed address `ip`:`port`, a candidate the page signalled: the relay carries nothing
   * else between relayed addresses of ours (server/turn/core/relay-pairs.ts). Returns the undo,
   * called as the leg closes. Absent: a relay that is not ours (`--external-turn`).
   */
  allowRelayPair?: (username: string, ip: string, port: number) => () => void;
  /** Candidates accepted, after the offer (those in the offer included). */
  maxCandidates: number;
  /** The leg fails when its data channel has not opened this long after the offer. */
  connectTimeoutMs: number;
  /** The leg fails (`no-ice`) when no ICE check of the page reached it this long after its answer; absent: only connectTimeoutMs bounds it. */
  iceTrafficTimeoutMs?: number;
  logger: ReflectorLogger;
  /** Forward a signal message of this leg to the page. */
  sendSignal(data: SignalData): void;
  /** A control message for the page (the probe channel as this leg sees it, once it opened). */
  sendControl(message: string): void;
  /** A page candidate (or offer candidate line) was dropped because it does not point at the relay. */
  onCandidateDropped(count: number): void;
  /** The page's offer was taken: from now on the leg's connect timeout bounds the wait. */
  onOffered(): void;
  /** The leg failed (its peer, a timeout): the session ends with `reason`, and `code` for the page when there is one. */
  onFailed(reason: string, code?: ReflectorCloseCode): void;
}

export class ChannelLeg {
  /** The data-channel probe stream's echo and receipts. */
  readonly core: ReflectorCore;
  private readonly peer: SimplePeer.Instance;
  /** From the offer until the data channel opens. */
  private connectTimer: NodeJS.Timeout | null = null;
  /** The no-ICE-traffic timeout, from the answer on until the data channel opens. */
  private iceTimer: NodeJS.Timeout | null = null;
  private connected = false;
  private offered = false;
  private candidates = 0;
  private closed = false;
  private badProbes = 0;
  /** The relay pairs this leg registered (`ip|port`), with their undo. */
  private readonly pairs = new Map<string, () => void>();

  constructor(private readonly opts: ChannelLegOptions) {
    this.core = opts.core;
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
    this.peer.on('signal', (data: SignalData) => this.onLocalSignal(data));
    this.peer.on('connect', () => this.onConnect());
    this.peer.on('data', (chunk: Uint8Array) => this.onProbe(chunk));
    this.peer.on('error', (err: Error) => this.fail(`peer error: ${err.message}`));
    this.peer.on('close', () => this.fail('peer closed'));
  }

  /** Datagrams on the probe channel that were not probes, dropped without an echo. */
  get badProbeCount(): number {
    return this.badProbes;
  }

  /**
   * A signal message of the page for this leg. Candidates count only after the one offer
   * (simple-peer would queue them without limit before it), at most `maxCandidates`, those in the
   * offer included. A refused offer (signalled-sdp.ts) is not applied and not counted: the page
   * may send another until the session's offer timeout.
   */
  signal(data: SignalData): void {
    if (this.closed) return;
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
      const c = parseCandidate(kept);
      if (c !== null) this.pairWith(canonicalAddress(c.address) ?? c.address, c.port);
      this.peer.signal({
        type: 'candidate',
        candidate: { candidate: kept, sdpMid: sdpMid ?? null, sdpMLineIndex: sdpMLineIndex ?? null },
      } as SimplePeer.SignalData);
    } else if (data.type === 'offer') {
      if (this.offered) throw new ReflectorSessionError('duplicate-offer', 'one offer per session');
      const offer = refusing(() => checkRemoteOffer(data.sdp ?? '', this.opts.relay, this.opts.maxCandidates));
      this.offered = true;
      this.candidates = offer.candidates;
      for (const e of offer.endpoints) this.pairWith(e.address, e.port);
      this.opts.onOffered();
      this.connectTimer = setTimeout(() => this.fail(`not connected within ${this.opts.connectTimeoutMs} ms of the offer`), this.opts.connectTimeoutMs);
      this.peer.signal({ type: 'offer', sdp: offer.sdp });
    } else {
      throw new ReflectorSessionError('unexpected-answer', 'the reflector answers; it takes no answer');
    }
  }

  /** The page's relayed address `address`:`port` (a candidate it signalled, checked to be on our relay): a relay pair of this leg's allocations, before the stack sends a check to it. */
  private pairWith(address: string, port: number): void {
    const allow = this.opts.allowRelayPair;
    const key = `${address}|${port}`;
    if (allow === undefined || this.pairs.has(key)) return;
    this.pairs.set(key, allow(this.opts.relayServer.username, address, port));
  }

  private countCandidate(): void {
    if (this.candidates >= this.opts.maxCandidates) {
      throw new ReflectorSessionError('too-many-candidates', `at most ${this.opts.maxCandidates} candidates per session`);
    }
    this.candidates++;
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
      this.fail(`our own ${data.type} is not SDP: ${(err as Error).message}`);
      return;
    }
    this.opts.sendSignal({ ...data, sdp: local.sdp });
    const wait = this.opts.iceTrafficTimeoutMs;
    if (data.type === 'answer' && wait !== undefined && this.iceTimer === null && !this.connected) {
      this.iceTimer = setTimeout(() => void this.checkIceTraffic(wait), wait);
    }
  }

  /**
   * `iceTrafficTimeoutMs` after the answer: unless the data channel opened, the leg fails
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
    this.fail(`no ICE check from the page within ${waitMs} ms of the answer`, 'no-ice');
  }

  private onConnect(): void {
    this.connected = true;
    this.clearTimers();
    const channel = internalsOf(this.peer).channel;
    this.opts.logger.info({ session: this.opts.id, ordered: channel?.ordered, maxRetransmits: channel?.maxRetransmits }, 'reflector connected');
    if (channel && channel.label !== PROBE_CHANNEL_LABEL) {
      this.opts.logger.warn({ session: this.opts.id, label: channel.label }, 'unexpected probe channel label');
    }
    this.opts.sendControl(
      encodeControlMessage({
        type: 'channel',
        ordered: channel?.ordered ?? true,
        maxRetransmits: channel?.maxRetransmits ?? null,
        label: channel?.label ?? '',
      }),
    );
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

  /** The page's audio on this leg as our WebRTC stack saw it; null (and said in the log) when getStats failed. */
  async readStats(): Promise<StatsSample | null> {
    try {
      return readStats((await internalsOf(this.peer).pc.getStats()).values());
    } catch (err) {
      this.opts.logger.warn({ session: this.opts.id, err: (err as Error).message }, 'getStats failed: no RTP second opinion');
      return null;
    }
  }

  private clearTimers(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (this.iceTimer) clearTimeout(this.iceTimer);
    this.iceTimer = null;
  }

  private fail(reason: string, code?: ReflectorCloseCode): void {
    if (this.closed) return;
    this.opts.onFailed(reason, code);
  }

  /** Ends the leg: its timers stopped, its peer connection closed; nothing it hears after this reaches the session. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    this.peer.destroy();
    for (const undo of this.pairs.values()) undo();
    this.pairs.clear();
  }
}
