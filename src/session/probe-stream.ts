import { encodeControlMessage, encodeProbe, parseControlMessage, ProbeKind, type ControlMessage, type RelayWitness } from '../protocol/wire.js';
import { DEFAULTS } from '../protocol/defaults.js';
import type { DirectionRecords, RoundTripRecords, SenderDiagnostics, SuspectInterval } from '../analysis/measure/records.js';
import type { TestMode } from '../analysis/schema/input.js';
import type { SessionMark } from './timings.js';
import type { PeerLink } from './net/peer.js';
import { SetupError } from './net/errors.js';
import type { PacerLike, PacerOptions, PacerResult } from './pacer/types.js';
import { SentLog } from './collect/sent-log.js';
import { senderQueueIntervals } from './collect/sender-queue.js';
import { SEND_BUFFER_PROBES } from '../analysis/grade/diagnostics.js';
import { ReflectorCollector } from './collect/reflector-collector.js';
import { LoopCollector } from './collect/loop-collector.js';
import { ProvisionalTracker, type LiveFigures, type ProvisionalPlan } from './collect/live.js';
import { lossTimeoutMs } from './plan/rates.js';
import type { ProvisionalEvidence } from '../analysis/grade/provisional.js';
import type { ProvisionalFacts } from '../analysis/schema/provisional-facts.js';
import type { RtpCollector } from './collect/rtp-collector.js';
import type { RtpLink } from './rtp/leg.js';
import { percentile } from '../analysis/measure/percentile.js';

/**
 * The RTP probe stream beside the data-channel one (reflector mode): its frames are
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
  /** How to read provisional answers while the stream runs; without it none is (compare mode's short streams). */
  provisional?: ProvisionalPlan | null;
  /** The suspect intervals this side knows so far (page hidden, long tasks, path changes), on its clock. */
  suspectSoFar?: () => SuspectInterval[];
  /**
   * The busy-line phase: started `afterMs` after the stream (the idle window), handed the round
   * trips as they come back and a signal that ends it with the stream; the stream stops when it
   * is over (its `count` leaves room for the longest phase).
   */
  busy?: { afterMs: number; run(rttSince: () => number[], signal: AbortSignal): Promise<void> } | null;
}

