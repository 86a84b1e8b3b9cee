/**
 * How the results, sites and console routes refuse: a typed Refusal (status, reason, message)
 * thrown anywhere (a hook, the schema check, a handler) and answered by one error handler as
 * the contract's `{ reason, message }` (ErrorBody in src/protocol/api.ts).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitOptions } from '@fastify/rate-limit';
import type { ErrorBody } from '../../src/protocol/api.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { ReportShapeError } from '../../src/analysis/report/accept.js';
import { BadSiteName, UnknownSite } from '../reports/site-names.js';
import { sourceKey } from './signal-limits.js';

export class Refusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function refuse(reply: FastifyReply, r: Refusal): FastifyReply {
  if (r.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="callprobe"');
  return reply.code(r.statusCode).send({ reason: r.reason, message: r.message } satisfies ErrorBody);
}

/** The error handler of these routes: every failure as { reason, message } with its status. */
export function refusalHandler(this: FastifyInstance, err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof Refusal) return refuse(reply, err);
  if (err instanceof ReportShapeError) return refuse(reply, new Refusal(400, err.reason, err.message));
  if (err instanceof BadSiteName) return refuse(reply, new Refusal(400, err.reason, err.message));
  if (err instanceof UnknownSite) return refuse(reply, new Refusal(404, err.reason, err.message));
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return refuse(reply, new Refusal(413, 'too-large', `the body is over ${req.routeOptions.bodyLimit ?? DEFAULTS.results.bodyLimitBytes} bytes`));
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return refuse(reply, new Refusal(415, 'not-json', 'send the report as application/json'));
  if (err.statusCode === 429) return refuse(reply, new Refusal(429, 'rate-limited', err.message));
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
    return refuse(reply, new Refusal(err.statusCode, 'bad-request', err.message));
  req.log.error({ err }, 'results route failed');
  return refuse(reply, new Refusal(500, 'server-error', 'the result could not be stored or read; nothing was lost on your side, try again'));
}

/** A flag-style value checked by a protocol parser: its ConfigError becomes a 400 with `reason`. */
export function checked<T>(reason: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigError) throw new Refusal(400, reason, err.message);
    throw err;
  }
}

/**
 * A route's rate limit (its `config`), refused as `rate-limited`: `max` a minute per key (by
 * default the source: the IPv4 address, the IPv6 /64), counted with every route of `groupId`.
 */
export function rateLimited(
  max: number,
  groupId: string,
  what = 'too many requests from your address',
  key: (req: FastifyRequest) => string = (req) => sourceKey(req.ip),
): { rateLimit: RateLimitOptions } {
  return {
    rateLimit: {
      max,
      timeWindow: 60_000,
      groupId,
      keyGenerator: key,
      errorResponseBuilder: (_req, ctx) => new Refusal(429, 'rate-limited', `${what}: retry in ${ctx.after}`),
    },
  };
}
