/**
 * The network thread's round trips as time-stamped readings (src/analysis/measure/views.ts):
 * the ICE candidate pair's currentRoundTripTime and the RTCP round trip (remote-inbound-rtp
 * roundTripTime), W3C webrtc-stats §7.18 and §7.6, in ms as the adapter gives them. A poll
 * makes a reading only when the browser made a new measurement: for ICE a new count of STUN
 * responses received (each gives a round trip, RFC 8445 §7.2.5.3) or a new value, for RTCP a
 * new roundTripTimeMeasurements or, where the browser has no such count (Safari), a new report
 * timestamp. Pure: the time of each poll is given.
 */
import type { ViewSample } from '../../analysis/measure/views.js';
import type { StatsSample } from './adapter.js';

export class RttReadings {
  private readonly ice: ViewSample[] = [];
  private readonly rtcp: ViewSample[] = [];
  private lastIceMs: number | null = null;
  private lastIceResponses: number | null = null;
  private lastRtcpMeasurements: number | null = null;
  private lastRtcpReportMs: number | null = null;

  /** One poll of getStats, read at `atMs` on the page clock (when getStats was called). */
  add(s: Pick<StatsSample, 'iceRttMs' | 'pairResponses' | 'rtcpRttMs' | 'rtcpMeasurements' | 'rtcpReportMs'>, atMs: number): void {
    if (s.iceRttMs !== null) {
      const fresh = s.iceRttMs !== this.lastIceMs || (s.pairResponses !== null && s.pairResponses !== this.lastIceResponses);
      if (fresh) this.ice.push({ atMs, valueMs: s.iceRttMs });
      this.lastIceMs = s.iceRttMs;
      this.lastIceResponses = s.pairResponses;
    }
    if (s.rtcpRttMs !== null) {
      const fresh =
        s.rtcpMeasurements !== null
          ? s.rtcpMeasurements !== this.lastRtcpMeasurements && s.rtcpMeasurements > 0
          : s.rtcpReportMs !== null && s.rtcpReportMs !== this.lastRtcpReportMs;
      if (fresh) this.rtcp.push({ atMs, valueMs: s.rtcpRttMs });
      this.lastRtcpMeasurements = s.rtcpMeasurements;
      this.lastRtcpReportMs = s.rtcpReportMs;
    }
  }

  /** The readings so far, oldest first. */
  views(): { iceRttMs: ViewSample[]; rtcpRttMs: ViewSample[] } {
    return { iceRttMs: this.ice.slice(), rtcpRttMs: this.rtcp.slice() };
  }
}
