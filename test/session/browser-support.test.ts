import { describe, expect, it } from 'vitest';
import { missingApis, unsupportedMessage } from '../../src/session/browser-support.js';

/** What a browser with everything the test needs has (the names only matter, not what they do). */
const complete = (): Record<string, unknown> => ({
  RTCPeerConnection: class {
    createDataChannel(): void {}
  },
  WebSocket: function WebSocket(): void {},
  Worker: function Worker(): void {},
  performance: { now: () => 0 },
  crypto: { getRandomValues: () => undefined },
});

describe('what a browser must have to run the test', () => {
  it('nothing missing in a complete browser', () => {
    expect(missingApis(complete())).toEqual([]);
  });

  it('WebKitGTK without WebRTC: RTCPeerConnection and its data channels', () => {
    const g = complete();
    delete g['RTCPeerConnection'];
    expect(missingApis(g)).toEqual(['RTCPeerConnection', 'RTCDataChannel']);
    expect(unsupportedMessage(missingApis(g))).toBe(
      'This browser cannot run the test: it lacks RTCPeerConnection (WebRTC, which carries the probes), RTCDataChannel (WebRTC data channels, which carry the probes where the audio stream cannot). Use a current version of Chrome, Edge, Firefox or Safari.',
    );
  });

  it('each required API on its own', () => {
    for (const [key, name] of [
      ['WebSocket', 'WebSocket'],
      ['Worker', 'Worker'],
      ['performance', 'performance.now'],
      ['crypto', 'crypto.getRandomValues'],
    ] as const) {
      const g = { ...complete(), [key]: undefined };
      expect(missingApis(g)).toEqual([name]);
    }
  });
});
