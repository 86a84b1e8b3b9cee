/**
 * The RTP probe leg: a plain relay-only RTCPeerConnection to the server's RTP
 * reflector with one sendrecv audio transceiver carrying the page's audio track, both
 * directions through the transform worker (transform.worker.ts). The page offers; signals are
 * tagged `leg: 'rtp'` on the session's one signaling WebSocket (src/protocol/api.ts).
 * Only the page loads this module (src/web/session-env.ts), and only when a test starts.
 */
import type { SignalData } from '../../protocol/api.js';
import { CONSTANTS } from '../../protocol/defaults.js';
import { SetupError, relayRefusals } from '../net/errors.js';
import type { MainToRtpWorker, RtpEchoRecord, RtpTransformOptions, RtpWorkerCounts, RtpWorkerToMain } from './messages.js';

export interface RtpLegSetup {
  iceServers: RTCIceServer[];
  /** The page's audio: its first audio track is the one stamped. */
  stream: MediaStream;
  sendSignal(data: SignalData): void;
  timeoutMs: number;
  signal: AbortSignal;
  /** 'worker': time every echo by the worker's clock, even where the frame has a receiveTime. */
  arrivals: 'receive-time' | 'worker';
  /** Told when ICE connects and when DTLS is up too (connectionState 'connected', W3C webrtc-pc §4.3.3), for the report's setupMs. */
  onStep?(step: 'iceConnected' | 'dtls'): void;
}

/** What the session reads from the worker: stamped probes and echoes, in batches. */
interface RtpSink {
  sent(probes: ReadonlyArray<readonly [number, number]>): void;
  echoes(echoes: readonly RtpEchoRecord[]): void;
  error(message: string): void;
}

/** A connected RTP leg. */
export interface RtpLink {
  pc: RTCPeerConnection;
  /**
   * Whether the browser took the ask to mark the leg's audio EF (`networkPriority: 'high'` on its
   * encoding, W3C WebRTC Priority Control; Chromium marks it EF): false where the browser has no
   * such setting (Firefox, Safari).
   */
  marked: boolean;
  /** Where the worker's batches go (set before `arm`). */
  setSink(sink: RtpSink): void;
  /** Starts stamping frames (probeSeq 0 is the next frame). */
  arm(): void;
  /** Stops stamping for good: later frames leave as plain Opus. */
  disarm(): void;
  /** Every batch pending in the worker delivered to the sink; the worker's counts. */
  flush(): Promise<RtpWorkerCounts>;
  close(): void;
}

/** An RTP leg being set up: `accept` takes the reflector's answer and candidates. */
export interface RtpLegStart {
  accept(data: SignalData): void;
  /** What the relay refused the leg so far (icecandidateerror entries: relayRefusals). */
  relayRefusals(): readonly string[];
  /** The server refused something on the signaling socket while the leg connects: it fails now, with that reason. */
  fail(err: SetupError): void;
  ready: Promise<RtpLink>;
}

/** A leg that could not even be set up: `ready` says why. */
function failedLeg(err: SetupError): RtpLegStart {
  const ready = Promise.reject(err);
  return { accept: () => undefined, fail: () => undefined, relayRefusals: () => [], ready };
}

/**
 * Opens the RTP leg; `ready` rejects with a SetupError (the session then falls back to the
 * data channel), also when the browser refuses the worker, the transceiver or a transform.
 */
export function openRtpLeg(setup: RtpLegSetup): RtpLegStart {
  const track = setup.stream.getAudioTracks()[0];
  // What this browser could not do is its own fact (browser-unsupported), never the test server's nor the path's.
  if (!track) return failedLeg(new SetupError('browser-unsupported', 'the audio stream has no track'));
  let worker: Worker | null = null;
  let pc: RTCPeerConnection | null = null;
  let sender: RTCRtpSender;
  try {
    worker = new Worker(new URL('./transform.worker.ts', import.meta.url), { type: 'module', name: 'callprobe-rtp' });
    pc = new RTCPeerConnection({ iceServers: setup.iceServers, iceTransportPolicy: 'relay' });
    const options = (side: RtpTransformOptions['side']): RtpTransformOptions => ({
      side,
      mainTimeOriginMs: performance.timeOrigin,
      frameBytes: CONSTANTS.rtp.frameBytes,
      batchMs: CONSTANTS.rtp.workerBatchMs,
      useReceiveTime: setup.arrivals === 'receive-time',
    });
    // Marked EF, as Teams marks its audio where QoS is configured (Microsoft's "Implement Quality of Service in Microsoft Teams"): the relay counts what arrives.
    const tx = pc.addTransceiver(track, { direction: 'sendrecv', streams: [setup.stream], sendEncodings: [{ networkPriority: 'high' }] });
    // Attached before the offer: on the offering side the receiver exists now (an answerer would attach in ontrack).
    tx.sender.transform = new RTCRtpScriptTransform(worker, options('send'));
    tx.receiver.transform = new RTCRtpScriptTransform(worker, options('receive'));
    sender = tx.sender;
  } catch (err) {
    pc?.close();
    worker?.terminate();
    return failedLeg(new SetupError('browser-unsupported', `could not set up the RTP leg: ${err instanceof Error ? err.message : String(err)}`));
  }
  return connectLeg(setup, worker, pc, sender);
}

