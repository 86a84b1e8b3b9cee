import type { GradedPath, StatsGap, StatsSecondOpinion } from '../../analysis/schema/input.js';
import type { OutsideViews } from '../../analysis/measure/views.js';
import { readStats, type StatsSample } from './adapter.js';
import { RttReadings } from './readings.js';
import type { StatsSource } from '../env.js';

/**
 * Polls getStats during a test. Keeps each RTCP RTT once (by its measurement count), ICE RTT
 * when it changes, and counts changes of the selected candidate pair (the second opinion, of
 * the idle window); and every new ICE and RTCP round trip with when it was read, through the
 * busy-line phase too (readings.ts).
 */
export class StatsSampler implements StatsSource {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly iceRttMs: number[] = [];
  private readonly rtcpRttMs: number[] = [];
  private readonly inboundJitterMs: number[] = [];
  /** The same round trips, each new measurement with when it was read (the views outside the page). */
  private readonly readings = new RttReadings();
  private lastRtcpMeasurements = 0;
  private lastRtcpReportMs: number | null = null;
  private lastIceRtt: number | null = null;
  private last: StatsSample | null = null;
  private firstPairId: string | null = null;
  private pairChanges = 0;
  private pairChangeTimesMs: number[] = [];
  private polling: Promise<void> = Promise.resolve();
  /** After freezeOpinion: polls feed the round-trip readings only. */
  private opinionFrozen = false;
  private freezing: Promise<void> | null = null;
  private failures = 0;
  /** Per second opinion: whether its object was seen, and whether the field ever was. */
  private readonly seen = new Map<StatsGap, { object: boolean; field: boolean }>();

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly audioSource: StatsSecondOpinion['audioSource'],
    private readonly inboundPc: RTCPeerConnection | null = null,
  ) {}

  start(periodMs = 1000): void {
    this.timer = setInterval(() => {
      this.polling = this.poll();
    }, periodMs);
  }

  /** One poll now (also used at the end of a test). */
  async poll(): Promise<void> {
    // The browser gathers the figures when asked; a busy page may see the answer much later.
    const askedAtMs = performance.now();
    try {
      const report = await this.pc.getStats();
      const sample = readStats(report.values());
      if (this.inboundPc) {
        const inbound = readStats((await this.inboundPc.getStats()).values());
        sample.inboundJitterMs = inbound.inboundJitterMs;
        sample.concealedSamples = inbound.concealedSamples;
        sample.totalSamplesReceived = inbound.totalSamplesReceived;
      }
      this.readings.add(sample, askedAtMs);
      if (!this.opinionFrozen) this.add(sample, performance.now());
    } catch (err) {
      this.failures++;
      if (this.failures === 1) console.warn('getStats failed', err);
    }
  }

  private note(gap: StatsGap, object: boolean, field: boolean): void {
    const was = this.seen.get(gap) ?? { object: false, field: false };
    this.seen.set(gap, { object: was.object || object, field: was.field || field });
  }

  private add(s: StatsSample, atMs: number): void {
    this.note('ice-rtt', s.has.pair, s.has.pairRtt);
    this.note('rtcp-rtt', s.has.remoteInbound, s.has.remoteInboundRtt);
    this.note('concealment', s.has.inbound, s.has.inboundConcealment);
    if (s.iceRttMs !== null && s.iceRttMs !== this.lastIceRtt) {
      this.iceRttMs.push(s.iceRttMs);
      this.lastIceRtt = s.iceRttMs;
    }
    if (s.rtcpRttMs !== null && s.rtcpMeasurements !== null && s.rtcpMeasurements > this.lastRtcpMeasurements) {
      this.rtcpRttMs.push(s.rtcpRttMs);
      this.lastRtcpMeasurements = s.rtcpMeasurements;
    } else if (s.rtcpRttMs !== null && s.rtcpMeasurements === null && s.rtcpReportMs !== null && s.rtcpReportMs !== this.lastRtcpReportMs) {
      // No measurement count (Safari): each RTCP report once, by when it arrived.
      this.rtcpRttMs.push(s.rtcpRttMs);
      this.lastRtcpReportMs = s.rtcpReportMs;
    }
    if (s.inboundJitterMs !== null) this.inboundJitterMs.push(s.inboundJitterMs);
    if (s.pairId !== null) {
      if (this.firstPairId === null) this.firstPairId = s.pairId;
      else if (this.last?.pairId !== null && this.last?.pairId !== s.pairId) {
        this.pairChanges++;
        this.pairChangeTimesMs.push(atMs);
      }
    }
    this.last = s;
  }

  /**
   * After one last poll, the second opinion, the path and its changes stay as they are (the
   * busy-line phase: they are of the idle window, as `stop` left them before); polling goes on
   * for the round-trip readings until `stop`.
   */
  freezeOpinion(): Promise<void> {
    this.freezing ??= (async () => {
      await this.polling;
      await this.poll();
      this.opinionFrozen = true;
    })();
    return this.freezing;
  }

  async stop(): Promise<void> {
    this.halt();
    await this.polling;
    await this.poll();
  }

  /** Stops polling now, with no last poll (the session ended early: its connection may be closed). */
  halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Second opinions this browser cannot give: their object came, the field never did. */
  lacks(): StatsGap[] {
    return [...this.seen].filter(([, s]) => s.object && !s.field).map(([gap]) => gap);
  }

  /** The ICE and RTCP round trips read so far, each at the page-clock time getStats was asked. */
  rttViews(): Pick<OutsideViews, 'iceRttMs' | 'rtcpRttMs'> {
    return this.readings.views();
  }

  /** When the selected candidate pair changed (page clock). */
  get pathChangeTimesMs(): readonly number[] {
    return this.pairChangeTimesMs;
  }

  path(): GradedPath {
    const p = this.last?.path;
    return {
      transport: p?.transport ?? 'unknown',
      port: p?.port ?? null,
      candidateType: p?.candidateType ?? null,
      family: p?.family ?? null,
      changes: this.pairChanges,
    };
  }

  /**
   * The second opinion. `reflectorInboundJitterMs`: the reflector's own inbound-rtp jitter
   * of our audio (upstream), reported at the end of a reflector-mode test.
   */
  opinion(reflectorInboundJitterMs: number | null = null): StatsSecondOpinion {
    const l = this.last;
    const loop = this.inboundPc !== null;
    return {
      iceRttMs: this.iceRttMs.slice(),
      rtcpRttMs: this.rtcpRttMs.slice(),
      rtcpFractionLost: l?.rtcpFractionLost ?? null,
      inboundJitterMs: loop ? this.inboundJitterMs.slice() : reflectorInboundJitterMs === null ? [] : [reflectorInboundJitterMs],
      inboundJitterDirection: loop ? 'loop' : reflectorInboundJitterMs === null ? null : 'up',
      concealedRatio: l && l.concealedSamples !== null && l.totalSamplesReceived ? l.concealedSamples / l.totalSamplesReceived : null,
      audioSource: this.audioSource,
      lacks: this.lacks(),
    };
  }
}
