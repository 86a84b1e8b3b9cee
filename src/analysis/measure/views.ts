/**
 * The views of the path that do not run through the page's JavaScript, time-stamped so the
 * analysis can say, window by window, whose time a delay or a gap was: the network's, this
 * device's or the server's (measure/attribution.ts).
 *
 * 1. The browser's network thread: the frame's receiveTime beside the transform worker's own
 *    clock for every RTP echo, the ICE candidate pair's currentRoundTripTime and the RTCP
 *    round trip (W3C webrtc-stats), each with the page-clock time it was read.
 * 2. The server's: the reflector's hold time for every probe it echoed, the spacing of the
 *    probes' arrivals at the server, and the server's event-loop delay when it reports one.
 *
 * Every time is in milliseconds on the page's clock (the up direction's send clock) unless a
 * field says otherwise; a view the browser or server cannot give is an empty list or null.
 */

/** One reading of a view at a time on the page clock. */
export interface ViewSample {
  atMs: number;
  valueMs: number;
}

/** One 200 ms bin of the probes' arrivals at the server, placed on the page clock by their send times. */
export interface ArrivalBin {
  /** Send time (page clock) of the first probe that arrived in the bin. */
  fromSendMs: number;
  /** Send time of the last probe that arrived in the bin. */
  toSendMs: number;
  /** Probes that arrived in the bin. */
  packets: number;
  /** The longest gap between two arrivals at the server in the bin (the previous bin's last included), ms. */
  maxGapMs: number;
  /** The longest gap between the page's send stamps of the same probes, ms. */
  maxSendGapMs: number;
  /**
   * The bin's fastest probe: the server's receive stamp minus the page's send stamp, ms (two
   * clocks: only its changes mean anything). A queue delays every probe; a device that held
   * probes lets the last of each burst through at once. Absent in bins made before it was kept.
   */
  minTransitMs?: number;
}

export interface OutsideViews {
  /**
   * RTP echoes: the transform worker's clock minus the frame's receiveTime (how long this
   * device took to hand the echo to the page), at the receiveTime. Empty where the browser gives
   * no receiveTime or the probes rode the data channel.
   */
  receiveLagMs: ViewSample[];
  /** ICE candidate-pair currentRoundTripTime readings, at the time getStats was read. */
  iceRttMs: ViewSample[];
  /** remote-inbound-rtp roundTripTime (RTCP) readings, at the time getStats was read. */
  rtcpRttMs: ViewSample[];
  /** Reflector mode: how long the reflector held each probe before echoing it, at the probe's send time. */
  reflectorHoldMs: ViewSample[];
  /** The server's arrival spacing of the up probes, 200 ms bins; null without a server view. */
  upArrivalBins: ArrivalBin[] | null;
  /** The server's event-loop delay readings (the report's server section), at the page-clock time they cover. */
  serverLoopDelayMs: ViewSample[];
}

/** No view outside the page (a test that measured nothing, or a client that records none). */
export function noOutsideViews(): OutsideViews {
  return { receiveLagMs: [], iceRttMs: [], rtcpRttMs: [], reflectorHoldMs: [], upArrivalBins: null, serverLoopDelayMs: [] };
}
