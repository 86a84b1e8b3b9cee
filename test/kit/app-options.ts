import type { AppOptions } from '../../server/http/app.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';

/** The smallest AppOptions for HTTP tests that need no relay: an external relay, no reflector, the default signalling limits. */
export function appOptionsWithoutRelay(webRoot: string): AppOptions {
  return {
    webRoot,
    version: '9.9.9-test',
    secret: 'app-test-secret',
    credentialTtlS: 600,
    turn: [],
    notOffered: [],
    relay: 'external',
    reflectorAddress: null,
    rtpReflector: false,
    relayEndpoints: { addresses: [], portRange: { min: 0, max: 0 } },
    maxSessions: 1,
    maxSessionMs: 60_000,
    payloadBytes: DEFAULTS.payloadBytes,
    signalLimits: DEFAULTS.signalling,
    allowedOrigins: [],
    configPerMinutePerSource: DEFAULTS.signalling.configPerMinutePerSource,
    allowEndpoint: () => () => undefined,
    metricsText: () => '',
    logLevel: 'silent',
  };
}
