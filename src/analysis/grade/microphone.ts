/**
 * The microphone check's state from its level figures (../measure/mic-level.ts): silent, too
 * quiet, clipping or ok. Whether the browser gave a microphone at all (denied, absent) is the
 * page's to say; this judges only what one that was given sent. Pure.
 *
 * The thresholds, in dBFS (0 is full scale):
 * - silent: the loudest 50 ms frame stays under -70 dBFS RMS. A muted input (the system's mute,
 *   a headset's switch) sends digital zeros; a live microphone in a quiet room still hears its
 *   own noise and the room, well above -70.
 * - too quiet: the loudest frame stays under -45 dBFS RMS. Speech close to a working microphone
 *   reaches -30 to -15 dBFS; under -45, the other side strains to hear it.
 * - clipping: at least a quarter of the frames reach -0.1 dBFS, the ceiling. One knock or
 *   cough that touches the ceiling is not a setting to change; a voice held there is.
 */
import type { MicLevelFigures } from '../measure/mic-level.js';

export const MIC_THRESHOLDS = { silentBelowDbfs: -70, quietBelowDbfs: -45, clipAtDbfs: -0.1, clippingFromPct: 25 } as const;

export type MicLevelState = 'ok' | 'silent' | 'too-quiet' | 'clipping';

/** The state of a microphone that sent `f` (no frame at all is silent). */
export function classifyMicLevel(f: MicLevelFigures): MicLevelState {
  if (f.loudestRmsDbfs === null || f.loudestRmsDbfs < MIC_THRESHOLDS.silentBelowDbfs) return 'silent';
  if (f.clippedPct >= MIC_THRESHOLDS.clippingFromPct) return 'clipping';
  if (f.loudestRmsDbfs < MIC_THRESHOLDS.quietBelowDbfs) return 'too-quiet';
  return 'ok';
}
