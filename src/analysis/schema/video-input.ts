/** What the video phase measured, as the session hands it to the analysis (../grade/video.ts grades it). */

/** One sample of the page's sender, every binMs from the phase start. */
export interface VideoSendSample {
  tMs: number;
  /** Cumulative bytes sent (header and payload: outbound-rtp headerBytesSent + bytesSent + retransmitted none). */
  bytes: number;
  availableOutgoingKbps: number | null;
  /** outbound-rtp qualityLimitationReason ('none', 'cpu', 'bandwidth', 'other'). */
  limitation: string | null;
  frameHeight: number | null;
}

/** One sample of the page's receiver of the reflector's stream. */
export interface VideoReceiveSample {
  tMs: number;
  /** Cumulative bytes received (inbound-rtp headerBytesReceived + bytesReceived). */
  bytes: number;
  packets: number;
  lost: number;
}

export interface VideoEvidence {
  seconds: number;
  binMs: number;
  windowMs: number;
  /** The reflector's tally of the page's video (ControlMessage video-tally). */
  up: {
    bins: readonly number[];
    packets: number;
    expected: number;
    /** Per bin: packets that arrived, and those sent by sequence number (each bin's loss); absent: the totals only. */
    binPackets?: readonly number[];
    binExpected?: readonly number[];
  };
  upSent: readonly VideoSendSample[];
  down: readonly VideoReceiveSample[];
  /** The reflector's schedule (CONSTANTS.video.downStepsKbps, downStepMs), the page's encoder cap. */
  downStepsKbps: readonly number[];
  /** Bytes the reflector sent in each bin (its schedule, held steps included); absent: the schedule as planned. */
  downSent?: readonly number[];
  downStepMs: number;
  maxUpKbps: number;
}
