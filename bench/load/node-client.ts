import SimplePeer from 'simple-peer';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import type { ProfileSelection } from '../../src/analysis/schema/input.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { SimplePeerCtor, WrtcImpl } from '../../src/session/net/simple-peer.js';
import type { WebSocketCtor } from '../../src/session/net/signaling.js';
import { runSession } from '../../src/session/run-session.js';
import type { SessionEnv } from '../../src/session/env.js';
import { TimerPacer } from './timer-pacer.js';

/**
 * The Node environment of a test session: @roamhq/wrtc, the `ws` WebSocket and the timer
 * pacer. No audio track, no page watch, no port check and no getStats: the report has no
 * second opinion, lists no ports, and its path is the UDP relay entry it was told to use.
 */
function nodeEnv(): SessionEnv {
  return {
    loadSimplePeer: () => Promise.resolve(SimplePeer as unknown as SimplePeerCtor),
    createPacer: (o) => new TimerPacer(o),
    userAgent: `node ${process.version} @roamhq/wrtc`,
    wrtc: wrtc as unknown as WrtcImpl,
    WebSocketImpl: WebSocket as unknown as WebSocketCtor,
  };
}

export interface NodeClientOptions {
  baseUrl: string;
  durationS: number;
  profile: ProfileSelection;
  signal: AbortSignal;
}

/**
 * A light test client for load tests: the page's own session (src/session/run-session.ts)
 * in Node, reflector mode through the server's first UDP relay port.
 */
export function runNodeClient(o: NodeClientOptions): Promise<Report> {
  return runSession(
    {
      baseUrl: o.baseUrl,
      durationS: o.durationS,
      profile: o.profile,
      mode: 'reflector',
      turnPick: { transport: 'udp', port: null },
      override: null,
      audio: 'none',
      signal: o.signal,
      version: 'node-client',
    },
    nodeEnv(),
    { phase: () => undefined, live: () => undefined },
  );
}
