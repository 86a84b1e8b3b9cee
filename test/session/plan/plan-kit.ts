/**
 * What the plan's table tests start from: a server's config, run options and the environment's
 * capabilities, each a function of what a test changes.
 */
import { SIGNAL_PROTOCOL, type ServerConfig, type TurnServerEntry } from '../../../src/protocol/api.js';
import type { RunOptions } from '../../../src/session/env.js';
import type { TestCapabilities } from '../../../src/session/plan/test-plan.js';

export const ENTRY: TurnServerEntry = { url: 'turn:relay.example:3478?transport=udp', transport: 'udp', port: 3478 };

/** A callprobe serve of this release, with its RTP reflector and a busy line of 50 MB and 4 flows. */
export function serverConfig(over: Partial<ServerConfig> = {}): ServerConfig {
  return {
    callprobeVersion: '1.0.0',
    username: 'u',
    credential: 'c',
    credentialExpiresAtMs: 0,
    turn: [ENTRY],
    notOffered: [],
    reflectorPath: '/signal',
    rtpReflector: true,
    relay: 'embedded',
    signalProtocol: SIGNAL_PROTOCOL,
    load: { maxBytesPerDirection: 50_000_000, maxFlowsPerSource: 4 },
    ...over,
  };
}

/** A 15 s client-to-edge test on the page's defaults. */
export function runOptions(over: Partial<RunOptions> = {}): RunOptions {
  return {
    baseUrl: 'https://callprobe.example',
    durationS: 15,
    profile: { id: 'client-to-edge' },
    mode: 'auto',
    turnPick: null,
    override: null,
    audio: 'none',
    signal: new AbortController().signal,
    version: 'test',
    ...over,
  };
}

/** A browser that can do everything the plan asks about. */
export const ALL_CAPS: TestCapabilities = { portChecks: true, rtpLeg: true, rtpTransforms: true, loadTransport: true };

export const FACTS = { startedAt: '2025-01-02T03:04:05.000Z', userAgent: 'ua' };
