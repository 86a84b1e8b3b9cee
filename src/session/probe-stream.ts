import { encodeControlMessage, encodeProbe, parseControlMessage, ProbeKind, type ControlMessage, type RelayWitness } from '../protocol/wire.js';
import { DEFAULTS } from '../protocol/defaults.js';
import type { DirectionRecords, RoundTripRecords, SenderDiagnostics, SuspectInterval } from '../analysis/measure/records.js';
import type { TestMode } from '../analysis/schema/input.js';
import type { SessionMark } from './timings.js';
import type { PeerLink } from './net/peer.js';
import { SetupError } from './net/errors.js';
import type { PacerLike, PacerOptions, PacerResult } from './pacer/types.js';
import { SentLog } from './collect/sent-log.js';
import { ReflectorCollector } from './collect/reflector-collector.js';
import { LoopCollector } from './collect/loop-collector.js';
import type { LiveFigures } from './collect/live.js';
import { lossTimeoutMs } from './plan.js';
import type { RtpCollector } from './collect/rtp-collector.js';
import type { RtpLink } from './rtp/leg.js';
import { percentile } from '../analysis/measure/percentile.js';

/**
 * The RTP probe stream beside the data-channel one (issue 13, reflector mode): its frames are
 * stamped from the data-channel stream's first probe to its last (the audio clock paces
 * them), its receipts and `rtp-final` come on the same control channel, and when it is given
 * its records are the graded ones (the data-channel stream is then the cross-check).
 */
export interface RtpStreamPart {
  link: RtpLink;
  collector: RtpCollector;
}

export interface StreamSetup {
  mode: TestMode;
  /** Sends the probes. In reflector mode also receives echoes and receipts. */
  sender: PeerLink;
  /** Receives: the same link in reflector mode, pc2 in loopback mode. */
  receiver: PeerLink;
  count: number;
  intervalMs: number;
  payloadBytes: number;
  createPacer(opts: PacerOptions): PacerLike;
  signal: AbortSignal;
  phase(phase: 'streaming' | 'draining', detail: string): void;
  live(figures: LiveFigures): void;
  mark(step: SessionMark): void;
  /** Resolves with a reason when the reflector's signaling connection closes (reflector mode). */
  signalingClosed?: Promise<string>;
  /** The RTP probe stream, graded in place of this one (reflector mode only). */
  rtp?: RtpStreamPart | null;
}

/** The test could not finish: the reflector stopped answering (RFC 8445 §7.3 ICE consent aside, we watch the data). */
export interface ConnectionLoss {
  reason: 'connection-lost';
  /** When the reflector was last heard from, ms after the first probe; null if it never was. */
  atMs: number | null;
  /** What was seen, for the record. */
  detail: string;
}

export interface StreamOutcome {
  lossTimeoutMs: number;
  /** The reflector's inbound-rtp jitter of our audio track (upstream), when it reported one. */
  reflectorInboundJitterMs: number | null;
  /** What the relay saw of our RTP, from the reflector's `final` (null: it saw none, or no embedded relay). */
  relayWitness: RelayWitness | null;
  sender: SenderDiagnostics;
  pacing: PacerResult;
  notes: string[];
  /** Set when the connection was lost mid-test: nothing after its moment is evidence. */
  connectionLost: ConnectionLoss | null;
  /** The records for the analysis; suspect intervals are on this side's clock. */
  build(suspect: SuspectInterval[]): {
    up: DirectionRecords | null;
    down: DirectionRecords | null;
    loop: DirectionRecords | null;
    roundTrip: RoundTripRecords;
    notes: string[];
  };
}

/**
 * More than two probes waiting in a sender's channel buffer means the sender's own SCTP
 * congestion control is queueing them: those stretches are suspect (see sender-queue.ts).
 */
const QUEUED_PROBES_SUSPECT = 2;
/**
 * A probe is dropped at the sender (and counted, never as network loss) rather than queued
 * behind more than this many probes: a media stream does not wait seconds in a local queue,
 * and chunks queued behind SCTP congestion control may be abandoned unseen (PR-SCTP).
 */
const MAX_QUEUED_PROBES = 16;
const FINAL_TIMEOUT_MS = DEFAULTS.finalTallyTimeoutMs;
/**
 * After a sign that the server is gone (its signaling connection closed, the peer connection
 * failed or closed), this long without a datagram from the reflector ends the probe stream
 * early: a test does not keep sending into a dead relay for the rest of its duration.
 */
const SILENCE_AFTER_LOSS_MS = DEFAULTS.silenceAfterLossMs;

/**
 * The probe stream of one test, the same in the page and in Node clients: pace, send,
 * collect echoes and receipts, wait max(1 s, 4 x RTT p99) for late packets, then ask the
 * reflector for its final tally.
 */
