/**
 * The two roles beside the all-in-one server, as `serve` starts them: a hub (any serve with a
 * store) keeps the registry of its edges; an edge (`serve --hub`) beats to its hub. Each returns
 * what serve records to close.
 */
import type { FastifyInstance } from 'fastify';
import type { ServeOptions } from './config/options.js';
import type { AppOptions } from './http/app.js';
import { sessionsOpenOf, sessionsStartedOf } from './http/app.js';
import type { EdgesRepository } from './store/edges/types.js';
import { EdgeRegistry } from './edges/registry.js';
import { startEdgeBeats, type EdgeBeats, type EdgeParts } from './edges/beats.js';
import { checkRelay } from './edges/relay-check.js';
import { canonicalHost, isSpecialHost } from './edges/hosts.js';

/** The hub's registry, read from the store once before the app starts; the app's `edges` option and the registry's close. */
export async function hubEdges(
  store: { edges: EdgesRepository },
  opts: Pick<ServeOptions, 'edges' | 'credentialTtlS'>,
  log: (msg: string) => void,
): Promise<{ app: NonNullable<AppOptions['edges']>; close: () => void }> {
  const s = opts.edges;
  const own = s.ownHost === null ? null : canonicalHost(s.ownHost);
  const labAddresses = own !== null && isSpecialHost(own);
  if (labAddresses) log(`edges: this hub stands on ${own ?? ''}, a special-purpose address (a lab): its edges may advertise special-purpose addresses too`);
  const registry = new EdgeRegistry(
    store.edges,
    { silentAfterMs: s.silentAfterMs, offeredWithinMs: s.offeredWithinMs, refreshMs: s.refreshMs, credentialTtlS: opts.credentialTtlS },
    () => Date.now(),
    log,
  );
  await registry.start();
  return {
    app: {
      registry,
      heartbeatMs: s.heartbeatMs,
      silentAfterMs: s.silentAfterMs,
      heartbeatsPerMinutePerToken: s.heartbeatsPerMinutePerToken,
      refusedBeats: s.refusedBeats,
      listPerMinutePerSource: s.listPerMinutePerSource,
      labAddresses,
    },
    close: () => registry.close(),
  };
}

/**
 * An edge's beats to its hub, once its app listens at `url` (its --public-url, if given, is what
 * pages are told), with the checks of its own relay; `onRevoked` is told once when the hub
 * revoked its token.
 */
export function edgeBeats(
  opts: ServeOptions,
  app: FastifyInstance,
  url: string,
  parts: Omit<EdgeParts, 'httpUrl' | 'sessionsOpen' | 'sessionsStarted' | 'maxSessions' | 'reflector' | 'startedAtMs' | 'busyLine' | 'checkRelay'>,
  log: (msg: string) => void,
  onRevoked: (words: string) => void,
): EdgeBeats | null {
  const role = opts.edge;
  if (role === null) return null;
  const load = opts.load;
  return startEdgeBeats(
    role,
    {
      ...parts,
      httpUrl: role.publicUrl ?? url,
      startedAtMs: Date.now(),
      reflector: opts.reflector,
      sessionsOpen: () => sessionsOpenOf(app),
      sessionsStarted: () => sessionsStartedOf(app),
      maxSessions: opts.sessions.max,
      busyLine: load.offered ? { maxBytesPerDirection: load.limits.maxBytesPerDirection, maxFlowsPerSource: load.limits.maxFlowsPerSource } : null,
      checkRelay: () => checkRelay(parts.turn, parts.secret, role.relayCheckTimeoutMs, log),
    },
    log,
    onRevoked,
  );
}
