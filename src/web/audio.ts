import type { AudioChoice, AudioHandle } from '../session/run-session.js';

/**
 * An Opus audio track for getStats' second opinion (RTCP RTT and loss, inbound jitter).
 * 'fake-device' uses getUserMedia (headless runs start Chromium with a fake microphone);
 * 'webaudio' needs no permission but adds a 2-3 ms jitter floor to inbound-rtp jitter; it
 * stands in for 'fake-device' where the page is not a secure context.
 */
export async function openAudio(choice: AudioChoice): Promise<AudioHandle> {
  // An insecure origin (http:// to a host other than loopback) has no getUserMedia: the Web Audio
  // tone needs no permission, and the report names the source used.
  if (choice === 'fake-device' && (navigator.mediaDevices as MediaDevices | undefined) === undefined) return openAudio('webaudio');
  if (choice === 'fake-device') {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    return { stream, source: 'fake-device', stop: () => stream.getTracks().forEach((t) => t.stop()) };
  }
  if (choice === 'webaudio') {
    const ctx = new AudioContext();
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
    };
  }
  return { stream: null, source: 'none', stop: () => undefined };
}
