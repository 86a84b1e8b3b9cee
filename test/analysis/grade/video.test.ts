import { describe, expect, it } from 'vitest';
import { bestRate, gradeVideo, scheduledKbps, windowRatesKbps } from '../../../src/analysis/grade/video.js';
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
  downKbps: (tMs: number) => number;
  downLost?: number;
}): VideoEvidence {
  const upBins = cumulative(o.upKbps)
    .slice(1)
    .map((c, i, all) => c - (i === 0 ? 0 : (all[i - 1] ?? 0)));
  const packets = 2000;
  const sent: VideoSendSample[] = cumulative(o.upKbps).map((bytes, i) => ({
    tMs: i * BIN_MS,
    bytes,
    availableOutgoingKbps: null,
    limitation: o.limitation ?? 'none',
    frameHeight: 720,
  }));
  const down = cumulative(o.downKbps).map((bytes, i) => ({ tMs: i * BIN_MS, bytes, packets: i * 50, lost: Math.round(((o.downLost ?? 0) * i) / 28) }));
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
    const v = gradeVideo(evidence({ upKbps: () => 950, limitation: 'bandwidth', downKbps: (t) => scheduledKbps(STEPS, 1000, t) }));
    expect(v.upstream).toMatchObject({ arrivedKbps: 950, limitedBy: 'network' });
    expect(v.room).toEqual(['audio', 'screen-sharing', 'video-360p']);
    expect(v.unknown).toEqual([]);
  });

  it("a downlink that carries 1 Mbit/s of the schedule's 4.5 is the path's, its loss counted", () => {
    const v = gradeVideo(evidence({ upKbps: () => 4000, downKbps: (t) => Math.min(1000, scheduledKbps(STEPS, 1000, t)), downLost: 500 }));
    expect(v.downstream).toMatchObject({ arrivedKbps: 1000, limitedBy: 'network' });
    // 500 lost of 1 400 received and 500 lost.
    expect(v.downstream.lossPct).toBeCloseTo((100 * 500) / 1900, 1);
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
