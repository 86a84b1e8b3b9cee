import { SIGNAL_PROTOCOL_PARAM, SIGNAL_PROTOCOL, type SignalData } from '../protocol/api.js';
import type { TestMode } from '../analysis/schema/input.js';
import { SetupError } from './net/errors.js';
import { createPeer, type PeerLink } from './net/peer.js';
import type { WrtcImpl } from './net/simple-peer.js';
import { SignalingClient, type ControlPort, type WebSocketCtor } from './net/signaling.js';
import type { SimplePeerCtor } from './net/simple-peer.js';
import type { RtpLegStart, RtpLink } from './rtp/leg.js';
import type { RtpLegOutcome } from './plan/probe-path.js';

export interface ConnectSetup {
  mode: TestMode;
  SimplePeer: SimplePeerCtor;
  iceServers: RTCIceServer[];
  /** The reflector's signaling WebSocket URL (reflector mode). */
  signalingUrl: string | null;
  stream?: MediaStream;
  timeoutMs: number;
  signal: AbortSignal;
  /** Node only: @roamhq/wrtc and the `ws` WebSocket. */
  wrtc?: WrtcImpl;
  WebSocketImpl?: WebSocketCtor;
  /** Setup steps of the sending peer (ICE connected, DTLS up), for the report's setupMs. */
  onStep?(step: 'iceConnected' | 'dtls'): void;
  /**
   * Reflector mode: opens the RTP probe leg, before any data-channel leg, its signals tagged
   * `leg: 'rtp'` on the same WebSocket. Without it there is no RTP leg.
   */
  openRtp?(sendSignal: (data: SignalData) => void): RtpLegStart;
  /** How long the RTP leg may take to connect before it is abandoned and the data channel opened (default `timeoutMs`). */
  rtpGraceMs?: number;
}

/**
 * The test's connections. `sender` and `receiver` are the data-channel leg's (the same link in
 * reflector mode, two in loopback mode), null when the RTP leg connected alone: a test graded on
 * RTP opens no data channel.
 */
export interface Links {
  sender: PeerLink | null;
  receiver: PeerLink | null;
  /** The session's control messages (reflector mode): they ride the signalling socket. */
  control: ControlPort | null;
  /** Resolves with the close reason when the reflector's signaling WebSocket closes (reflector mode). */
  signalingClosed?: Promise<string>;
  /** The RTP leg, when it connected. */
  rtp: RtpLink | null;
  /** What became of the RTP leg, when one was opened (null: none was). */
  rtpOutcome: RtpLegOutcome | null;
  close(): void;
}

/** The data-channel leg is open in these links (it always is, but where the RTP leg connected alone). */
export function dataChannelOf(links: Links): { sender: PeerLink; receiver: PeerLink } | null {
  return links.sender !== null && links.receiver !== null ? { sender: links.sender, receiver: links.receiver } : null;
}

/** A signalling error that ends the session (not a refusal of one leg's signal: `reflector-error`), or null. */
function sessionRefusal(err: SetupError | null): SetupError | null {
  return err !== null && err.reason !== 'reflector-error' ? err : null;
}

/** What a leg's failure says of whose fact it is (SetupError's reason). */
function failedOutcome(err: SetupError): RtpLegOutcome {
  const by = err.reason === 'relay-refused' ? 'relay' : err.reason === 'browser-unsupported' ? 'browser' : 'server-or-path';
  return { leg: 'failed', error: err.message, by };
}

/**
 * Opens the test's connections, all relay-only. In reflector mode, on one signalling WebSocket
 * to the reflector: the RTP leg first when `openRtp` is given, alone when it connects within
 * `rtpGraceMs`; else (no RTP leg, or it failed or was too slow, then abandoned) the data-channel
 * leg. In loopback mode, two data-channel peers in this process looped through the relay
 * (signaled directly).
 */
