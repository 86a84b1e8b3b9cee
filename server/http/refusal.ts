/**
 * How the results, sites and console routes refuse: a typed Refusal (reason, message, status)
 * thrown anywhere (a hook, the schema check, a handler) and answered by one error handler as
 * the contract's `{ reason, message }` (ErrorBody in src/protocol/api.ts).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitOptions } from '@fastify/rate-limit';
import type { ErrorBody } from '../../src/protocol/api.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { ReportShapeError } from '../../src/analysis/report/accept.js';
import { BadSiteName, UnknownSite } from '../reports/site-names.js';
import { TypedError } from '../../src/protocol/typed-error.js';
import { sourceKey } from './signal-limits.js';

/** A refusal of a request: its reason (ErrorBody's, an open set the routes and schemas name), the sentence for a person, and the HTTP status. */
export class Refusal extends TypedError<string> {
  constructor(
    reason: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(reason, message);
  }
}

function refuse(reply: FastifyReply, r: Refusal): FastifyReply {
  if (r.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="callprobe"');
  return reply.code(r.statusCode).send({ reason: r.reason, message: r.message } satisfies ErrorBody);
}

/** The error handler of these routes: every failure as { reason, message } with its status. */
export function refusalHandler(this: FastifyInstance, err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof Refusal) return refuse(reply, err);
  if (err instanceof ReportShapeError) return refuse(reply, new Refusal(err.reason, err.message, 400));
  if (err instanceof BadSiteName) return refuse(reply, new Refusal(err.reason, err.message, 400));
  if (err instanceof UnknownSite) return refuse(reply, new Refusal(err.reason, err.message, 404));
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return refuse(reply, new Refusal('too-large', `the body is over ${req.routeOptions.bodyLimit ?? BOUNDS.requestBodyBytesMax} bytes`, 413));
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return refuse(reply, new Refusal('not-json', 'send the report as application/json', 415));
  if (err.statusCode === 429) return refuse(reply, new Refusal('rate-limited', err.message, 429));
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
    return refuse(reply, new Refusal('bad-request', err.message, err.statusCode));
  req.log.error({ err }, 'results route failed');
  return refuse(reply, new Refusal('server-error', 'the result could not be stored or read; nothing was lost on your side, try again', 500));
}

/** A flag-style value checked by a protocol parser: its ConfigError becomes a 400 with `reason`. */
export function checked<T>(reason: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigError) throw new Refusal(reason, err.message, 400);
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
      errorResponseBuilder: (_req, ctx) => new Refusal('rate-limited', `${what}: retry in ${ctx.after}`, 429),
    },
  };
}
