/** The health plugin: GET /healthz, for load balancers and `serve`'s own checks. It holds no state. */
import type { FastifyPluginAsync } from 'fastify';
import type { Health } from '../../src/protocol/api.js';

export interface HealthOptions {
  /** Reflector sessions open now (the signalling plugin's). */
  sessionsOpen(): number;
}

export const healthPlugin: FastifyPluginAsync<HealthOptions> = async (app, opts) => {
  app.get('/healthz', async (): Promise<Health> => ({ status: 'ok', sessions: opts.sessionsOpen() }));
};
