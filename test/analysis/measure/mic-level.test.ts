import { describe, expect, it } from 'vitest';
import { frameLevel, micLevelFigures, type FrameLevel } from '../../../src/analysis/measure/mic-level.js';
import { classifyMicLevel, MIC_THRESHOLDS } from '../../../src/analysis/grade/microphone.js';

/** A square wave of amplitude `a`: RMS = peak = a. */
const square = (a: number, n = 480): number[] => Array.from({ length: n }, (_, i) => (Math.floor(i / 24) % 2 === 0 ? a : -a));
/** A sine of amplitude `a` over whole periods: RMS = a/√2. */
const sine = (a: number, n = 480): number[] => Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * i) / 48));
const frame = (rmsDbfs: number, peakDbfs = rmsDbfs): FrameLevel => ({ rmsDbfs, peakDbfs });

describe('frameLevel', () => {
  it('gives a square wave of amplitude 0.5 an RMS and a peak of 20·log10(0.5) = -6.0206 dBFS', () => {
    const l = frameLevel(square(0.5));
    expect(l.rmsDbfs).toBeCloseTo(-6.0206, 4);
    expect(l.peakDbfs).toBeCloseTo(-6.0206, 4);
  });

  it('gives a full-scale sine an RMS of -3.0103 dBFS (1/√2) and a peak of 0 dBFS', () => {
    const l = frameLevel(sine(1));
    expect(l.rmsDbfs).toBeCloseTo(-3.0103, 4);
    expect(l.peakDbfs).toBeCloseTo(0, 6);
  });

  it('gives digital silence, and an empty frame, -Infinity', () => {
    expect(frameLevel(new Array<number>(480).fill(0))).toEqual({ rmsDbfs: -Infinity, peakDbfs: -Infinity });
    expect(frameLevel([])).toEqual({ rmsDbfs: -Infinity, peakDbfs: -Infinity });
  });

  it('takes the peak of negative samples by their magnitude: [0.1, -0.01] has peak -20 dBFS and RMS 20·log10(√0.00505) = -22.967 dBFS', () => {
    const l = frameLevel([0.1, -0.01]);
    expect(l.peakDbfs).toBeCloseTo(-20, 6);
    expect(l.rmsDbfs).toBeCloseTo(-22.967, 3);
  });
});

describe('micLevelFigures', () => {
  it('keeps the loudest frame, the loudest peak and the share of frames at the ceiling', () => {
    // 4 frames, one of them at -0.05 dBFS (>= -0.1): 25 %.
    const f = micLevelFigures([frame(-60), frame(-30, -12), frame(-3, -0.05), frame(-Infinity)], MIC_THRESHOLDS.clipAtDbfs);
    expect(f).toEqual({ frames: 4, loudestRmsDbfs: -3, peakDbfs: -0.05, clippedPct: 25 });
  });

  it('has no level for no frame', () => {
    expect(micLevelFigures([], -0.1)).toEqual({ frames: 0, loudestRmsDbfs: null, peakDbfs: null, clippedPct: 0 });
  });
});

describe('classifyMicLevel', () => {
  const figures = (frames: FrameLevel[]) => micLevelFigures(frames, MIC_THRESHOLDS.clipAtDbfs);

  it('says silent for digital zeros, for a loudest frame just under -70 dBFS, and for no frame at all', () => {
    expect(classifyMicLevel(figures(Array.from({ length: 100 }, () => frameLevel(new Array<number>(480).fill(0)))))).toBe('silent');
    expect(classifyMicLevel(figures([frame(-70.01), frame(-90)]))).toBe('silent');
    expect(classifyMicLevel(figures([]))).toBe('silent');
  });

  it('says too quiet from -70 dBFS up to just under -45 dBFS', () => {
    expect(classifyMicLevel(figures([frame(-70)]))).toBe('too-quiet');
    expect(classifyMicLevel(figures([frame(-45.01), frame(-80)]))).toBe('too-quiet');
  });

  it('says ok from -45 dBFS, with a few frames touching the ceiling (a knock, a cough)', () => {
    expect(classifyMicLevel(figures([frame(-45)]))).toBe('ok');
    // 1 frame in 10 at full scale (a beep, as Chromium's fake microphone sends): 10 % < 25 %.
    const beeps = Array.from({ length: 50 }, (_, i) => (i % 10 === 0 ? frameLevel(square(1)) : frameLevel(sine(0.01))));
    expect(classifyMicLevel(figures(beeps))).toBe('ok');
  });

  it('says clipping from a quarter of the frames at the ceiling, whatever the level', () => {
    // 1 in 4 frames a full-scale square (peak 0 dBFS): exactly 25 %.
    const held = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? frameLevel(square(1)) : frameLevel(sine(0.3))));
    expect(micLevelFigures(held, MIC_THRESHOLDS.clipAtDbfs).clippedPct).toBe(25);
    expect(classifyMicLevel(figures(held))).toBe('clipping');
    // Just under a quarter (9 of 40 = 22.5 %) is ok.
    const brief = Array.from({ length: 40 }, (_, i) => (i < 9 ? frameLevel(square(1)) : frameLevel(sine(0.3))));
    expect(classifyMicLevel(figures(brief))).toBe('ok');
  });
});
