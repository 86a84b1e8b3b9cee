/**
 * The two roles beside the all-in-one server, as `serve` starts them: a hub (any serve with a
 * store) keeps the registry of its edges; an edge (`serve --hub`) beats to its hub. Each returns
 * what serve records to close.
 */
import type { FastifyInstance } from 'fastify';
import type { ServeOptions } from '../config/options.js';
import type { AppOptions } from '../http/app.js';
import { sessionsOpenOf } from '../http/app.js';
import type { EdgesRepository } from '../store/edges/types.js';
import { EdgeRegistry } from './registry.js';
import { startEdgeBeats, type EdgeBeats, type EdgeParts } from './beats.js';
import { canonicalHost, isSpecialHost } from './hosts.js';

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
    { silentAfterMs: s.silentAfterMs, refreshMs: s.refreshMs, credentialTtlS: opts.credentialTtlS },
    () => Date.now(),
    log,
  );
  await registry.start();
  return {
    app: {
      registry,
      heartbeatMs: s.heartbeatMs,
      silentAfterMs: s.silentAfterMs,
      heartbeatsPerMinutePerSource: s.heartbeatsPerMinutePerSource,
      listPerMinutePerSource: s.listPerMinutePerSource,
      labAddresses,
    },
    close: () => registry.close(),
  };
}

/** An edge's beats to its hub, once its app listens at `url` (its --public-url, if given, is what pages are told). */
export function edgeBeats(
  opts: ServeOptions,
  app: FastifyInstance,
  url: string,
  parts: Omit<EdgeParts, 'httpUrl' | 'sessionsOpen' | 'maxSessions' | 'reflector' | 'rtpReflector' | 'startedAtMs'> & { rtpReflector: boolean },
  log: (msg: string) => void,
): EdgeBeats | null {
  const role = opts.edge;
  if (role === null) return null;
  return startEdgeBeats(
    role,
    {
      ...parts,
      httpUrl: role.publicUrl ?? url,
      startedAtMs: Date.now(),
      reflector: opts.reflector,
      sessionsOpen: () => sessionsOpenOf(app),
      maxSessions: opts.sessions.max,
    },
    log,
  );
}
