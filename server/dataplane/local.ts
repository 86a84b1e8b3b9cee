/**
 * Reflector sessions on a data plane inside this process, for the HTTP tests (`serve --workers 0`
 * starts its own plane with its relay: ./index.ts).
 */
import { Registry } from 'prom-client';
import type { ReflectorLogger } from '../reflector/session-base.js';
import { DataPlane, type ReflectorParts } from './plane.js';
import { SessionRouter, type ReflectorSessions } from './sessions.js';

/** Reflector sessions on a plane without a relay of its own (the relay's parts are `parts`'s); `close()` ends every session. */
export function localSessions(parts: ReflectorParts, logger: ReflectorLogger): ReflectorSessions & { close(): Promise<void> } {
  let router: SessionRouter | null = null;
  const plane = new DataPlane({
    relay: null,
    reflector: parts,
    out: (event) => queueMicrotask(() => router?.receive(event)),
    logger,
    // Never asked for metrics (the HTTP app reads its own registry): a registry of its own.
    metricsRegistry: new Registry(),
  });
  const local = new SessionRouter(
    (command) => {
      if (command.type !== 'start' && command.type !== 'stop') plane.handle(command);
      return true;
    },
    () => true,
  );
  router = local;
  return { open: (id, events, kind) => local.open(id, events, kind), loopLate: () => local.loopLate(), close: () => plane.close() };
}
