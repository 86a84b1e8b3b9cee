import type { AudioChoice, AudioHandle } from '../session/env.js';
import { errorLine } from '../session/net/errors.js';

/**
 * An AudioContext made in the Start click itself, before the first await. Safari (and Firefox)
 * keep a context created later, without the user's gesture, suspended (W3C Web Audio API,
 * "allowed to start"; WebKit's autoplay policy): its track may then carry nothing. `taken` is set
 * when the test's audio track uses it (it then closes it); otherwise the page closes it.
 */
export interface PrimedAudio {
  ctx: AudioContext;
  taken: boolean;
  /** Why resume() failed, when it did (read when the track is opened). */
  resumeError: string | null;
}

/** Makes and resumes the context in the gesture (also for 'fake-device', which falls back to it); null without audio or Web Audio. */
export function primeAudio(choice: AudioChoice): PrimedAudio | null {
  if (choice === 'none' || typeof AudioContext === 'undefined') return null;
  const primed: PrimedAudio = { ctx: new AudioContext(), taken: false, resumeError: null };
  // Not awaited: without a gesture (autostart) the promise waits for one that never comes.
  primed.ctx.resume().then(
    () => undefined,
    (err: unknown) => {
      primed.resumeError = errorLine(err);
    },
  );
  return primed;
}

/**
 * Whether this page may start audio without a click (an autostarted test, an embed): the
 * browser's own answer where it gives one (`navigator.getAutoplayPolicy`, W3C Autoplay Policy
 * Detection), else whether a context made now comes to run within `waitMs` (Chromium keeps one
 * made without a user gesture suspended under its default autoplay policy, and its resume()
 * never settles). True without Web Audio: the test then sends no audio track at all.
 */
export async function audioMayStart(waitMs = 1000): Promise<boolean> {
  if (typeof AudioContext === 'undefined') return true;
  const policy = (navigator as Navigator & { getAutoplayPolicy?: (type: 'audiocontext') => string }).getAutoplayPolicy?.('audiocontext');
  if (policy !== undefined) return policy === 'allowed';
  const ctx = new AudioContext();
  try {
    if (ctx.state === 'running') return true;
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      ctx.resume().then(
        () => {
          clearTimeout(timer);
          resolve(ctx.state === 'running');
        },
        () => {
          clearTimeout(timer);
          resolve(false);
        },
      );
    });
  } finally {
    void ctx.close();
  }
}

/** Closes a primed context the test did not take (it failed before opening its audio). */
export function releaseAudio(primed: PrimedAudio | null): void {
  if (primed === null || primed.taken) return;
  primed.taken = true;
  void primed.ctx.close();
}

/**
 * An Opus audio track for getStats' second opinion (RTCP RTT and loss, inbound jitter) and the
 * RTP probes' frames. 'fake-device' uses getUserMedia (headless runs start Chromium with a fake
 * microphone); 'webaudio' needs no permission but adds a 2-3 ms jitter floor to inbound-rtp
 * jitter; it stands in for 'fake-device' where the page is not a secure context or the
 * microphone is refused. What was taken instead of what was asked is said in `notes`.
 */
export async function openAudio(choice: AudioChoice, primed: PrimedAudio | null = null): Promise<AudioHandle> {
  const notes: string[] = [];
  // Outside a secure context (a plain http:// page on anything but localhost) there is no
  // navigator.mediaDevices: the test falls back to a WebAudio track rather than failing.
  const media = (navigator as Partial<Navigator>).mediaDevices;
  if (choice === 'fake-device' && media) {
    try {
      const stream = await media.getUserMedia({ audio: true, video: false });
      return { stream, source: 'fake-device', stop: () => stream.getTracks().forEach((t) => t.stop()) };
    } catch (err) {
      notes.push(`the microphone could not be opened (${errorLine(err)}): a WebAudio tone was sent instead`);
    }
  }
  if (choice === 'none') return { stream: null, source: 'none', stop: () => undefined };
  if (primed === null && typeof AudioContext === 'undefined') {
    notes.push('this browser has no Web Audio (AudioContext): no audio track was sent, so the probes rode the data channel');
    return { stream: null, source: 'none', stop: () => undefined, notes };
  }
  const ctx = primed?.ctx ?? new AudioContext();
  if (primed) primed.taken = true;
  if (ctx.state !== 'running') {
    const why = primed?.resumeError ? ` (${primed.resumeError})` : '';
    // Headless Firefox keeps it suspended even after a click (no audio output device): the reason is not the page's to know.
    notes.push(
      `the browser kept the audio context ${ctx.state}${why} (no user gesture reached it, or no audio output): the audio track may carry silence or nothing`,
    );
  }
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  gain.gain.value = 0.05;
  const dest = ctx.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  return {
    stream: dest.stream,
    source: 'webaudio',
    stop: () => {
      osc.stop();
      void ctx.close();
    },
    notes,
  };
}
