import type { AudioChoice, AudioHandle } from '../session/run-session.js';

/**
 * An Opus audio track for getStats' second opinion (RTCP RTT and loss, inbound jitter).
 * 'fake-device' uses getUserMedia (headless runs start Chromium with a fake microphone);
 * 'webaudio' needs no permission but adds a 2-3 ms jitter floor to inbound-rtp jitter; it
 * stands in for 'fake-device' where the page is not a secure context.
 */
export async function openAudio(choice: AudioChoice): Promise<AudioHandle> {
  // Outside a secure context (a plain http:// page on anything but localhost) there is no
  // navigator.mediaDevices: the test falls back to a WebAudio track rather than failing.
  const media = (navigator as Partial<Navigator>).mediaDevices;
  if (choice === 'fake-device' && media) {
    const stream = await media.getUserMedia({ audio: true, video: false });
    return { stream, source: 'fake-device', stop: () => stream.getTracks().forEach((t) => t.stop()) };
  }
  if (choice === 'webaudio' || choice === 'fake-device') {
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
