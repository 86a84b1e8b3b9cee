/**
 * The echo test's state from its figures (../measure/echo-cuts.ts): ok when the voice came back
 * whole, cut when loss or late frames cut it, no-audio-back when frames went and none came
 * back. Never graded into the verdict. Pure.
 */
import type { EchoFigures } from '../measure/echo-cuts.js';
import type { EchoCheck } from '../schema/devices-schema.js';

type EchoState = EchoCheck['state'];

/** The state of an echo test that ran (a test that could not start is failed or skipped where it stopped). */
export function echoState(f: Pick<EchoFigures, 'framesSent' | 'framesBack' | 'cuts'>): EchoState {
  if (f.framesSent === 0) return 'failed';
  if (f.framesBack === 0) return 'no-audio-back';
  return f.cuts.length > 0 ? 'cut' : 'ok';
}
