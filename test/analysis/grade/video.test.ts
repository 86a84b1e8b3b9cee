import { describe, expect, it } from 'vitest';
import { bestRate, cleanRateKbps, gradeVideo, scheduledKbps, windowLossPct, windowRatesKbps } from '../../../src/analysis/grade/video.js';
import type { VideoEvidence, VideoSendSample } from '../../../src/analysis/schema/video-input.js';

const BIN_MS = 250;
const STEPS = [300, 600, 1200, 2000, 3000, 4500];

/** Bytes per 250 ms bin of a rate in kbit/s: kbps * 250 / 8. */
const binOf = (kbps: number): number => (kbps * BIN_MS) / 8;

/** 29 samples over 7 s (the start and every bin), cumulative. */
function cumulative(kbpsAt: (tMs: number) => number): number[] {
  const out = [0];
  for (let i = 1; i <= 28; i++) out.push((out[i - 1] ?? 0) + binOf(kbpsAt((i - 1) * BIN_MS)));
  return out;
}

function evidence(o: {
  upKbps: (tMs: number) => number;
  upLost?: number;
  limitation?: string;
  /** The browser's bandwidth estimate, kbit/s (absent: none read). */
  estimateKbps?: number;
  downKbps: (tMs: number) => number;
}): VideoEvidence {
  const upBins = cumulative(o.upKbps)
    .slice(1)
    .map((c, i, all) => c - (i === 0 ? 0 : (all[i - 1] ?? 0)));
  const packets = 2000;
  const sent: VideoSendSample[] = cumulative(o.upKbps).map((bytes, i) => ({
    tMs: i * BIN_MS,
    bytes,
    availableOutgoingKbps: o.estimateKbps ?? null,
    limitation: o.limitation ?? 'none',
    frameHeight: 720,
  }));
  // 1 000-byte packets: a bin at k kbit/s is k / 32 packets; what the schedule offered beyond what arrived was lost.
  const got = cumulative(o.downKbps).map((bytes) => bytes / 1000);
  const lost = cumulative((t) => scheduledKbps(STEPS, 1000, t) - o.downKbps(t)).map((bytes) => bytes / 1000);
  const down = cumulative(o.downKbps).map((bytes, i) => ({ tMs: i * BIN_MS, bytes, packets: got[i] ?? 0, lost: lost[i] ?? 0 }));
  return {
    seconds: 7,
    binMs: BIN_MS,
    windowMs: 2000,
    up: { bins: upBins, packets: packets - (o.upLost ?? 0), expected: packets },
    upSent: sent,
    down,
    downStepsKbps: STEPS,
    downStepMs: 1000,
    maxUpKbps: 4500,
  };
}

