/**
 * The device check's measurements in the browser: the microphone's level (read every 50 ms for
 * a few seconds, judged by the pure analysis), a short tone on the chosen output, and the
 * camera's delivered size and frame rate. Loaded only when the device step opens (or a headless
 * run asks for it): none of it is in the page's first bundle. Nothing is recorded: each
 * frame's level is kept, never its samples.
 */
import { frameLevel, micLevelFigures, type FrameLevel } from '../../analysis/measure/mic-level.js';
import { classifyMicLevel, MIC_THRESHOLDS } from '../../analysis/grade/microphone.js';
import type { CameraCheck, Devices, MicrophoneCheck, SpeakerCheck } from '../../analysis/schema/devices-schema.js';

/** How long the microphone is listened to, s; how often its level is read, ms. */
export const MIC_SECONDS = 5;
const FRAME_MS = 50;
/** How long the camera's frames are counted, ms; the tone's length, s, frequency, Hz, and gain. */
const CAMERA_COUNT_MS = 2000;
const TONE_S = 1;
const TONE_HZ = 440;
const TONE_GAIN = 0.2;
/** What the camera is asked for: a call's usual HD picture. */
const CAMERA_ASK = { width: 1280, height: 720, frameRate: 30 } as const;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The state a refused getUserMedia means, by its DOMException name. */
function refusal(err: unknown): 'denied' | 'absent' | 'in-use' | 'failed' {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'absent';
  if (name === 'NotReadableError' || name === 'AbortError') return 'in-use';
  return 'failed';
}

const toDbfs = (v: number): number | null => (Number.isFinite(v) ? Math.max(-200, Math.min(0, Math.round(v * 10) / 10)) : null);

/** What the microphone check found, with the device's label for the page (never put in the report). */
export interface MicResult {
  check: MicrophoneCheck;
  label: string;
}

/**
 * Listens to the microphone (`deviceId`, or the default one) for MIC_SECONDS with the browser's
 * processing off (echo cancellation, noise suppression and gain control would hide a silent or
 * clipping input), calling `onLevel` with each frame's RMS level, dBFS.
 */
