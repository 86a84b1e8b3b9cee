/**
 * The device check in words: one plain sentence per device, with the next step when something
 * is wrong, said the same on the page, by `callprobe run` and in the help desk console (tier 1
 * included: it names no device and no address). Pure.
 */
import type { CameraCheck, Devices, EchoCheck, MicrophoneCheck, SpeakerCheck } from '../schema/devices-schema.js';
import { fixed, ms, plural } from './format.js';

const MICROPHONE: Record<MicrophoneCheck['state'], string> = {
  ok: 'Your microphone works: it sent sound at a good level.',
  silent:
    'Your microphone sent no sound. Check that it is not muted in the system’s sound settings or by a switch on the headset, or choose another input, then check again.',
  'too-quiet': 'Your microphone is very quiet: others may not hear you. Move closer to it, or turn up its input level in the system’s sound settings.',
  clipping: 'Your microphone is too loud: your voice will sound distorted. Turn down its input level in the system’s sound settings, or move it further away.',
  denied: 'This browser was not allowed to use the microphone. Allow it in the site’s settings (beside the address), then check again.',
  absent: 'No microphone was found. Plug one in or choose another input, then check again.',
  'in-use': 'Your microphone is held by another app. Close that app, then check again.',
  'not-read': 'This browser gave the microphone but let the page read no sound level, so it could not be checked here.',
};

function speakerLine(s: SpeakerCheck): string {
  if (s.state === 'absent') return 'No speaker or headset was found.';
  if (s.state === 'failed') return 'The test tone could not play on this device.';
  if (s.heard === 'yes') return 'You heard the test tone: your speaker works.';
  if (s.heard === 'no')
    return 'You did not hear the test tone. Check the volume and the system’s output device, or choose another speaker, then play it again.';
  return 'The test tone played; no one answered whether it was heard.';
}

/** "1280×720 at 30 frames per second": pixel sizes as screens name them, without a thousands separator. */
const size = (v: { width: number; height: number; frameRate: number }): string =>
  `${String(Math.round(v.width))}×${String(Math.round(v.height))} at ${fixed(v.frameRate, 0)} frames per second`;

function cameraLine(c: CameraCheck): string {
  if (c.state === 'in-use') return 'Your camera is held by another app. Close that app, then check again.';
  if (c.state === 'denied') return 'This browser was not allowed to use the camera. Allow it in the site’s settings (beside the address), then check again.';
  if (c.state === 'absent') return 'No camera was found.';
  if (c.state === 'failed' || c.delivered === null) return 'Your camera gave no picture. Close other apps that may use it, or choose another camera.';
  const short = c.delivered.width < c.asked.width || c.delivered.height < c.asked.height || c.delivered.frameRate < c.asked.frameRate - 0.5;
  return `Your camera works: it sent ${size(c.delivered)}${short ? ` (asked for ${size(c.asked)})` : ''}.`;
}

/** A cut a listener hears as a short drop-out, not as missing words: at most this long, ms. */
const SHORT_CUT_MS = 200;

/** The echo test in one sentence: what came back, and where it was cut. */
export function echoLine(e: EchoCheck): string {
  if (e.state === 'skipped') return 'The echo test did not run: this browser or test server cannot run it, or the microphone gave no sound to send.';
  if (e.state === 'failed')
    return 'The echo test could not run this time: the microphone was not given, or the browser or the test server failed. Try it again.';
  if (e.state === 'no-audio-back') return 'Your voice went out through the test server, but none of it came back.';
  if (e.state === 'ok') return 'Your voice came back through the test server whole: this is how others would hear you.';
  const allMs = e.cuts.reduce((sum, c) => sum + c.ms, 0);
  const short = e.cuts.every((c) => c.ms <= SHORT_CUT_MS);
  return `Your voice came back through the test server with ${plural(e.cuts.length, short ? 'short cut' : 'cut')} (${ms(allMs)} of it in all: audio lost or late on the way).`;
}

/** One sentence per device checked, microphone first, then the echo test. */
export function devicesLines(d: Devices): string[] {
  return [
    ...(d.unattended ? ['Checked with the browser’s stand-in devices, with no one at the page.'] : []),
    ...(d.microphone === null ? [] : [MICROPHONE[d.microphone.state]]),
    ...(d.speaker === null ? [] : [speakerLine(d.speaker)]),
    ...(d.camera === null ? [] : [cameraLine(d.camera)]),
    ...(d.echo === undefined || d.echo === null ? [] : [echoLine(d.echo)]),
  ];
}

/** The microphone's sentence alone (the first thing the page says of the devices). */
export function microphoneLine(m: MicrophoneCheck): string {
  return MICROPHONE[m.state];
}