describe('the video phase, graded', () => {
  it('rates a window of bins by hand, and finds when the rate stopped rising', () => {
    // 1 000 bytes a bin for 4 bins, then 2 000: 2 s windows of 8 bins.
    const bins = [1000, 1000, 1000, 1000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000];
    // Window 0-7: 12 000 bytes in 2 s = 48 kbit/s; the best, bins 4-11: 16 000 bytes = 64 kbit/s.
    expect(windowRatesKbps(bins, BIN_MS, 2000)).toEqual([48, 52, 56, 60, 64]);
    // 90 % of 64 is 57.6: first reached by the window ending at bin 10, i.e. at 2 750 ms.
    expect(bestRate(bins, BIN_MS, 2000)).toEqual({ kbps: 64, plateauMs: 2750 });
    // The first two bins lost half their packets: only the window clear of them is carried whole.
    const lossy = [4000, 4000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000];
    const got = [4, 4, 1, 1, 1, 1, 1, 1, 1, 1];
    const sent = [8, 8, 1, 1, 1, 1, 1, 1, 1, 1];
    // Windows 0-7 (14 of 22 arrived) and 1-8 (11 of 15) lost more than 2 %; 2-9 lost none: 8 000 bytes in 2 s.
    expect(windowRatesKbps(lossy, BIN_MS, 2000)).toEqual([56, 44, 32]);
    expect(cleanRateKbps(lossy, got, sent, BIN_MS, 2000)).toBe(32);
    // 8 of 22 lost, 4 of 15, none: the worst window shows the burst the whole phase's share hides.
    expect(windowLossPct(got, sent, BIN_MS, 2000).map((x) => Math.round(x * 100) / 100)).toEqual([36.36, 26.67, 0]);
    expect(cleanRateKbps(lossy.slice(0, 8), got.slice(0, 8), sent.slice(0, 8), BIN_MS, 2000)).toBeNull();
    expect(scheduledKbps(STEPS, 1000, 0)).toBe(300);
    expect(scheduledKbps(STEPS, 1000, 5999)).toBe(4500);
    expect(scheduledKbps(STEPS, 1000, 60_000)).toBe(4500);
  });

  it('a clean path: every use fits both ways, held by our own cap (a floor), not the path', () => {
    const v = gradeVideo(evidence({ upKbps: (t) => (t < 1000 ? 1000 : 4000), downKbps: (t) => scheduledKbps(STEPS, 1000, t) }));
    expect(v.upstream).toMatchObject({ arrivedKbps: 4000, lossPct: 0, limitedBy: 'test' });
    expect(v.downstream).toMatchObject({ arrivedKbps: 4500, lossPct: 0, limitedBy: 'test' });
    expect(v.room).toEqual(['audio', 'screen-sharing', 'video-360p', 'video-720p', 'video-1080p']);
    expect(v.unknown).toEqual([]);
  });

  it('a 1 Mbit/s uplink: the browser held by its bandwidth estimate, no room for HD video, the downlink unharmed', () => {
    // As a tbf of 1 Mbit/s gave: 958 kbit/s arrived, the estimate 996 kbit/s, the encoder keeping 720p (its limitation 'none').
    const v = gradeVideo(evidence({ upKbps: () => 950, estimateKbps: 996, downKbps: (t) => scheduledKbps(STEPS, 1000, t) }));
    expect(v.upstream).toMatchObject({ arrivedKbps: 950, limitedBy: 'network' });
    expect(v.room).toEqual(['audio', 'screen-sharing', 'video-360p']);
    expect(v.unknown).toEqual([]);
    // The encoder saying it is held by bandwidth is the same finding.
    expect(gradeVideo(evidence({ upKbps: () => 950, limitation: 'bandwidth', downKbps: (t) => scheduledKbps(STEPS, 1000, t) })).upstream.limitedBy).toBe(
      'network',
    );
    // Without either, a flat rate under the cap proves nothing of the path: a floor.
    expect(gradeVideo(evidence({ upKbps: () => 950, downKbps: (t) => scheduledKbps(STEPS, 1000, t) })).upstream.limitedBy).toBe('test');
  });

  it('an estimate under the cap while the rate still rose at the end is the test, not the path: a floor', () => {
    const v = gradeVideo(evidence({ upKbps: (t) => 300 + t / 5, estimateKbps: 1700, downKbps: (t) => scheduledKbps(STEPS, 1000, t) }));
    expect(v.upstream.limitedBy).toBe('test');
    expect(v.unknown).toContain('video-1080p');
  });

  it("a downlink that carries 1 Mbit/s of the schedule's 4.5 is the path's, its loss counted", () => {
    const v = gradeVideo(evidence({ upKbps: () => 4000, downKbps: (t) => Math.min(1000, scheduledKbps(STEPS, 1000, t)) }));
    // Arrived: 4 bins at 300, 4 at 600, 20 at 1 000 kbit/s: 737.5 packets; lost: 4 bins of 200, 4 of 1 000, 4 of 2 000 and 8 of 3 500 kbit/s, 1 275.
    expect(v.downstream).toMatchObject({ arrivedKbps: 1000, limitedBy: 'network' });
    expect(v.downstream.lossPct).toBeCloseTo((100 * 1275) / (737.5 + 1275), 1);
    // Carried whole: the 600 kbit/s step, the last before the line filled; the worst second, at 4 500 offered and 1 000 through, lost 3 500 of 4 500.
    expect(v.downstream.cleanKbps).toBe(600);
    expect(v.downstream.worstLossPct).toBe(77.8);
    expect(v.room).toEqual(['audio', 'screen-sharing', 'video-360p']);
  });

  it('an encoder short of CPU is the device: what it did not reach is unknown, never no room', () => {
    const v = gradeVideo(evidence({ upKbps: () => 800, limitation: 'cpu', downKbps: (t) => scheduledKbps(STEPS, 1000, t) }));
    expect(v.upstream.limitedBy).toBe('device');
    expect(v.room).toEqual(['audio', 'screen-sharing', 'video-360p']);
    expect(v.unknown).toEqual(['video-720p', 'video-1080p']);
  });

  it('upstream loss above 2 % is the path, by sequence number', () => {
    const v = gradeVideo(evidence({ upKbps: () => 4000, upLost: 100, downKbps: (t) => scheduledKbps(STEPS, 1000, t) }));
    expect(v.upstream).toMatchObject({ lossPct: 5, limitedBy: 'network' });
  });
});
