/**
 * The echo test: the microphone, with a call's own processing (echo cancellation, noise
 * suppression, gain control), sent through the test server's relay as a call's Opus RTP stream
 * (the RTP leg alone, on the relay's first UDP entry: no ladder, no NAT check, no locate), echoed
 * by the reflector, and recorded as it came back, so the user hears themselves as a call's other
 * side would. Each frame is stamped for CONSTANTS.echo.seconds (the probe frame carries the Opus
 * frame, and the echo carries it back to the decoder); the pure analysis then marks where lost
 * or late frames cut the voice. Loaded only when the echo test starts. The recording stays on
 * the page: the report keeps the figures only.
 */
import { SIGNAL_KIND_PARAM } from '../../protocol/api.js';
import { CONSTANTS, DEFAULTS } from '../../protocol/defaults.js';
import { echoFigures, type EchoBack, type EchoSent } from '../../analysis/measure/echo-cuts.js';
import { echoState } from '../../analysis/grade/echo.js';
import type { EchoCheck } from '../../analysis/schema/devices-schema.js';
import { fetchServerConfig, iceServerFor } from '../../session/net/config.js';
import { SignalingClient } from '../../session/net/signaling.js';
import { wsUrl } from '../../session/connect.js';
import { openRtpLeg, type RtpLink } from '../../session/rtp/leg.js';
import type { SetupError } from '../../session/net/errors.js';

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const tenth = (v: number): number => Math.round(v * 10) / 10;

export interface EchoResult {
  check: EchoCheck;
  /** What came back, for the page to play (null: nothing recorded, or this browser cannot record). */
  recording: Blob | null;
}

const notRun = (state: 'failed' | 'skipped'): EchoResult => ({
  check: { state, seconds: 0, framesSent: 0, framesBack: 0, lostPct: 0, latePct: 0, lateMs: CONSTANTS.echo.lateMs, cuts: [] },
  recording: null,
});

/** The echo test not run (a microphone that gave no sound has nothing to echo). */
export const skippedEcho = (): EchoCheck => notRun('skipped').check;

/** Records `track` until `stop` is called (null when this browser has no MediaRecorder). */
function recordTrack(track: MediaStreamTrack | undefined): { stop(): Promise<Blob | null> } {
  if (track === undefined || typeof MediaRecorder === 'undefined') return { stop: () => Promise.resolve(null) };
  const stream = new MediaStream([track]);
  // Chromium pulls a received audio track's samples only while a media element plays it (a muted one here: the user hears it after).
  const sink = new Audio();
  sink.muted = true;
  sink.srcObject = stream;
  sink.play().catch((err: unknown) => console.warn(`callprobe: echo test: the returned audio would not play (${String(err)})`));
  const recorder = new MediaRecorder(stream);
  const chunks: Blob[] = [];
  recorder.ondataavailable = (ev) => chunks.push(ev.data);
  recorder.start();
  return {
    stop: () =>
      new Promise<Blob | null>((resolve) => {
        recorder.onstop = () => {
          sink.srcObject = null;
          resolve(chunks.length === 0 ? null : new Blob(chunks, { type: recorder.mimeType }));
        };
        recorder.stop();
      }),
  };
}

/** Stamps the microphone's frames for CONSTANTS.echo.seconds on a connected leg, records what comes back, and measures it. */
async function echoOn(link: RtpLink): Promise<EchoResult> {
  const sent: EchoSent[] = [];
  const back: EchoBack[] = [];
  link.setSink({
    sent: (probes) => {
      for (const [probeSeq, sendMs] of probes) sent.push({ probeSeq, sendMs });
    },
    echoes: (echoes) => {
      for (const e of echoes) back.push({ probeSeq: e.upSeq, recvMs: e.arrivalMs });
    },
    error: (message) => console.warn(`callprobe: echo test: ${message}`),
  });
  const recording = recordTrack(link.pc.getReceivers()[0]?.track);
  const startMs = performance.now();
  link.arm();
  await wait(CONSTANTS.echo.seconds * 1000);
  link.disarm();
  const seconds = (performance.now() - startMs) / 1000;
  await wait(CONSTANTS.echo.drainMs);
  await link.flush();
  const blob = await recording.stop();
  const f = echoFigures(sent, back, CONSTANTS.echo);
  return {
    check: {
      state: echoState(f),
      seconds: tenth(seconds),
      framesSent: f.framesSent,
      framesBack: f.framesBack,
      lostPct: tenth(f.lostPct),
      latePct: tenth(f.latePct),
      lateMs: CONSTANTS.echo.lateMs,
      cuts: f.cuts.slice(0, 64).map((c) => ({ atMs: Math.round(c.atMs), ms: Math.round(c.ms), why: c.why })),
    },
    recording: blob,
  };
}

/**
 * Runs the echo test against the test server at `baseUrl`. Skipped where the browser has no
 * encoded transform or the server no RTP reflector; failed (never the network's verdict) when
 * the microphone, the browser or the test server let it send nothing.
 */
export async function runEchoTest(baseUrl: string): Promise<EchoResult> {
  if (typeof RTCRtpScriptTransform === 'undefined') return notRun('skipped');
  let cfg;
  try {
    cfg = await fetchServerConfig(baseUrl);
  } catch (err) {
    console.warn(`callprobe: echo test: ${err instanceof Error ? err.message : String(err)}`);
    return notRun('failed');
  }
  const entry = cfg.turn.find((e) => e.transport === 'udp');
  if (cfg.reflectorPath === null || !cfg.rtpReflector || entry === undefined) return notRun('skipped');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    console.warn(`callprobe: echo test: the microphone was not given (${err instanceof Error ? err.name : String(err)})`);
    return notRun('failed');
  }
  const url = new URL(wsUrl(baseUrl, cfg.reflectorPath));
  url.searchParams.set(SIGNAL_KIND_PARAM, 'echo');
  const abort = new AbortController();
  let fail: (err: SetupError) => void = () => undefined;
  let accept: (d: Parameters<ReturnType<typeof openRtpLeg>['accept']>[0]) => void = () => undefined;
  const signaling = new SignalingClient(
    url.toString(),
    (data, leg) => {
      if (leg === 'rtp') accept(data);
    },
    (err) => fail(err),
  );
  const start = openRtpLeg({
    iceServers: [iceServerFor(entry, cfg)],
    stream,
    sendSignal: (d) => signaling.send(d, 'rtp'),
    timeoutMs: DEFAULTS.connectTimeoutMs,
    signal: abort.signal,
    arrivals: 'worker',
  });
  accept = start.accept;
  fail = start.fail;
  let link: RtpLink | null = null;
  try {
    link = await start.ready;
    return await echoOn(link);
  } catch (err) {
    console.warn(`callprobe: echo test: ${err instanceof Error ? err.message : String(err)}`);
    return notRun('failed');
  } finally {
    link?.close();
    abort.abort();
    signaling.close();
    for (const t of stream.getTracks()) t.stop();
  }
}