export async function streamProbes(s: StreamSetup): Promise<StreamOutcome> {
  const sent = new SentLog(s.count);
  const notes: string[] = [];
  const reflector = s.mode === 'reflector' ? new ReflectorCollector(sent) : null;
  const loop = s.mode === 'loopback' ? new LoopCollector(sent) : null;
  const collector = reflector ?? loop;
  if (!collector) throw new Error(`unknown mode ${s.mode}`);
  // Set from the control channel's message handler.
  const reflectorRtp: { last: Extract<ControlMessage, { type: 'rtp-stats' }> | null } = { last: null };
  let relayWitness: RelayWitness | null = null;
  let finalArrived: () => void = () => undefined;
  const final = new Promise<void>((resolve) => {
    finalArrived = resolve;
  });
  const rtp = reflector ? (s.rtp ?? null) : null;
  let rtpFinalArrived: () => void = () => undefined;
  const rtpFinal = new Promise<void>((resolve) => {
    rtpFinalArrived = resolve;
  });
  const rtpErrors: string[] = [];
  rtp?.link.setSink({
    sent: (probes) => rtp.collector.onSent(probes),
    echoes: (echoes) => {
      rtp.collector.onEchoes(echoes);
      s.mark('firstEcho');
    },
    error: (message) => rtpErrors.push(message),
  });

  // Signs that the server side went away; whether the test is cut is decided by the data.
  let lossSign: string | null = null;
  let streaming = true;
  const sign = (what: string): void => {
    if (streaming && lossSign === null) lossSign = what;
  };
  void s.signalingClosed?.then((why) => sign(`the server closed the signaling connection (${why})`));
  // After the stream `sign` does nothing, so these listeners need no removal.
  s.sender.peer.on('iceStateChange', (ice) => {
    if (ice === 'failed' || ice === 'closed') sign(`ICE ${ice}`);
  });
  s.sender.peer.on('close', () => sign('the peer connection closed'));

  if (reflector) {
    s.receiver.peer.on('data', (chunk: Uint8Array) => {
      reflector.onEcho(chunk, performance.now());
      s.mark('firstEcho');
    });
    s.receiver.control?.addEventListener('message', (ev: MessageEvent<string | ArrayBuffer>) => {
      try {
        if (typeof ev.data === 'string') {
          const msg = parseControlMessage(ev.data);
          if (msg.type === 'final') {
            reflector.onFinal(msg);
            relayWitness = msg.relayWitness ?? null;
            finalArrived();
          } else if (msg.type === 'rtp-final') {
            rtp?.collector.onFinal(msg);
            rtpFinalArrived();
          } else if (msg.type === 'rtp-stats') {
            reflectorRtp.last = msg;
          } else if (msg.type === 'channel' && (msg.ordered || msg.maxRetransmits !== 0)) {
            notes.push(`the reflector saw the probe channel as ordered=${msg.ordered} maxRetransmits=${msg.maxRetransmits}`);
          }
        } else {
          const bytes = new Uint8Array(ev.data);
          // Byte 3 is the kind (wire.ts): RTP receipts go to the RTP stream's evidence.
          if (rtp && bytes[3] === ProbeKind.RtpReceipts) rtp.collector.onReceipts(bytes, performance.now());
          else reflector.onReceipts(bytes, performance.now());
        }
      } catch (err) {
        notes.push(`control channel: ${(err as Error).message}`);
      }
    });
  } else if (loop) {
    s.receiver.peer.on('data', (chunk: Uint8Array) => {
      loop.onProbe(chunk, performance.now());
      s.mark('firstEcho');
    });
  }

  const seconds = Math.round((s.count * s.intervalMs) / 1000);
  const dcRate = Math.round(1000 / s.intervalMs);
  s.phase(
    'streaming',
    rtp
      ? `${Math.round(1000 / rtp.collector.intervalMs)} RTP probes/s (audio frames of ${DEFAULTS.rtp.frameBytes} bytes) for ${seconds} s, data-channel cross-check at ${dcRate}/s`
      : `${dcRate} probes/s of ${s.payloadBytes} bytes for ${seconds} s`,
  );
  const probeBuf = new Uint8Array(s.payloadBytes);
  const queueThreshold = QUEUED_PROBES_SUSPECT * s.payloadBytes;
  const maxBufferedBytes = MAX_QUEUED_PROBES * s.payloadBytes;
  const channel = s.sender.probe;
  const streamStartMs = performance.now();
  let timeoutMs = 1000;
  let stopPacer: () => void = () => undefined;
  let cutShort = false;
  // Live tiles follow the graded stream.
  const shown = rtp ? rtp.collector : collector;
  rtp?.link.arm();
  const liveTimer = setInterval(() => {
    const nowMs = performance.now();
    s.live(shown.liveFigures(nowMs, streamStartMs, timeoutMs));
    if (reflector && lossSign !== null && !cutShort) {
      const heard = reflector.lastHeardAtMs;
      if (Number.isNaN(heard) || nowMs - heard > SILENCE_AFTER_LOSS_MS) {
        cutShort = true;
        stopPacer();
      }
    }
  }, 500);
  try {
    const pacer = s.createPacer({
      intervalMs: s.intervalMs,
      count: s.count,
      onTick: (index, scheduledMs, missedBefore) => {
        if (missedBefore > 0) sent.recordMissed(missedBefore);
        const buffered = channel.bufferedAmount;
        if (buffered > maxBufferedBytes || channel.readyState !== 'open') {
          sent.recordDropped(buffered);
          return;
        }
        const sendMs = performance.now();
        encodeProbe({ seq: sent.wireSeq(index), sendMs }, probeBuf);
        channel.send(probeBuf);
        sent.recordSent(index, sendMs, scheduledMs, buffered);
      },
    });
    stopPacer = () => pacer.stop();
    const abort = (): void => pacer.stop();
    s.signal.addEventListener('abort', abort);
    const pacing = await pacer.done;
    rtp?.link.disarm();
    s.signal.removeEventListener('abort', abort);
    s.mark('lastProbe');
    if (s.signal.aborted) throw new SetupError('cancelled', 'test cancelled');
    notes.push(`paced by ${pacing.method}`);

    timeoutMs = lossTimeoutMs([...collector.rttValues(), ...(rtp?.collector.rttValues() ?? [])]);
    s.phase('draining', `waiting ${Math.round(timeoutMs)} ms for late packets`);
    const lastSendMs = Math.max(sent.lastSendMs, rtp?.collector.lastSendMs ?? Number.NaN);
    const waitUntil = (Number.isNaN(lastSendMs) ? performance.now() : lastSendMs) + timeoutMs;
    await delay(Math.max(0, waitUntil - performance.now()), s.signal);
    let finalCame = false;
    let rtpFinalCame = false;
    if (reflector) {
      if (s.receiver.control?.readyState === 'open') s.receiver.control.send(encodeControlMessage({ type: 'stop' }));
      // With an RTP stream the reflector answers `final` and `rtp-final`, in either order: both are awaited.
      const waitFinal = cutShort
        ? Promise.resolve()
        : Promise.all([
            final.then(() => {
              finalCame = true;
            }),
            rtpFinal.then(() => {
              rtpFinalCame = true;
            }),
          ]);
      if (!rtp) rtpFinalArrived();
      await Promise.race([waitFinal, delay(FINAL_TIMEOUT_MS, s.signal)]);
    }
    // Every batch still in the transform worker, and what it counted.
    const rtpCounts = rtp ? await Promise.race([rtp.link.flush(), delay(FINAL_TIMEOUT_MS, s.signal).then(() => null)]) : null;
    streaming = false;
    // The reflector's final tally is the proof that the session lived to the end; without it,
    // the connection was lost at the last datagram heard, and later probes prove nothing.
    let connectionLost: ConnectionLoss | null = null;
    if (reflector && !finalCame) {
      const heard = reflector.lastHeardAtMs;
      connectionLost = {
        reason: 'connection-lost',
        atMs: Number.isNaN(heard) ? null : Math.max(0, heard - streamStartMs),
        detail: lossSign ?? 'the reflector stopped answering and never sent its final tally',
      };
    }
    s.live(shown.liveFigures(performance.now(), streamStartMs, timeoutMs));
    if (rtp) {
      if (rtpCounts === null) notes.push('the RTP transform worker did not answer its last flush: the last RTP batches may be missing');
      else {
        rtp.collector.countNotEchoes(rtpCounts.passedThrough);
        if (rtpCounts.unstampable > 0) notes.push(`${rtpCounts.unstampable} Opus frames too large to stamp left unstamped`);
        if (rtpCounts.arrivalFromNow > 0) notes.push(`${rtpCounts.arrivalFromNow} RTP echoes timed by the transform (no usable receiveTime)`);
      }
      for (const e of rtpErrors) notes.push(`RTP transform: ${e}`);
    }
    return {
      lossTimeoutMs: timeoutMs,
      reflectorInboundJitterMs: reflectorRtp.last?.inboundJitterMs ?? null,
      relayWitness,
      sender: sent.diagnostics(),
      pacing,
      notes,
      connectionLost,
      build: (suspect) => {
        if (reflector && rtp) {
          // Graded: the RTP stream. The data-channel stream is the round-trip cross-check, in the notes.
          const rtt = reflector.rttValues();
          const crossCheck =
            rtt.length > 0
              ? `data-channel cross-check (${Math.round(1000 / s.intervalMs)} probes/s): round trip p50 ${percentile(rtt, 50).toFixed(1)} ms over ${rtt.length} echoes`
              : 'data-channel cross-check: no echo came back';
          const graded = rtp.collector.build(suspect, connectionLost !== null || !rtpFinalCame);
          return { ...graded, loop: null, notes: [...graded.notes, crossCheck] };
        }
        if (reflector) return { ...reflector.build(suspect, s.intervalMs, queueThreshold, connectionLost !== null), loop: null };
        const b = (loop as LoopCollector).build(suspect, s.intervalMs, queueThreshold);
        return { up: null, down: null, ...b };
      },
    };
  } finally {
    streaming = false;
    clearInterval(liveTimer);
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
