/**
 * When an RTP echo arrived, from the frame's receiveTime (W3C WebRTC Encoded Transform,
 * RTCEncodedAudioFrameMetadata.receiveTime: the network thread's arrival of the frame's last
 * packet) and the transform worker's clock when it saw the frame. Pure; both on the worker's clock.
 */

/** A receiveTime older than this (or in the future) is not taken as the arrival: the arrival is the worker's clock. */
const RECEIVE_TIME_PLAUSIBLE_MS = 5000;
/**
 * The receive lag is kept up to this long: a starved device can hand a frame over seconds after
 * it came (its arrival stamp is then the worker's own), and that lag is the evidence of it.
 */
const RECEIVE_LAG_PLAUSIBLE_MS = 60_000;

export interface EchoTimes {
  /** The echo's arrival stamp: the receiveTime when asked for and plausible, else `nowMs`. */
  arrivalMs: number;
  /** Whether the arrival stamp is the worker's clock. */
  fromNow: boolean;
  /** The receiveTime kept beside `nowMs` for the receive lag (null: none, or not on this clock). */
  receiveTimeMs: number | null;
}

export function echoTimes(receiveTime: number | undefined, nowMs: number, useReceiveTime: boolean): EchoTimes {
  const kept = typeof receiveTime === 'number' && receiveTime <= nowMs && nowMs - receiveTime < RECEIVE_LAG_PLAUSIBLE_MS ? receiveTime : null;
  const asArrival = useReceiveTime && kept !== null && nowMs - kept < RECEIVE_TIME_PLAUSIBLE_MS;
  return { arrivalMs: asArrival ? kept : nowMs, fromNow: !asArrival, receiveTimeMs: kept };
}
