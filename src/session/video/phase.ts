/**
 * The video phase (`run --video`, the page's video option): after the voice probes, on a
 * signalling session of its own (kind `video`), one relay-only peer connection through the test's
 * own relay entry sends a synthetic video track (its encoder capped at CONSTANTS.video.maxUpKbps,
 * its rate left to the browser's congestion control, as a call's) while the reflector sends its
 * scheduled stream back. The page samples what it sent and received every bin; the reflector
 * counts what arrived of the page's video and tells it at the page's `stop`.
 */
import { SIGNAL_KIND_PARAM, type SignalData } from '../../protocol/api.js';
import { CONSTANTS } from '../../protocol/defaults.js';
import { parseControlMessage, type VideoTally } from '../../protocol/wire.js';
import type { VideoEvidence, VideoReceiveSample, VideoSendSample } from '../../analysis/schema/video-input.js';
import { TypedError } from '../../protocol/typed-error.js';
import { relayRefusals } from '../net/errors.js';
import { SignalingClient, type WebSocketCtor } from '../net/signaling.js';

/** Why the video phase could not measure: the server refused it (busy, its hour spent), its leg did not connect, or no tally came. */
type VideoPhaseFailure = 'refused' | 'not-connected' | 'no-tally' | 'cancelled' | 'browser-unsupported';
class VideoPhaseError extends TypedError<VideoPhaseFailure> {
  override readonly name = 'VideoPhaseError';
}

/** A synthetic video track (src/web/video-source.ts): high-entropy frames, so the encoder has something to send. */
export interface VideoSource {
  track: MediaStreamTrack;
  stop(): void;
}

export interface VideoPhaseSetup {
  /** The reflector's signalling URL (wsUrl of the test server's reflectorPath). */
  signalingUrl: string;
  iceServer: RTCIceServer;
  openSource(): VideoSource;
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection;
  connectTimeoutMs: number;
  signal: AbortSignal;
  now(): number;
  WebSocketImpl?: WebSocketCtor;
}

/** Resolves after `ms`, or at once when the phase is stopped. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

interface StatsRow {
  type: string;
  kind?: string;
  state?: string;
  nominated?: boolean;
  bytesSent?: number;
  headerBytesSent?: number;
  bytesReceived?: number;
  headerBytesReceived?: number;
  packetsReceived?: number;
  packetsLost?: number;
  qualityLimitationReason?: string;
  frameHeight?: number;
  availableOutgoingBitrate?: number;
}

/** One getStats reading of the phase's peer connection: what it sent and what it received so far. */
async function sample(pc: RTCPeerConnection, tMs: number): Promise<{ send: VideoSendSample; receive: VideoReceiveSample }> {
  const report = await pc.getStats();
  const send: VideoSendSample = { tMs, bytes: 0, availableOutgoingKbps: null, limitation: null, frameHeight: null };
  const receive: VideoReceiveSample = { tMs, bytes: 0, packets: 0, lost: 0 };
  report.forEach((raw: unknown) => {
    const s = raw as StatsRow;
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      send.bytes += (s.bytesSent ?? 0) + (s.headerBytesSent ?? 0);
      send.limitation = s.qualityLimitationReason ?? null;
      send.frameHeight = s.frameHeight ?? null;
    } else if (s.type === 'inbound-rtp' && s.kind === 'video') {
      receive.bytes += (s.bytesReceived ?? 0) + (s.headerBytesReceived ?? 0);
      receive.packets += s.packetsReceived ?? 0;
      receive.lost += Math.max(0, s.packetsLost ?? 0);
    } else if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true && s.availableOutgoingBitrate !== undefined) {
      // getStats gives bits per second: converted here, once.
      send.availableOutgoingKbps = s.availableOutgoingBitrate / 1000;
    }
  });
  return { send, receive };
}

