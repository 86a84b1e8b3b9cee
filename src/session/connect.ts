import { SIGNAL_PROTOCOL_PARAM, SIGNAL_PROTOCOL, type SignalData } from '../protocol/api.js';
import { CONSTANTS } from '../protocol/defaults.js';
import type { TestMode } from '../analysis/schema/input.js';
import type { RtpAttempt } from '../analysis/schema/report-schema.js';
import { SetupError } from './net/errors.js';
import { createPeer, type PeerLink } from './net/peer.js';
import type { WrtcImpl } from './net/simple-peer.js';
import { SignalingClient, type ControlPort, type RtpWord, type WebSocketCtor } from './net/signaling.js';
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
  /** How long a connected RTP leg waits for the reflector's word that it carries the page's audio (default CONSTANTS.rtp.liveWaitMs). */
  rtpLiveWaitMs?: number;
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
    if (s.openRtp) {
      const openRtp = s.openRtp;
      const rtp = await openRtpLegs(s, signaling, () => {
        const start = openRtp((d) => signaling.send(d, 'rtp'));
        acceptRtp = start.accept;
        failRtp = start.fail;
        return start;
      });
      const leg = rtp.link;
      if (leg !== null) {
        return {
          sender: null,
          receiver: null,
          control: signaling,
          signalingClosed: signaling.closed,
          rtp: leg,
          rtpOutcome: rtp.outcome,
          close: () => {
            leg.close();
            signaling.close();
          },
        };
      }
      rtpOutcome = rtp.outcome;
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

/** What became of the RTP leg's attempts: the link it is graded on (null: none), and the outcome for the report. */
interface RtpLegs {
  link: RtpLink | null;
  outcome: RtpLegOutcome;
}

/** `outcome` with the attempts kept when the leg was opened more than once. */
const withAttempts = (outcome: RtpLegOutcome, attempts: readonly RtpAttempt[]): RtpLegOutcome => (attempts.length > 1 ? { ...outcome, attempts } : outcome);

/**
 * The RTP leg, opened first and alone (`open` opens one): connected within its grace, then
 * confirmed by the reflector (`rtp-live`: it receives this page's audio) within
 * `rtpLiveWaitMs`, or taken without a word from a server that sends none (an older release).
 * When the reflector ends the leg with none of the page's audio after DTLS (`rtp-retry`: our
 * failure, never the network's), it is opened once more (CONSTANTS.rtp.legAttempts), and the
 * outcome keeps each attempt. A leg that did not connect or failed ends the attempts as before:
 * the session falls back to the data channel with its reason.
 */
async function openRtpLegs(s: ConnectSetup, signaling: SignalingClient, open: () => RtpLegStart): Promise<RtpLegs> {
  const graceMs = s.rtpGraceMs ?? s.timeoutMs;
  const attempts: RtpAttempt[] = [];
  let heard: (word: RtpWord) => void = () => undefined;
  signaling.onRtpWord((word) => heard(word));
  for (let n = 1; ; n++) {
    const startedMs = performance.now();
    const took = (): number => Math.round(performance.now() - startedMs);
    const start = open();
    let onLive: () => void = () => undefined;
    let onRetry: (word: Extract<RtpWord, { type: 'rtp-retry' }>) => void = () => undefined;
    const live = new Promise<'carried'>((resolve) => (onLive = () => resolve('carried')));
    const retry = new Promise<Extract<RtpWord, { type: 'rtp-retry' }>>((resolve) => (onRetry = resolve));
    heard = (word) => (word.type === 'rtp-live' ? onLive() : onRetry(word));
    const grace = delay(graceMs);
    // A leg that cannot connect is an answer (the session falls back with its reason), never a rejection left unhandled.
    const leg = await Promise.race([
      start.ready.catch((err: unknown) => (err instanceof SetupError ? err : new SetupError('ice-failed', String(err)))),
      grace.promise.then(() => null),
      retry,
    ]);
    grace.cancel();
    if (leg === null) {
      const relayRefusals = start.relayRefusals();
      start.fail(new SetupError('ice-failed', `abandoned after its ${graceMs} ms grace: the data channel is graded`));
      attempts.push({ outcome: 'not-connected', tookMs: took() });
      return { link: null, outcome: withAttempts({ leg: 'timed-out', relayRefusals }, attempts) };
    }
    if (leg instanceof SetupError) {
      attempts.push({ outcome: 'failed', tookMs: took() });
      return { link: null, outcome: withAttempts(failedOutcome(leg), attempts) };
    }
    let ended: Extract<RtpWord, { type: 'rtp-retry' }>;
    if ('type' in leg) {
      // The reflector ended the leg before this page saw it connect.
      start.fail(new SetupError('ice-failed', `the reflector ended the RTP leg: ${leg.reason}`));
      ended = leg;
    } else {
      const wait = delay(s.rtpLiveWaitMs ?? CONSTANTS.rtp.liveWaitMs);
      const word = await Promise.race([live, retry, wait.promise.then(() => 'unconfirmed' as const)]);
      wait.cancel();
      if (word === 'carried' || word === 'unconfirmed') {
        attempts.push({ outcome: word, tookMs: took() });
        return { link: leg, outcome: withAttempts({ leg: 'connected' }, attempts) };
      }
      leg.close();
      ended = word;
    }
    attempts.push({ outcome: 'no-media', tookMs: took() });
    if (n < CONSTANTS.rtp.legAttempts) continue;
    const error = `the test server received none of this page's audio on it (${ended.reason}), ${n} times`;
    return { link: null, outcome: withAttempts({ leg: 'failed', error, by: 'server-or-path' }, attempts) };
  }
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
