import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../server/http/app.js';
import type { ReflectorRelayServer } from '../../server/reflector/channel-leg.js';
import type { ReflectorParts } from '../../server/dataplane/plane.js';
import type { ReflectorSessions } from '../../server/dataplane/sessions.js';
import { localSessions } from '../../server/dataplane/local.js';
import type { ResultStore } from '../../server/store/types.js';
import { TestKitError } from './errors.js';
import { defaultAppOptions } from '../../server/config/options.js';

type AppResults = NonNullable<AppOptions['results']>;

/**
 * The smallest AppOptions for HTTP tests that need no relay: serve's app defaults
 * (defaultAppOptions: an external relay, no reflector, no store, the console closed, no
 * busy-line phase, the default limits) over the test's page folder, a fixed secret and
 * version, one short reflector session and no log lines.
 */
export function appOptionsWithoutRelay(webRoot: string): AppOptions {
  return {
    ...defaultAppOptions(),
    webRoot,
    version: '9.9.9-test',
    secret: 'app-test-secret',
    credentialTtlS: 600,
    maxSessions: 1,
    logLevel: 'silent',
  };
}

/**
 * The data-channel leg's relay for HTTP tests whose sessions never get as far as an offer (there
 * is no relay behind it: a leg that gathered would find none).
 */
export function unusedRelay(sessionId: string): ReflectorRelayServer {
  return { url: 'turn:127.0.0.1:9?transport=udp', username: `0:reflector.${sessionId}`, credential: 'none' };
}

const quiet = (): void => undefined;

/**
 * The reflector's sessions on a data plane in the test's own process (as `serve --workers 0`
 * runs them), quiet: one address, 127.0.0.1, that page candidates may point at on any port (the
 * kit's clients signal loopback host candidates: no relay here), 160-byte probes, sessions of a
 * minute at most, the RTP leg answered on the native data path, endpoints opened nowhere, unless
 * `parts` says otherwise.
 * The app's close ends its sessions (the signalling plugin closes each).
 */
export function localReflector(parts: Partial<ReflectorParts> & Pick<ReflectorParts, 'relayServer'>): ReflectorSessions {
  const sessions = localSessions(
    {
      address: '127.0.0.1',
      relayEndpoints: { addresses: ['127.0.0.1'], portRange: { min: 0, max: 0 } },
      payloadBytes: 160,
      maxSessionMs: 60_000,
      rtp: true,
      dataPath: 'native',
      allowEndpoint: () => () => undefined,
      ...parts,
    },
    { info: quiet, warn: quiet, debug: quiet },
  );
  return sessions;
}

/** The results options of an HTTP test that is not about their limits: the store and operator token given, every limit far above what a test sends unless `limits` says otherwise. */
export function resultsOptions(
  store: ResultStore | null,
  adminToken: string | null,
  limits: Partial<Omit<AppResults, 'store' | 'adminToken'>> = {},
): AppResults {
  return {
    store,
    adminToken,
    bodyLimitBytes: 256 * 1024,
    postsPerMinutePerIp: 100_000,
    readsPerMinutePerIp: 100_000,
    storedBytesPerDayPerSource: 1 << 30,
    failedLookupsPerMinute: 100_000,
    ...limits,
  };
}

/** Listens on an ephemeral loopback port; the app's base URL. */
export async function listenLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr !== 'object') throw new TestKitError('not-listening', 'the app listens on no TCP port');
  return `http://127.0.0.1:${addr.port}`;
}