export async function checkMicrophone(deviceId: string | null, onLevel: (rmsDbfs: number) => void = () => undefined): Promise<MicResult> {
  const none = (state: MicrophoneCheck['state']): MicResult => ({
    check: { state, seconds: 0, loudestRmsDbfs: null, peakDbfs: null, clippedPct: null },
    label: '',
  });
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { ...(deviceId === null ? {} : { deviceId: { exact: deviceId } }), echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch (err) {
    const r = refusal(err);
    return none(r === 'failed' ? 'not-read' : r);
  }
  const track = stream.getAudioTracks()[0];
  const ctx = new AudioContext();
  try {
    await ctx.resume();
    if (ctx.state !== 'running') return { ...none('not-read'), label: track?.label ?? '' };
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const frames: FrameLevel[] = [];
    const startMs = performance.now();
    while (performance.now() - startMs < MIC_SECONDS * 1000) {
      await wait(FRAME_MS);
      analyser.getFloatTimeDomainData(samples);
      const f = frameLevel(samples);
      frames.push(f);
      onLevel(f.rmsDbfs);
    }
    const figures = micLevelFigures(frames, MIC_THRESHOLDS.clipAtDbfs);
    return {
      check: {
        state: classifyMicLevel(figures),
        seconds: Math.round((performance.now() - startMs) / 100) / 10,
        loudestRmsDbfs: toDbfs(figures.loudestRmsDbfs ?? -Infinity),
        peakDbfs: toDbfs(figures.peakDbfs ?? -Infinity),
        clippedPct: Math.round(figures.clippedPct * 10) / 10,
      },
      label: track?.label ?? '',
    };
  } finally {
    for (const t of stream.getTracks()) t.stop();
    await ctx.close();
  }
}

/** Whether this browser can send a tone to an output other than the default one. */
export function canChooseOutput(): boolean {
  return typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype;
}

/** Plays a one-second 440 Hz tone on `sinkId` (null: the default output). */
export async function playTone(sinkId: string | null): Promise<Pick<SpeakerCheck, 'state' | 'chosenOutput'>> {
  const ctx = new AudioContext();
  const chosenOutput = sinkId !== null && sinkId !== '' && canChooseOutput();
  try {
    if (chosenOutput) {
      try {
        await (ctx as AudioContext & { setSinkId(id: string): Promise<void> }).setSinkId(sinkId);
      } catch (err) {
        return { state: refusal(err) === 'absent' ? 'absent' : 'failed', chosenOutput };
      }
    }
    await ctx.resume();
    if (ctx.state !== 'running') return { state: 'failed', chosenOutput };
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = TONE_HZ;
    gain.gain.value = TONE_GAIN;
    osc.connect(gain).connect(ctx.destination);
    const ended = new Promise<void>((resolve) => osc.addEventListener('ended', () => resolve(), { once: true }));
    osc.start();
    osc.stop(ctx.currentTime + TONE_S);
    await ended;
    return { state: 'played', chosenOutput };
  } finally {
    await ctx.close();
  }
}

/** Counts the frames `video` shows over `ms` (requestVideoFrameCallback), or null where the browser has none. */
async function countFrames(video: HTMLVideoElement, ms: number): Promise<number | null> {
  if (typeof video.requestVideoFrameCallback !== 'function') return null;
  let frames = 0;
  let running = true;
  const tick = (): void => {
    frames++;
    if (running) video.requestVideoFrameCallback(tick);
  };
  video.requestVideoFrameCallback(tick);
  await wait(ms);
  running = false;
  return (frames * 1000) / ms;
}

/**
 * Opens the camera (`deviceId`, or the default one) into `video` (a preview the page shows, or
 * one of its own), asking for 1280×720 at 30 frames per second, and says what it delivered.
 * `keep`: leave the preview running (the page stops it with `stopPreview`).
 */
export async function checkCamera(deviceId: string | null, video: HTMLVideoElement, keep = false): Promise<CameraCheck> {
  const asked = { ...CAMERA_ASK };
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: {
        ...(deviceId === null ? {} : { deviceId: { exact: deviceId } }),
        width: { ideal: asked.width },
        height: { ideal: asked.height },
        frameRate: { ideal: asked.frameRate },
      },
    });
  } catch (err) {
    return { state: refusal(err), asked, delivered: null, frameRateSource: null };
  }
  try {
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play();
    const counted = await countFrames(video, CAMERA_COUNT_MS);
    const s = stream.getVideoTracks()[0]?.getSettings() ?? {};
    const width = s.width ?? video.videoWidth;
    const height = s.height ?? video.videoHeight;
    const frameRate = counted ?? s.frameRate ?? null;
    if (counted === 0 || frameRate === null || width === 0) return { state: 'failed', asked, delivered: null, frameRateSource: null };
    return {
      state: 'ok',
      asked,
      delivered: { width, height, frameRate: Math.round(frameRate * 10) / 10 },
      frameRateSource: counted === null ? 'settings' : 'counted',
    };
  } catch (err) {
    // The camera was given but its picture would not play: said as failed, with the browser's reason in the console.
    console.warn(`callprobe: the camera's preview did not play (${err instanceof Error ? err.message : String(err)})`);
    return { state: 'failed', asked, delivered: null, frameRateSource: null };
  } finally {
    if (!keep) stopPreview(video);
  }
}

/** Stops a camera preview and its tracks. */
export function stopPreview(video: HTMLVideoElement): void {
  const s = video.srcObject;
  if (s instanceof MediaStream) for (const t of s.getTracks()) t.stop();
  video.srcObject = null;
}

/**
 * The whole check with no one at the page (`callprobe run --devices`, the browser's fake
 * devices): the microphone, the tone on the default output (nobody asked), the camera, and the
 * echo test through the page's own server when the microphone gave sound.
 */
export async function unattendedDeviceCheck(progress: (line: string) => void): Promise<Devices> {
  progress('devices: listening to the microphone');
  const mic = await checkMicrophone(null);
  progress(`devices: microphone ${mic.check.state}`);
  const tone = await playTone(null);
  progress(`devices: test tone ${tone.state}`);
  const camera = await checkCamera(null, document.createElement('video'));
  progress(`devices: camera ${camera.state}`);
  progress('devices: echo test through the relay');
  const { runEchoTest, skippedEcho } = await import('./echo.js');
  // A microphone that gave no sound (or none at all) has nothing to echo: 5 s of silence through the relay would tell no one anything.
  const heard = mic.check.state === 'ok' || mic.check.state === 'too-quiet' || mic.check.state === 'clipping';
  const echo = heard ? (await runEchoTest(location.origin)).check : skippedEcho();
  progress(`devices: echo ${echo.state}, ${String(echo.framesBack)} of ${String(echo.framesSent)} frames back`);
  return { unattended: true, microphone: mic.check, speaker: { ...tone, heard: 'not-asked' }, camera, echo };
}
