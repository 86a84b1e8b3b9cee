import { openNoiseVideo } from './video-source.js';
import type { SessionEnv } from '../session/env.js';
import { checkPort, explainTlsTimeout } from '../session/net/port-check.js';
import { gatherNat } from '../session/net/nat-gather.js';
import { StatsSampler } from '../session/stats/sampler.js';
import { openAudio, type PrimedAudio } from './audio.js';
import { missingApis } from '../session/browser-support.js';
import { Pacer } from './pacer/pacer.js';
import { loadSimplePeer } from './simple-peer-loader.js';
import { PageWatch } from './visibility.js';
import { openRtpLeg } from '../session/rtp/leg.js';
import { browserLoadTransport } from '../session/load/transport.js';

/**
 * The page's environment for a test session: the browser check, the pacing worker, the audio
 * source (on the AudioContext the Start click made, when it made one), the page watch, the relay
 * port checks, the NAT check, getStats, the RTP probe leg and the locate of a hub's edges, all on the browser's own WebRTC and WebSocket.
 */
export function pageEnv(primed: PrimedAudio | null = null): SessionEnv {
  return {
    missingApis: () => missingApis(globalThis as unknown as Record<string, unknown>),
    loadSimplePeer,
    createPacer: (o) => new Pacer(o),
    openAudio: (choice) => openAudio(choice, primed),
    createWatch: () => new PageWatch(),
    checkPort: async (entry, credentials) => explainTlsTimeout(await checkPort(entry, credentials), location.origin),
    gatherNat: (stun) => gatherNat(stun),
    createStats: (pc, audioSource, inboundPc) => new StatsSampler(pc, audioSource, inboundPc),
    userAgent: navigator.userAgent,
    openRtpLeg,
    loadTransport: browserLoadTransport,
    video: { openSource: openNoiseVideo, createPeerConnection: (config) => new RTCPeerConnection(config) },
    relayRtt: { createPeerConnection: (config) => new RTCPeerConnection(config), now: () => performance.now() },
  };
}