type StreamRecords = ReturnType<StreamOutcome['build']>;

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
  /** The provisional answers shown while the stream ran, oldest first. */
  provisional: ProvisionalFacts[];
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
  // A send later than one interval of the graded stream is a stall: the same limit as the timer-late warning.
  const sent = new SentLog(s.count, undefined, s.rtp ? s.rtp.collector.intervalMs : s.intervalMs);
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
  // Plain words on the status line; the technical line sits in the live panel's expert layer.
  const method = rtp
    ? `${Math.round(1000 / rtp.collector.intervalMs)} RTP probes/s (audio frames of ${DEFAULTS.rtp.frameBytes} bytes) for ${seconds} s, data-channel cross-check at ${dcRate}/s`
    : `${dcRate} probes/s of ${s.payloadBytes} bytes on an unordered, no-retransmit data channel for ${seconds} s`;
  s.phase('streaming', `sending packets like a call's audio through the relay and back for ${seconds} s`);
  const probeBuf = new Uint8Array(s.payloadBytes);
  const queueThreshold = QUEUED_PROBES_SUSPECT * s.payloadBytes;
  const maxBufferedBytes = MAX_QUEUED_PROBES * s.payloadBytes;
  const channel = s.sender.probe;
  const streamStartMs = performance.now();
  let stopPacer: () => void = () => undefined;
  let cutShort = false;
  let sendErrors = 0;
  // The chart follows the graded stream.
  const shown = rtp ? rtp.collector : collector;
  /** The records of the graded stream as they stand; `cut`: the connection was lost (see the collectors' build). */
  const recordsNow = (suspect: SuspectInterval[], cut: boolean): StreamRecords => {
    if (reflector && rtp) {
      const graded = rtp.collector.build(suspect, cut);
      return { ...graded, loop: null };
    }
    if (reflector) return { ...reflector.build(suspect, s.intervalMs, queueThreshold, cut), loop: null };
    const b = (loop as LoopCollector).build(suspect, s.intervalMs, queueThreshold);
    return { up: null, down: null, ...b };
  };
  /**
   * Where this device fell behind (its warnings), suspect like a hidden page: never graded as the
   * network. The same intervals, as known so far, bound what a provisional answer may claim.
   */
  const deviceSuspect = (): SuspectInterval[] => {
    const rtts = [...collector.rttValues(), ...(rtp?.collector.rttValues() ?? [])];
    const leadMs = rtts.length > 0 ? percentile(rtts, 50) : 0;
    return [
      ...sent.stallIntervals(s.intervalMs, leadMs),
      // Graded on RTP, the data channel's own queue is not in its records: marked here.
      ...(rtp ? senderQueueIntervals(sent.queuedSends(), SEND_BUFFER_PROBES * s.payloadBytes, s.intervalMs) : []),
    ];
  };
  const tracker = s.provisional ? new ProvisionalTracker(s.provisional) : null;
  const evidenceAt = (plan: ProvisionalPlan, atMs: number): ProvisionalEvidence => {
    const r = recordsNow([...(s.suspectSoFar?.() ?? []), ...deviceSuspect()], false);
    // As of the tick, never ahead of now: a timer a few ms early must not judge probes whose echo may still come.
    const clientNow = Math.min(performance.now(), plan.testStartMs + atMs);
    const ahead = shown.clockOffsetMs();
    const rtts = [...collector.rttValues(), ...(rtp?.collector.rttValues() ?? [])];
    const client = r.up ?? r.loop;
    return {
      atMs,
      lossTimeoutMs: lossTimeoutMs(rtts),
      directions: [
        ...(r.up ? [{ name: 'up' as const, records: r.up, senderNowMs: clientNow, testStartMs: plan.testStartMs }] : []),
        ...(r.down ? [{ name: 'down' as const, records: r.down, senderNowMs: clientNow + ahead, testStartMs: plan.testStartMs + ahead }] : []),
        ...(r.loop ? [{ name: 'loop' as const, records: r.loop, senderNowMs: clientNow, testStartMs: plan.testStartMs }] : []),
      ],
      roundTrip: { samples: r.roundTrip.samples, suspect: client?.suspect ?? [] },
    };
  };
  const liveNow = (nowMs: number): LiveFigures => ({
    ...shown.liveFigures(nowMs, streamStartMs),
    provisional: tracker?.view ?? null,
    method,
    mainThreadSender: rtp === null,
  });
  let liveTimer: ReturnType<typeof setTimeout> | undefined;
  // Provisional answers speak of the idle line only: none is read once a busy-line phase may have loaded it.
  const idleEndMs = s.busy ? streamStartMs + s.busy.afterMs : Infinity;
  const tick = (): void => {
    const nowMs = performance.now();
    if (tracker && s.provisional && nowMs < idleEndMs) tracker.tick(evidenceAt(s.provisional, tracker.tickAt(nowMs)));
    s.live(liveNow(nowMs));
    if (reflector && lossSign !== null && !cutShort) {
      const heard = reflector.lastHeardAtMs;
      if (Number.isNaN(heard) || nowMs - heard > SILENCE_AFTER_LOSS_MS) {
        cutShort = true;
        stopPacer();
      }
    }
    // Ticks keep to the half seconds of the test (provisional answers are read as of those moments).
    const next = tracker ? tracker.nextTickMs(performance.now()) : performance.now() + 500;
    liveTimer = setTimeout(tick, Math.max(0, next - performance.now()));
  };
  rtp?.link.arm();
  liveTimer = setTimeout(tick, Math.max(0, (tracker ? tracker.nextTickMs(streamStartMs) : streamStartMs + 500) - performance.now()));
  try {
    const pacer = s.createPacer({
      intervalMs: s.intervalMs,
      count: s.count,
      onTick: (index, scheduledMs, missedBefore) => {
        if (missedBefore > 0) sent.recordMissed(missedBefore, scheduledMs);
        const buffered = channel.bufferedAmount;
        if (buffered > maxBufferedBytes || channel.readyState !== 'open') {
          sent.recordDropped(buffered, scheduledMs);
          return;
        }
        const sendMs = performance.now();
        encodeProbe({ seq: sent.wireSeq(index), sendMs }, probeBuf);
        try {
          channel.send(probeBuf);
        } catch (err) {
          // The browser refused the send (its channel, not the network): dropped at the sender, counted, said once.
          sent.recordDropped(buffered, scheduledMs);
          if (sendErrors++ === 0) notes.push(`the browser refused to send a probe (${errorText(err)}): such probes count as dropped at the sender`);
          return;
        }
        sent.recordSent(index, sendMs, scheduledMs, buffered);
      },
    });
    stopPacer = () => pacer.stop();
    const abort = (): void => pacer.stop();
    s.signal.addEventListener('abort', abort);
    const busy = s.busy
      ? startBusy(
          s.busy,
          shown,
          () => !cutShort && !s.signal.aborted,
          () => pacer.stop(),
        )
      : null;
    const pacing = await pacer.done;
    await busy?.end();
    rtp?.link.disarm();
    s.signal.removeEventListener('abort', abort);
    s.mark('lastProbe');
    if (s.signal.aborted) throw new SetupError('cancelled', 'test cancelled');
    notes.push(`paced by ${pacing.method}`);

    const timeoutMs = lossTimeoutMs([...collector.rttValues(), ...(rtp?.collector.rttValues() ?? [])]);
    s.phase('draining', `collecting the last packets still on their way (up to ${(timeoutMs / 1000).toFixed(1)} s)`);
    const lastSendMs = Math.max(sent.lastSendMs, rtp?.collector.lastSendMs ?? Number.NaN);
    const waitUntil = (Number.isNaN(lastSendMs) ? performance.now() : lastSendMs) + timeoutMs;
    await delay(Math.max(0, waitUntil - performance.now()), s.signal);
    let finalCame = false;
    let rtpFinalCame = false;
    // Set when the page could not ask for the final tally: its own failure, not the server's.
    let stopRefused: string | null = null;
    if (reflector) {
      try {
        if (s.receiver.control?.readyState === 'open') s.receiver.control.send(encodeControlMessage({ type: 'stop' }));
      } catch (err) {
        stopRefused = errorText(err);
        notes.push(
          `the browser refused to send the stop on the control channel (${stopRefused}): no final tally, so the evidence ends at the reflector's last receipt`,
        );
      }
      // With an RTP stream the reflector answers `final` and `rtp-final`, in either order: both are awaited.
      const waitFinal =
        cutShort || stopRefused !== null
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
    const rtpCounts = rtp ? await flushRtp(rtp.link, s.signal, notes) : null;
    streaming = false;
    // The reflector's final tally is the proof that the session lived to the end; without it,
    // the connection was lost at the last datagram heard, and later probes prove nothing.
    // When the page itself could not ask for it, nothing says the server went: the evidence is
    // cut at the last receipt all the same, and graded.
    let connectionLost: ConnectionLoss | null = null;
    const tallyMissing = reflector !== null && !finalCame;
    if (reflector && !finalCame && (stopRefused === null || lossSign !== null || cutShort)) {
      const heard = reflector.lastHeardAtMs;
      connectionLost = {
        reason: 'connection-lost',
        atMs: Number.isNaN(heard) ? null : Math.max(0, heard - streamStartMs),
        detail: lossSign ?? 'the reflector stopped answering and never sent its final tally',
      };
    }
    clearTimeout(liveTimer);
    s.live(liveNow(performance.now()));
    if (rtp) {
      if (rtpCounts === null) notes.push('the RTP transform worker did not answer its last flush: the last RTP batches may be missing');
      else {
        rtp.collector.countNotEchoes(rtpCounts.passedThrough);
        if (rtpCounts.unstampable > 0) notes.push(`${rtpCounts.unstampable} Opus frames too large to stamp left unstamped`);
        if (rtpCounts.arrivalFromNow > 0)
          notes.push(
            `${rtpCounts.arrivalFromNow} RTP echoes timed by the transform worker's clock, not the frame's receiveTime (none usable, or arrivals=worker)`,
          );
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
      provisional: tracker?.history() ?? [],
      build: (given) => {
        const suspect = [...given, ...deviceSuspect()];
        if (reflector && rtp) {
          // Graded: the RTP stream. The data-channel stream is the round-trip cross-check, in the notes.
          const rtt = reflector.rttValues();
          const crossCheck =
            rtt.length > 0
              ? `data-channel cross-check (${Math.round(1000 / s.intervalMs)} probes/s): round trip p50 ${percentile(rtt, 50).toFixed(1)} ms over ${rtt.length} echoes`
              : 'data-channel cross-check: no echo came back';
          const graded = recordsNow(suspect, tallyMissing || !rtpFinalCame);
          return { ...graded, notes: [...graded.notes, crossCheck] };
        }
        return recordsNow(suspect, tallyMissing);
      },
    };
  } finally {
    streaming = false;
    clearTimeout(liveTimer);
  }
}

/** The worker's last batches and counts; null when it did not answer in time or could not be asked (said in the notes). */
async function flushRtp(link: RtpLink, signal: AbortSignal, notes: string[]): Promise<Awaited<ReturnType<RtpLink['flush']>> | null> {
  try {
    return await Promise.race([link.flush(), delay(FINAL_TIMEOUT_MS, signal).then(() => null)]);
  } catch (err) {
    notes.push(`the RTP transform worker could not be flushed (${errorText(err)})`);
    return null;
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** Starts the busy-line phase after the idle window (unless the stream was cut by then); `end` stops it and waits for it. */
function startBusy(
  busy: NonNullable<StreamSetup['busy']>,
  shown: { rttValues(): number[] },
  stillOn: () => boolean,
  stopStream: () => void,
): { end(): Promise<void> } {
  const ctrl = new AbortController();
  let seen = 0;
  const rttSince = (): number[] => {
    const all = shown.rttValues();
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
  let running: Promise<void> | null = null;
  const timer = setTimeout(() => {
    if (!stillOn()) return;
    running = busy.run(rttSince, ctrl.signal).finally(stopStream);
  }, busy.afterMs);
  return {
    end: async () => {
      clearTimeout(timer);
      ctrl.abort();
      await running;
    },
  };
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
