import { SIGNAL_PROTOCOL_PARAM, SIGNAL_PROTOCOL, type SignalData } from '../protocol/api.js';
import type { TestMode } from '../analysis/schema/input.js';
import { SetupError } from './net/errors.js';
import { createPeer, type PeerLink } from './net/peer.js';
import type { WrtcImpl } from './net/simple-peer.js';
import { SignalingClient, type WebSocketCtor } from './net/signaling.js';
import type { SimplePeerCtor } from './net/simple-peer.js';
import type { RtpLegStart, RtpLink } from './rtp/leg.js';

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
   * Reflector mode: opens the RTP probe leg beside the data-channel leg, its
   * signals tagged `leg: 'rtp'` on the same WebSocket. Without it there is no RTP leg.
   */
  openRtp?(sendSignal: (data: SignalData) => void): RtpLegStart;
}

export interface Links {
  sender: PeerLink;
  receiver: PeerLink;
  /** Resolves with the close reason when the reflector's signaling WebSocket closes (reflector mode). */
  signalingClosed?: Promise<string>;
  /** The RTP leg when one was opened: the link once it connects, or why it could not. */
  rtp: Promise<RtpLink | SetupError> | null;
  /** What the relay refused the RTP leg so far (icecandidateerror entries), while it connects. */
  rtpRelayRefusals?: () => readonly string[];
  /**
   * Gives up on an RTP leg that is still connecting, closing it now: the data channel is graded,
   * and a leg torn down later (at its own timeout) would stall this page in the middle of the
   * graded stream.
   */
  abandonRtp?: (why: string) => void;
  close(): void;
}

/**
 * Opens the test's peer connections, both relay-only: one to the reflector (signaled over
 * its WebSocket), or two in this process looped through the relay (signaled directly).
 */
export async function connectLinks(s: ConnectSetup): Promise<Links> {
  const common = { SimplePeer: s.SimplePeer, iceServers: s.iceServers, timeoutMs: s.timeoutMs, signal: s.signal, wrtc: s.wrtc };
  if (s.mode === 'reflector') {
    if (!s.signalingUrl) throw new Error('reflector mode needs a signaling URL');
    let accept: (d: SignalData) => void = () => undefined;
    let acceptRtp: (d: SignalData) => void = () => undefined;
    let failRtp: (err: SetupError) => void = () => undefined;
    let signalingError: SetupError | null = null;
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
    const p = createPeer({ ...common, initiator: true, sendSignal: (d) => signaling.send(d), withControl: true, stream: s.stream, onStep: s.onStep });
    accept = p.accept;
    const rtpStart = s.openRtp?.((d) => signaling.send(d, 'rtp')) ?? null;
    if (rtpStart) {
      acceptRtp = rtpStart.accept;
      failRtp = rtpStart.fail;
    }
    // A leg that cannot connect is an answer (the session falls back with its reason), never a rejection left unhandled.
    const rtp = rtpStart ? rtpStart.ready.catch((err: unknown) => (err instanceof SetupError ? err : new SetupError('ice-failed', String(err)))) : null;
    const closeRtp = (): void => {
      void rtp?.then((l) => {
        if (!(l instanceof SetupError)) l.close();
      });
    };
    try {
      const link = await p.ready;
      return {
        sender: link,
        receiver: link,
        signalingClosed: signaling.closed,
        rtp,
        ...(rtpStart
          ? { rtpRelayRefusals: () => rtpStart.relayRefusals(), abandonRtp: (why: string) => rtpStart.fail(new SetupError('ice-failed', why)) }
          : {}),
        close: () => {
          link.close();
          closeRtp();
          signaling.close();
        },
      };
    } catch (err) {
      closeRtp();
      signaling.close();
      // Our relay refused the page (its quota, its capacity): the server's "no ICE check" that
      // followed is the consequence, and the refusal the cause the user is told.
      if (err instanceof SetupError && err.reason === 'relay-refused') throw err;
      throw signalingError ?? err;
    }
  }
  let accept1: (d: SignalData) => void = () => undefined;
  let accept2: (d: SignalData) => void = () => undefined;
  const p1 = createPeer({ ...common, initiator: true, sendSignal: (d) => accept2(d), withControl: false, stream: s.stream, onStep: s.onStep });
  const p2 = createPeer({ ...common, initiator: false, sendSignal: (d) => accept1(d), withControl: false });
  accept1 = p1.accept;
  accept2 = p2.accept;
  const [sender, receiver] = await Promise.all([p1.ready, p2.ready]);
  return {
    sender,
    receiver,
    rtp: null,
    close: () => {
      sender.close();
      receiver.close();
    },
  };
}

/** The reflector's signalling WebSocket URL, with the signalling protocol this page speaks (src/protocol/api.ts). */
export function wsUrl(baseUrl: string, path: string): string {
  const u = new URL(path, baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set(SIGNAL_PROTOCOL_PARAM, String(SIGNAL_PROTOCOL));
  return u.toString();
}