/** Runs the video phase; throws VideoPhaseError with the reason when it could not measure. */
export async function runVideoPhase(s: VideoPhaseSetup): Promise<VideoEvidence> {
  const url = new URL(s.signalingUrl);
  url.searchParams.set(SIGNAL_KIND_PARAM, 'video');
  const v = CONSTANTS.video;
  let source: VideoSource;
  try {
    source = s.openSource();
  } catch (err) {
    throw new VideoPhaseError('browser-unsupported', `no video track could be made: ${err instanceof Error ? err.message : String(err)}`);
  }
  const pc = s.createPeerConnection({ iceServers: [s.iceServer], iceTransportPolicy: 'relay' });
  let failed: VideoPhaseError | null = null;
  let onFail: () => void = () => undefined;
  const fail = (err: VideoPhaseError): void => {
    failed ??= err;
    onFail();
  };
  let remoteSet = false;
  const pending: RTCIceCandidateInit[] = [];
  const iceErrors: string[] = [];
  const addCandidate = (c: RTCIceCandidateInit): void => {
    pc.addIceCandidate(c).catch((err: unknown) => iceErrors.push(`remote candidate refused: ${String(err)}`));
  };
  const accept = (data: SignalData): void => {
    if (data.type === 'answer' && typeof data.sdp === 'string') {
      pc.setRemoteDescription({ type: 'answer', sdp: data.sdp })
        .then(() => {
          remoteSet = true;
          for (const c of pending.splice(0)) addCandidate(c);
        })
        .catch((err: unknown) => fail(new VideoPhaseError('refused', `the reflector's video answer was refused: ${String(err)}`)));
    } else if (data.type === 'candidate' && data.candidate) {
      if (remoteSet) addCandidate(data.candidate);
      else pending.push(data.candidate);
    }
  };
  const signaling = new SignalingClient(
    url.toString(),
    (data, leg) => {
      if (leg === 'rtp') accept(data);
    },
    (err) => fail(new VideoPhaseError('refused', err.message)),
    s.WebSocketImpl,
  );
  let tally: VideoTally | null = null;
  let gotTally: () => void = () => undefined;
  signaling.onMessage((data) => {
    if (typeof data !== 'string' || !data.includes('"video-tally"')) return;
    const m = parseControlMessage(data);
    if (m.type === 'video-tally') {
      tally = m;
      gotTally();
    }
  });
  try {
    pc.addEventListener('icecandidateerror', (ev: Event) => {
      const e = ev as RTCPeerConnectionIceErrorEvent;
      iceErrors.push(`${e.url || 'TURN'}: ${e.errorCode} ${e.errorText}`.trim());
    });
    pc.addEventListener('icecandidate', (ev: RTCPeerConnectionIceEvent) => {
      const c = ev.candidate;
      if (c && c.candidate)
        signaling.send({ type: 'candidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } }, 'rtp');
    });
    pc.addTransceiver(source.track, { direction: 'sendrecv', sendEncodings: [{ maxBitrate: v.maxUpKbps * 1000 }] });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    signaling.send({ type: 'offer', sdp: pc.localDescription?.sdp ?? offer.sdp ?? '' }, 'rtp');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const refused = relayRefusals(iceErrors);
        const why = refused.length > 0 ? `the relay refused it: ${refused.join('; ')}` : `ICE ${pc.iceConnectionState}`;
        reject(new VideoPhaseError('not-connected', `the video leg did not connect within ${s.connectTimeoutMs} ms (${why})`));
      }, s.connectTimeoutMs);
      onFail = () => {
        clearTimeout(timer);
        reject(failed ?? new VideoPhaseError('not-connected', 'the video leg failed'));
      };
      if (failed !== null) onFail();
      s.signal.addEventListener('abort', () => fail(new VideoPhaseError('cancelled', 'test cancelled')), { once: true });
      pc.addEventListener('connectionstatechange', () => {
        if (pc.connectionState === 'failed') fail(new VideoPhaseError('not-connected', 'the video leg failed (ICE/DTLS)'));
        if (pc.connectionState === 'connected') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    onFail = () => undefined;
    const t0 = s.now();
    const sends: VideoSendSample[] = [];
    const receives: VideoReceiveSample[] = [];
    for (let i = 0; i <= Math.round((v.seconds * 1000) / v.binMs) && !s.signal.aborted; i++) {
      const due = t0 + i * v.binMs;
      await wait(Math.max(0, due - s.now()), s.signal);
      const got = await sample(pc, s.now() - t0);
      sends.push(got.send);
      receives.push(got.receive);
    }
    if (s.signal.aborted) throw new VideoPhaseError('cancelled', 'test cancelled');
    const tallied = new Promise<void>((resolve) => {
      gotTally = resolve;
      if (tally !== null) resolve();
    });
    signaling.stop();
    await Promise.race([tallied, wait(CONSTANTS.video.tallyWaitMs, s.signal)]);
    const t = tally as VideoTally | null;
    if (t === null) throw new VideoPhaseError('no-tally', `the reflector's tally of the video did not come within ${CONSTANTS.video.tallyWaitMs} ms`);
    return {
      seconds: v.seconds,
      binMs: v.binMs,
      windowMs: v.windowMs,
      up: { bins: t.upBins, packets: t.upPackets, expected: t.upExpected, binPackets: t.upBinPackets, binExpected: t.upBinExpected },
      upSent: sends,
      down: receives,
      downStepsKbps: v.downStepsKbps,
      downSent: t.downBins,
      downStepMs: v.downStepMs,
      maxUpKbps: v.maxUpKbps,
    };
  } finally {
    pc.close();
    signaling.close();
    source.stop();
  }
}
