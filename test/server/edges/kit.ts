/** A heartbeat as an edge on loopback sends it, for the registry's tests. */
import type { EdgeHeartbeat } from '../../../src/protocol/api-edges.js';
import { SIGNAL_PROTOCOL } from '../../../src/protocol/api.js';

export function sampleBeat(over: Partial<EdgeHeartbeat> = {}): EdgeHeartbeat {
  return {
    azureRegion: 'West Europe',
    state: 'ready',
    version: '0.1.0',
    startedAtMs: Date.UTC(2026, 0, 15, 11),
    load: { sessions: 0, maxSessions: 50 },
    urls: {
      http: 'http://127.0.0.1:18201',
      signal: 'http://127.0.0.1:18201/api/signal',
      turn: [{ url: 'turn:127.0.0.1:3678?transport=udp', transport: 'udp', port: 3678 }],
    },
    turnSecret: 'edge-secret-0123456789abcdef',
    relay: 'embedded',
    rtpReflector: true,
    signalProtocol: SIGNAL_PROTOCOL,
    notOffered: [{ transport: 'tls', reason: 'no certificate' }],
    ...over,
  };
}