/** Signals, connects and serves a set-up leg (`sender` its audio's). */
function connectLeg(setup: RtpLegSetup, worker: Worker, pc: RTCPeerConnection, sender: RTCRtpSender): RtpLegStart {
  let sink: RtpSink | null = null;
  const flushes = new Map<number, (c: RtpWorkerCounts) => void>();
  let flushId = 0;
  worker.onmessage = (ev: MessageEvent<RtpWorkerToMain>) => {
    const msg = ev.data;
    if (msg.type === 'sent') sink?.sent(msg.probes);
    else if (msg.type === 'echoes') sink?.echoes(msg.echoes);
    else if (msg.type === 'error') sink?.error(msg.message);
    else {
      flushes.get(msg.id)?.(msg.counts);
      flushes.delete(msg.id);
    }
  };
  const post = (m: MainToRtpWorker): void => worker.postMessage(m);
  const close = (): void => {
    pc.close();
    worker.terminate();
  };

  const iceErrors: string[] = [];
  pc.addEventListener('icecandidateerror', (ev: Event) => {
    const e = ev as RTCPeerConnectionIceErrorEvent;
    iceErrors.push(`${e.url || 'TURN'}: ${e.errorCode} ${e.errorText}`.trim());
  });
  pc.addEventListener('icecandidate', (ev: RTCPeerConnectionIceEvent) => {
    const c = ev.candidate;
    if (c && c.candidate) setup.sendSignal({ type: 'candidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } });
  });
  let remoteSet = false;
  const pending: RTCIceCandidateInit[] = [];
  const addCandidate = (c: RTCIceCandidateInit): void => {
    pc.addIceCandidate(c).catch((err: unknown) => iceErrors.push(`remote candidate refused: ${String(err)}`));
  };

  let failLeg: (err: SetupError) => void = () => undefined;
  const ready = new Promise<RtpLink>((resolve, reject) => {
    let settled = false;
    const fail = (failLeg = (err: SetupError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      reject(err);
    });
    const timer = setTimeout(() => {
      const refused = relayRefusals(iceErrors);
      if (refused.length > 0) {
        fail(new SetupError('relay-refused', `the test server's relay refused the RTP leg: ${refused.join('; ')}`));
        return;
      }
      const seen = iceErrors.length > 0 ? `: ${iceErrors.join('; ')}` : '';
      fail(new SetupError('ice-failed', `the RTP leg did not connect within ${setup.timeoutMs} ms (ICE ${pc.iceConnectionState})${seen}`));
    }, setup.timeoutMs);
    setup.signal.addEventListener('abort', () => fail(new SetupError('cancelled', 'test cancelled')));
    worker.onerror = (ev) => fail(new SetupError('browser-unsupported', `the RTP transform worker failed: ${ev.message}`));
    pc.addEventListener('iceconnectionstatechange', () => {
      if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') setup.onStep?.('iceConnected');
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') fail(new SetupError('ice-failed', 'the RTP leg failed (ICE/DTLS)'));
      if (pc.connectionState !== 'connected' || settled) return;
      setup.onStep?.('dtls');
      settled = true;
      clearTimeout(timer);
      resolve({
        pc,
        marked: sender.getParameters().encodings[0]?.networkPriority === 'high',
        setSink: (s) => {
          sink = s;
        },
        arm: () => post({ type: 'arm' }),
        disarm: () => post({ type: 'disarm' }),
        flush: () =>
          new Promise<RtpWorkerCounts>((res) => {
            const id = ++flushId;
            flushes.set(id, res);
            post({ type: 'flush', id });
          }),
        close,
      });
    });
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .then(() => {
        const local = pc.localDescription;
        if (!local) throw new Error('no local description after setLocalDescription');
        setup.sendSignal({ type: local.type, sdp: local.sdp });
      })
      .catch((err: unknown) => fail(new SetupError('browser-unsupported', `could not make the RTP offer: ${String(err)}`)));
  });

  return {
    fail: (err) => failLeg(err),
    relayRefusals: () => relayRefusals(iceErrors),
    accept: (data) => {
      if (data.type === 'answer' && typeof data.sdp === 'string') {
        pc.setRemoteDescription({ type: 'answer', sdp: data.sdp })
          .then(() => {
            remoteSet = true;
            for (const c of pending.splice(0)) addCandidate(c);
          })
          .catch((err: unknown) => failLeg(new SetupError('reflector-error', `the reflector's RTP answer was refused: ${String(err)}`)));
      } else if (data.type === 'candidate' && data.candidate) {
        if (remoteSet) addCandidate(data.candidate);
        else pending.push(data.candidate);
      }
    },
    ready,
  };
}
