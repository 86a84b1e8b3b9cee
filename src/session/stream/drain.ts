/**
 * The end of the probe stream: wait max(1 s, 4 x RTT p99) for late packets, ask the reflector
 * for its final tally (and the RTP stream's), and flush the RTP transform worker.
 */
import { DEFAULTS } from '../../protocol/defaults.js';
import type { SentLog } from '../collect/sent-log.js';
import type { RtpLink } from '../rtp/leg.js';
import { delay, errorText } from './common.js';
import type { Receiving } from './receiving.js';
import type { StreamSetup } from './types.js';
import type { ConnectionWatchdog } from './watchdog.js';

const FINAL_TIMEOUT_MS = DEFAULTS.finalTallyTimeoutMs;

type RtpCounts = Awaited<ReturnType<RtpLink['flush']>>;

/** Kept up to date: a tally that comes after the wait still counts where it is read later (the records' build). */
export interface Drained {
  finalCame: boolean;
  rtpFinalCame: boolean;
  /** Set when the page could not ask for the final tally: its own failure, not the server's. */
  stopRefused: string | null;
  /** What the transform worker counted; null when it did not answer (or there is no RTP stream). */
  rtpCounts: RtpCounts | null;
}

/** Waits `timeoutMs` after the last send, then for the final tallies; what went wrong goes to `notes`. */
export async function drain(s: StreamSetup, rx: Receiving, sent: SentLog, watchdog: ConnectionWatchdog, timeoutMs: number, notes: string[]): Promise<Drained> {
  const { reflector, rtp } = rx;
  s.phase('draining', `collecting the last packets still on their way (up to ${(timeoutMs / 1000).toFixed(1)} s)`);
  const lastSendMs = Math.max(sent.lastSendMs, rtp?.collector.lastSendMs ?? Number.NaN);
  const waitUntil = (Number.isNaN(lastSendMs) ? performance.now() : lastSendMs) + timeoutMs;
  await delay(Math.max(0, waitUntil - performance.now()), s.signal);
  const d: Drained = { finalCame: false, rtpFinalCame: false, stopRefused: null, rtpCounts: null };
  if (reflector) {
    // A socket the server closed is the server gone (the watchdog's sign), not this page's failure: no stop is sent, none refused.
    try {
      if (s.control && !s.control.ended) s.control.stop();
    } catch (err) {
      d.stopRefused = errorText(err);
      notes.push(
        `the browser could not send the stop on the signalling socket (${d.stopRefused}): no final tally, so the evidence ends at the reflector's last receipt`,
      );
    }
    // With an RTP stream the reflector answers `final` and `rtp-final`, in either order: both are awaited.
    const waitFinal =
      watchdog.cutShort || d.stopRefused !== null
        ? Promise.resolve()
        : Promise.all([
            rx.final.then(() => {
              d.finalCame = true;
            }),
            rx.rtpFinal.then(() => {
              d.rtpFinalCame = true;
            }),
          ]);
    if (!rtp) rx.rtpFinalArrived();
    await Promise.race([waitFinal, delay(FINAL_TIMEOUT_MS, s.signal)]);
  }
  // Every batch still in the transform worker, and what it counted.
  d.rtpCounts = rtp ? await flushRtp(rtp.link, s.signal, notes) : null;
  return d;
}

/** What the RTP stream's end says in the notes: the worker's last flush, its counts, its errors. */
export function rtpNotes(rx: Receiving, rtpCounts: RtpCounts | null, notes: string[]): void {
  const rtp = rx.rtp;
  if (!rtp) return;
  if (rtpCounts === null) notes.push('the RTP transform worker did not answer its last flush: the last RTP batches may be missing');
  else {
    rtp.collector.countNotEchoes(rtpCounts.passedThrough);
    if (rtpCounts.unstampable > 0) notes.push(`${rtpCounts.unstampable} Opus frames too large to stamp left unstamped`);
    if (rtpCounts.arrivalFromNow > 0)
      notes.push(`${rtpCounts.arrivalFromNow} RTP echoes timed by the transform worker's clock, not the frame's receiveTime (none usable, or arrivals=worker)`);
  }
  for (const e of rx.rtpErrors) notes.push(`RTP transform: ${e}`);
}

/** The worker's last batches and counts; null when it did not answer in time or could not be asked (said in the notes). */
async function flushRtp(link: RtpLink, signal: AbortSignal, notes: string[]): Promise<RtpCounts | null> {
  try {
    return await Promise.race([link.flush(), delay(FINAL_TIMEOUT_MS, signal).then(() => null)]);
  } catch (err) {
    notes.push(`the RTP transform worker could not be flushed (${errorText(err)})`);
    return null;
  }
}
