/**
 * The probe stream's send loop: on each tick of the pacer, probe i is stamped and sent on the
 * unordered, no-retransmit data channel, or dropped at the sender (and counted, never as network
 * loss) when the channel's queue is too long or the browser refuses the send. With no data
 * channel (the RTP leg connected alone) each tick is only kept, when it ran against when it was
 * due: the device's own timing, where its stalls are read (the RTP frames are paced by the audio
 * clock, in the transform worker).
 */
import { encodeProbe } from '../../protocol/wire.js';
import type { SentLog } from '../collect/sent-log.js';
import type { PacerLike } from '../pacer/types.js';
import { errorText } from './common.js';
import type { StreamSetup } from './types.js';

/**
 * A probe is dropped at the sender (and counted, never as network loss) rather than queued
 * behind more than this many probes: a media stream does not wait seconds in a local queue,
 * and chunks queued behind SCTP congestion control may be abandoned unseen (PR-SCTP).
 */
const MAX_QUEUED_PROBES = 16;

/** The pacer of the data-channel probes, each send recorded in `sent`; a refused send is said once in `notes`. */
export function probePacer(s: StreamSetup, sent: SentLog, notes: string[]): PacerLike {
  const probeBuf = new Uint8Array(s.payloadBytes);
  const maxBufferedBytes = MAX_QUEUED_PROBES * s.payloadBytes;
  const channel = s.sender?.probe ?? null;
  let sendErrors = 0;
  return s.createPacer({
    intervalMs: s.intervalMs,
    count: s.count,
    onTick: (index, scheduledMs, missedBefore) => {
      if (missedBefore > 0) sent.recordMissed(missedBefore, scheduledMs);
      if (channel === null) {
        sent.recordSent(index, performance.now(), scheduledMs, 0);
        return;
      }
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
}

/** Starts the busy-line phase after the idle window (unless the stream was cut by then); `end` stops it and waits for it. */
export function startBusy(
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
