import { SetupError } from './net/errors.js';
import { SentLog } from './collect/sent-log.js';
import { lossTimeoutMs } from './plan/rates.js';
import { drain, rtpNotes } from './stream/drain.js';
import { probePacer, startBusy } from './stream/pacing.js';
import { Progress } from './stream/progress.js';
import { Receiving } from './stream/receiving.js';
import type { StreamOutcome, StreamSetup } from './stream/types.js';
import { ConnectionWatchdog } from './stream/watchdog.js';

/** Round trips the wait for late packets is taken from, per stream: the last 2 s at 100 probes/s. */
const DRAIN_RTT_SAMPLES = 200;

export type { StreamOutcome, StreamSetup } from './stream/types.js';

/**
 * The probe stream of one test, the same in the page and in Node clients: pace, send,
 * collect echoes and receipts, wait max(1 s, 4 x RTT p99) for late packets, then ask the
 * reflector for its final tally. Its parts are in stream/: the send loop (pacing.ts), the
 * echoes and receipts (receiving.ts), the connection watchdog (watchdog.ts), the live figures
 * and provisional answers (progress.ts) and the end of the stream (drain.ts).
 */
export async function streamProbes(s: StreamSetup): Promise<StreamOutcome> {
  // A send later than one interval of the graded stream is a stall: the same limit as the timer-late warning.
  const sent = new SentLog(s.count, undefined, s.rtp ? s.rtp.collector.intervalMs : s.intervalMs);
  const notes: string[] = [];
  const rx = new Receiving(s, sent);
  const watchdog = new ConnectionWatchdog(s);
  rx.listen(notes);
  let stopPacer: () => void = () => undefined;
  const progress = new Progress(s, rx, (nowMs) => {
    if (watchdog.shouldCut(rx.reflector ? rx : null, nowMs)) stopPacer();
  });
  const streamStartMs = performance.now();
  rx.rtp?.link.arm();
  progress.start(streamStartMs);
  try {
    const pacer = probePacer(s, sent, notes);
    stopPacer = () => pacer.stop();
    const abort = (): void => pacer.stop();
    s.signal.addEventListener('abort', abort);
    const busy = s.busy
      ? startBusy(
          s.busy,
          rx.shown,
          () => !watchdog.cutShort && !s.signal.aborted,
          () => pacer.stop(),
        )
      : null;
    const pacing = await pacer.done;
    await busy?.end();
    rx.rtp?.link.disarm();
    s.signal.removeEventListener('abort', abort);
    s.mark('lastProbe');
    if (s.signal.aborted) throw new SetupError('cancelled', 'test cancelled');
    notes.push(`paced by ${pacing.method}`);

    // The wait for late packets is the loss timeout of the last round trips, not of the whole
    // test: after a busy-line phase the loaded ones would make it seconds longer than the page promised.
    const timeoutMs = lossTimeoutMs(rx.recentRttValues(DRAIN_RTT_SAMPLES));
    const drained = await drain(s, rx, sent, watchdog, timeoutMs, notes);
    watchdog.end();
    const connectionLost = watchdog.connectionLost(rx.reflector ? rx : null, drained.finalCame, drained.stopRefused, streamStartMs);
    const tallyMissing = rx.reflector !== null && !drained.finalCame;
    progress.last();
    rtpNotes(rx, drained.rtpCounts, notes);
    return {
      lossTimeoutMs: timeoutMs,
      reflectorInboundJitterMs: rx.reflectorInboundJitterMs,
      relayWitness: rx.relayWitness,
      reflectorPacketsReceived: rx.reflectorPacketsReceived,
      qos: rx.rtp === null ? null : { pageMarked: rx.rtp.link.marked, upstream: rx.relayWitness?.upstreamDscp ?? null, echoDscp: rx.echoDscp },
      sender: sent.diagnostics(),
      pacing,
      notes,
      connectionLost,
      provisional: progress.history(),
      build: (given) => rx.build(given, tallyMissing, drained.rtpFinalCame),
    };
  } finally {
    watchdog.end();
    progress.stop();
  }
}
