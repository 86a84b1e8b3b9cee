/**
 * A microphone's level over the device check, from its audio samples (floats, -1..1): each
 * frame's RMS and peak in dBFS (decibels relative to full scale, a full-scale sine's RMS being
 * -3.01 dBFS), then the figures of the whole check. Pure.
 */

/** The level of one frame of samples. */
export interface FrameLevel {
  /** 20·log10 of the frame's root mean square; -Infinity for digital silence. */
  rmsDbfs: number;
  /** 20·log10 of the frame's largest absolute sample; -Infinity for digital silence. */
  peakDbfs: number;
}

/** What the whole check heard. */
export interface MicLevelFigures {
  frames: number;
  /** The loudest frame's RMS, dBFS (null: no frame). */
  loudestRmsDbfs: number | null;
  /** The loudest sample, dBFS (null: no frame). */
  peakDbfs: number | null;
  /** Frames whose peak reached the clipping level, percent of all frames. */
  clippedPct: number;
}

const dbfs = (amplitude: number): number => (amplitude > 0 ? 20 * Math.log10(amplitude) : -Infinity);

/** The RMS and peak of one frame of samples (an empty frame is digital silence). */
export function frameLevel(samples: ArrayLike<number>): FrameLevel {
  let squares = 0;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] ?? 0;
    squares += x * x;
    peak = Math.max(peak, Math.abs(x));
  }
  return { rmsDbfs: samples.length === 0 ? -Infinity : dbfs(Math.sqrt(squares / samples.length)), peakDbfs: dbfs(peak) };
}

/** The figures of a check's frames; a frame clipped when its peak is at or above `clipDbfs`. */
export function micLevelFigures(frames: readonly FrameLevel[], clipDbfs: number): MicLevelFigures {
  if (frames.length === 0) return { frames: 0, loudestRmsDbfs: null, peakDbfs: null, clippedPct: 0 };
  let loudest = -Infinity;
  let peak = -Infinity;
  let clipped = 0;
  for (const f of frames) {
    loudest = Math.max(loudest, f.rmsDbfs);
    peak = Math.max(peak, f.peakDbfs);
    if (f.peakDbfs >= clipDbfs) clipped++;
  }
  return { frames: frames.length, loudestRmsDbfs: loudest, peakDbfs: peak, clippedPct: (100 * clipped) / frames.length };
}
