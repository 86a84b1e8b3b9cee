/**
 * The RTP transform worker's messages. One worker runs both transforms of the RTP
 * leg (W3C WebRTC Encoded Transform §4, RTCRtpScriptTransform): the sender side stamps every
 * Opus frame into a probe frame, the receiver side reads the reflector's echo frames
 * (src/protocol/rtp-probe.ts). Nothing is posted per frame: the worker batches.
 * Every time here is on the page main thread's clock (the worker converts its own).
 */
import type { RtpRecentRecord } from '../../protocol/rtp-probe.js';

/** The options of each RTCRtpScriptTransform (structured-cloned to the worker's transformer). */
export interface RtpTransformOptions {
  side: 'send' | 'receive';
  /** The main thread's performance.timeOrigin: worker time + worker origin - this = main-thread time. */
  mainTimeOriginMs: number;
  frameBytes: number;
  batchMs: number;
  /** Whether an echo's arrival is the frame's receiveTime when plausible (else the worker's clock, always). */
  useReceiveTime: boolean;
}

/** Main thread -> worker. `arm` starts stamping (probeSeq from 0), `disarm` ends it for good; `flush` asks for every pending batch. */
export type MainToRtpWorker = { type: 'arm' } | { type: 'disarm' } | { type: 'flush'; id: number };

/** One echo frame the receiver transform read, with its arrival time (main-thread clock). */
export interface RtpEchoRecord {
  upSeq: number;
  downSeq: number;
  clientSendMs: number;
  reflectorRecvMs: number;
  reflectorSendMs: number;
  upReceived: number;
  recent: RtpRecentRecord[];
  /** The frame's receiveTime when the browser gives a plausible one, else when the transform saw it. */
  arrivalMs: number;
  /**
   * The frame's receiveTime (the browser's network thread) whenever it is plausible (not in the
   * future, at most 60 s old), whatever `useReceiveTime` says; null without one. Beside `seenMs` it is how long this device took to
   * hand the echo to the page (the receive lag).
   */
  receiveTimeMs: number | null;
  /** When the receiver transform saw the frame (the worker's clock). */
  seenMs: number;
}

/** What the worker has counted so far (sent with every flush answer). */
export interface RtpWorkerCounts {
  /** Frames the sender stamped. */
  stamped: number;
  /** Frames the sender passed unstamped while armed (an Opus frame too large to stamp). */
  unstampable: number;
  /** Received frames that were not echo frames: passed through to the decoder unchanged. */
  passedThrough: number;
  /** Echo frames whose arrival time is the transform's own clock (no usable receiveTime). */
  arrivalFromNow: number;
}

/** Worker -> main thread. `sent` batches always precede the `echoes` batch of the same flush. */
export type RtpWorkerToMain =
  | { type: 'sent'; probes: Array<[probeSeq: number, sendMs: number]> }
  | { type: 'echoes'; echoes: RtpEchoRecord[] }
  | { type: 'flushed'; id: number; counts: RtpWorkerCounts }
  | { type: 'error'; message: string };
