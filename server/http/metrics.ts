/**
 * The metrics endpoint: GET /metrics on its own listener (`serve --metrics-listen`), never on
 * the public app; the text of the HTTP process's registry with its data plane's families
 * (../metrics/registry.ts). And the app's count of refusals at every door.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { DoorRefusals } from '../common/door.js';
import { readCounter } from '../metrics/registry.js';

/** callprobe_refusals_total in `registry`: every door's refusals by scope, the relay's included. */
export function registerDoorRefusals(registry: Registry, refusals: DoorRefusals): void {
  readCounter(registry, {
    name: 'callprobe_refusals_total',
    help: 'Callers refused at a door, by door and by the bound that refused (source: IPv4 address or IPv6 /64; network: IPv4 address or IPv6 /48, its eighth of the total; total; reserve: the last quarter, kept for networks holding none of the rest; ports: the relay had no relayed port left).',
    labelNames: ['door', 'scope'],
    read: () => refusals.all().map(([door, scope, n]) => [{ door, scope }, n] as const),
  });
}

/** The metrics endpoint on its own listener (--metrics-listen): GET /metrics and nothing else. */
export function buildMetricsApp(text: () => Promise<string>): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    reply.type(Registry.PROMETHEUS_CONTENT_TYPE);
    return text();
  });
  return app;
}