export async function connectLinks(s: ConnectSetup): Promise<Links> {
  const common = { SimplePeer: s.SimplePeer, iceServers: s.iceServers, timeoutMs: s.timeoutMs, signal: s.signal, wrtc: s.wrtc };
  if (s.mode === 'reflector') {
    if (!s.signalingUrl) throw new Error('reflector mode needs a signaling URL');
    let accept: (d: SignalData) => void = () => undefined;
    let acceptRtp: (d: SignalData) => void = () => undefined;
    let failRtp: (err: SetupError) => void = () => undefined;
    let signalingError: SetupError | null = null;
    const signalingErrorNow = (): SetupError | null => signalingError;
    const signaling = new SignalingClient(
      s.signalingUrl,
      (d, leg) => (leg === 'rtp' ? acceptRtp(d) : accept(d)),
      (err) => {
        signalingError = err;
        // An RTP leg still connecting fails at once with the server's reason (e.g. no-rtp-leg) rather than at its timeout.
        failRtp(err);
      },
      s.WebSocketImpl,
    );
    let rtpOutcome: RtpLegOutcome | null = null;
    const rtpStart = s.openRtp?.((d) => signaling.send(d, 'rtp')) ?? null;
    if (rtpStart) {
      acceptRtp = rtpStart.accept;
      failRtp = rtpStart.fail;
      const grace = delay(s.rtpGraceMs ?? s.timeoutMs);
      // A leg that cannot connect is an answer (the session falls back with its reason), never a rejection left unhandled.
      const leg = await Promise.race([
        rtpStart.ready.catch((err: unknown) => (err instanceof SetupError ? err : new SetupError('ice-failed', String(err)))),
        grace.promise.then(() => null),
      ]);
      grace.cancel();
      if (leg !== null && !(leg instanceof SetupError)) {
        return {
          sender: null,
          receiver: null,
          control: signaling,
          signalingClosed: signaling.closed,
          rtp: leg,
          rtpOutcome: { leg: 'connected' },
          close: () => {
            leg.close();
            signaling.close();
          },
        };
      }
      if (leg === null) {
        const relayRefusals = rtpStart.relayRefusals();
        rtpStart.fail(new SetupError('ice-failed', `abandoned after its ${s.rtpGraceMs ?? s.timeoutMs} ms grace: the data channel is graded`));
        rtpOutcome = { leg: 'timed-out', relayRefusals };
      } else rtpOutcome = failedOutcome(leg);
      // The session itself was refused or ended (busy, another release, the socket failed, cancelled): no fallback would fare better.
      const fatal = s.signal.aborted
        ? new SetupError('cancelled', 'test cancelled')
        : (sessionRefusal(signalingErrorNow()) ??
          (signaling.ended ? (signalingErrorNow() ?? new SetupError('signaling-failed', 'the server closed the signalling socket')) : null));
      if (fatal !== null) {
        signaling.close();
        throw fatal;
      }
      // The server refused the RTP leg alone (its offer): the session goes on, on the data channel.
      signalingError = null;
    }
    const p = createPeer({ ...common, initiator: true, sendSignal: (d) => signaling.send(d), stream: s.stream, onStep: s.onStep });
    accept = p.accept;
    try {
      const link = await p.ready;
      return {
        sender: link,
        receiver: link,
        control: signaling,
        signalingClosed: signaling.closed,
        rtp: null,
        rtpOutcome,
        close: () => {
          link.close();
          signaling.close();
        },
      };
    } catch (err) {
      signaling.close();
      // Our relay refused the page (its quota, its capacity): the server's "no ICE check" that
      // followed is the consequence, and the refusal the cause the user is told.
      if (err instanceof SetupError && err.reason === 'relay-refused') throw err;
      throw signalingError ?? err;
    }
  }
  let accept1: (d: SignalData) => void = () => undefined;
  let accept2: (d: SignalData) => void = () => undefined;
  const p1 = createPeer({ ...common, initiator: true, sendSignal: (d) => accept2(d), stream: s.stream, onStep: s.onStep });
  const p2 = createPeer({ ...common, initiator: false, sendSignal: (d) => accept1(d) });
  accept1 = p1.accept;
  accept2 = p2.accept;
  const [sender, receiver] = await Promise.all([p1.ready, p2.ready]);
  return {
    sender,
    receiver,
    control: null,
    rtp: null,
    rtpOutcome: null,
    close: () => {
      sender.close();
      receiver.close();
    },
  };
}

/** A timer as a promise, cancelled once it is no longer raced (nothing left pending). */
function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** The reflector's signalling WebSocket URL, with the signalling protocol this page speaks (src/protocol/api.ts). */
export function wsUrl(baseUrl: string, path: string): string {
  const u = new URL(path, baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set(SIGNAL_PROTOCOL_PARAM, String(SIGNAL_PROTOCOL));
  return u.toString();
}
