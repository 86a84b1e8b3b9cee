/**
 * The device check in words: one plain sentence per device, with the next step when something
 * is wrong, said the same on the page, by `callprobe run` and in the help desk console (tier 1
 * included: it names no device and no address). Pure.
 */
import type { CameraCheck, Devices, EchoCheck, MicrophoneCheck, SpeakerCheck } from '../schema/devices-schema.js';
import { EN, type Messages } from './catalogue.js';

function speakerLine(s: SpeakerCheck, m: Messages): string {
  if (s.state === 'absent') return m.t('device.speaker.absent');
  if (s.state === 'failed') return m.t('device.speaker.failed');
  if (s.heard === 'yes') return m.t('device.speaker.heard');
  if (s.heard === 'no') return m.t('device.speaker.notHeard');
  return m.t('device.speaker.unanswered');
}

/** "1280×720 at 30 frames per second": pixel sizes as screens name them, without a thousands separator. */
const size = (v: { width: number; height: number; frameRate: number }, m: Messages): string =>
  m.t('device.camera.size', { width: String(Math.round(v.width)), height: String(Math.round(v.height)), fps: m.fmt.fixed(v.frameRate, 0) });

function cameraLine(c: CameraCheck, m: Messages): string {
  if (c.state === 'in-use') return m.t('device.camera.in-use');
  if (c.state === 'denied') return m.t('device.camera.denied');
  if (c.state === 'absent') return m.t('device.camera.absent');
  if (c.state === 'failed' || c.delivered === null) return m.t('device.camera.failed');
  const short = c.delivered.width < c.asked.width || c.delivered.height < c.asked.height || c.delivered.frameRate < c.asked.frameRate - 0.5;
  return short
    ? m.t('device.camera.worksShort', { size: size(c.delivered, m), asked: size(c.asked, m) })
    : m.t('device.camera.works', { size: size(c.delivered, m) });
}

/** A cut a listener hears as a short drop-out, not as missing words: at most this long, ms. */
const SHORT_CUT_MS = 200;

/** The echo test in one sentence, in `m`'s language: what came back, and where it was cut. */
export function echoLine(e: EchoCheck, m: Messages = EN): string {
  if (e.state === 'skipped') return m.t('device.echo.skipped');
  if (e.state === 'failed') return m.t('device.echo.failed');
  if (e.state === 'no-audio-back') return m.t('device.echo.noAudioBack');
  if (e.state === 'ok') return m.t('device.echo.ok');
  const all = m.fmt.ms(e.cuts.reduce((sum, c) => sum + c.ms, 0));
  const count = m.fmt.count(e.cuts.length);
  return e.cuts.every((c) => c.ms <= SHORT_CUT_MS)
    ? m.plural(e.cuts.length, 'device.echo.shortCuts.one', 'device.echo.shortCuts.other', { count, all })
    : m.plural(e.cuts.length, 'device.echo.cuts.one', 'device.echo.cuts.other', { count, all });
}

/** One sentence per device checked, microphone first, then the echo test, in `m`'s language. */
export function devicesLines(d: Devices, m: Messages = EN): string[] {
  return [
    ...(d.unattended ? [m.t('device.unattended')] : []),
    ...(d.microphone === null ? [] : [m.t(`device.mic.${d.microphone.state}`)]),
    ...(d.speaker === null ? [] : [speakerLine(d.speaker, m)]),
    ...(d.camera === null ? [] : [cameraLine(d.camera, m)]),
    ...(d.echo === undefined || d.echo === null ? [] : [echoLine(d.echo, m)]),
  ];
}

/** The microphone's sentence alone (the first thing the page says of the devices). */
export function microphoneLine(mic: MicrophoneCheck, m: Messages = EN): string {
  return m.t(`device.mic.${mic.state}`);
}
