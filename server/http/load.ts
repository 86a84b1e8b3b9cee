/**
 * The busy-line phase's load sink (uploads) and source (downloads): one self-contained Fastify
 * plugin. It owns its books (load-book.ts: grants, flows per source and in total, phases per
 * hour) and every flow it has open, and closes them all when the app closes.
 *
 * Neither side ever holds more than a small window: the sink counts each chunk as the socket
 * hands it over and drops it (the request stream's own buffer, 16-64 KiB, is all it keeps);
 * the source sends slices of one shared buffer of `sourceChunkBytes`, pushing the
 * next only when the socket has taken the last (stream back-pressure). A flow ends when its
 * bytes are moved, when its client goes away (a closed tab resets the connection: the flow is
 * released at once), after its deadline, or when its phase's flows together move under the
 * floor (load-book.ts: the slowest are cut, too-slow), whatever comes first. A download's
 * progress for the floor is what its socket drained, not what waits in a buffer.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { Type, type Static } from '@sinclair/typebox';
import {
  LOAD_DOWN_PATH,
  LOAD_GRANT_PATH,
  LOAD_UP_PATH,
  type LoadGrant,
  type LoadRefusal,
  type LoadRefusalReason,
  type LoadUpAck,
} from '../../src/protocol/api-load.js';
import { networkKey, sourceKey } from '../common/source-key.js';
import { LoadBook, LoadRefused, type LoadFloor, type LoadFlow, type LoadLimits } from './load-book.js';
import { originAllowed } from './signal-limits.js';

export interface LoadRoutesOptions {
  /** false with `serve --no-load`: every route answers `not-offered`. */
  offered: boolean;
  limits: LoadLimits;
  /** One flow is cut after this long. */
  flowMaxMs: number;
  /** The rate a phase's flows must move at to keep their slots, and how often it is judged. */
  floor: LoadFloor & { checkMs: number };
  /** The download source's one buffer. */
  sourceChunkBytes: number;
  /** Grant requests per minute per source (a refused one costs a map lookup; this bounds the log of them too). */
  requestsPerMinutePerSource: number;
  /** Origins allowed to ask for a grant; empty = same origin only (as /api/signal). */
  allowedOrigins: string[];
  /** The registry its families go in (/metrics: server/metrics/registry.ts). */
  metricsRegistry?: Registry;
  /** Tests: the clock of the books. */
  nowMs?: () => number;
}

const STATUS: Readonly<Record<LoadRefusalReason, number>> = {
  'not-offered': 404,
  'too-many-phases': 429,
  'too-many-flows': 429,
  'server-busy': 503,
  'bad-grant': 403,
  'over-budget': 413,
  'bad-origin': 403,
  'bad-request': 400,
  'too-slow': 400,
  'hour-budget': 503,
};

const tooSlowMessage =
  "this busy-line test's flows moved too little to keep this one (each flow a test keeps must be paid for by its flows together): cut to free its slot";

const GrantQuery = Type.Object({ grant: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
// The app's schema check coerces nothing (./validate.ts): bytes is digits, read as a number by the route.
const DownQuery = Type.Object(
  { grant: Type.String({ minLength: 1, maxLength: 64 }), bytes: Type.String({ pattern: '^[1-9][0-9]{0,14}$', maxLength: 15 }) },
  { additionalProperties: false },
);

function refusal(reply: FastifyReply, reason: LoadRefusalReason, message: string): LoadRefusal {
  reply.code(STATUS[reason]).header('cache-control', 'no-store');
  return { error: 'load-refused', reason, message };
}

/** Sends `bytes` bytes as slices of one shared buffer, each pushed only when the last was taken. */
class ByteSource extends Readable {
  constructor(
    private left: number,
    private readonly chunk: Buffer,
    private readonly onBytes: (n: number) => void,
  ) {
    super({ highWaterMark: chunk.length });
  }

  override _read(): void {
    while (this.left > 0) {
      const n = Math.min(this.left, this.chunk.length);
      this.left -= n;
      this.onBytes(n);
      if (!this.push(this.chunk.subarray(0, n))) return;
    }
    this.push(null);
  }
}

/**
 * A page of an allowed origin (a hub's page, on its edge: serve --hub) loads these routes from
 * another origin: it may read their answers (CORS, Fetch standard: Access-Control-Allow-Origin),
 * and its upload's preflight is answered. The load routes' context only: no CORS anywhere else.
 */
function allowOriginsHere(app: FastifyInstance, allowedOrigins: readonly string[], rateLimit: { max: number; timeWindow: number }): void {
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin !== undefined && allowedOrigins.includes(origin)) reply.header('access-control-allow-origin', origin).header('vary', 'origin');
  });
  for (const path of [LOAD_GRANT_PATH, LOAD_UP_PATH, LOAD_DOWN_PATH]) {
    app.options(path, { config: { rateLimit } }, async (req, reply) => {
      const origin = req.headers.origin;
      if (origin === undefined || !allowedOrigins.includes(origin)) return reply.code(403).header('cache-control', 'no-store').send();
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '600')
        .send();
    });
  }
}

export async function loadRoutes(app: FastifyInstance, opts: LoadRoutesOptions): Promise<void> {
  const now = opts.nowMs ?? (() => performance.now());
  const floor = opts.floor;
  const book = new LoadBook(
    opts.limits,
    floor,
    now,
    () => randomBytes(18).toString('base64url'),
    // Once per hour at most: the refusals after it are counted, not logged.
    (e) =>
      app.log.warn(
        { maxBytesPerHour: e.maxBytesPerHour, usedBytes: e.usedBytes, resetsInS: Math.ceil(e.resetsInMs / 1000) },
        'busy-line byte budget for this hour reached: grants and load flows are refused (hour-budget) until the hour is over',
      ),
  );
  /** Every flow open now, by its stop function. */
  const open = new Set<() => void>();
  const chunk = randomBytes(opts.sourceChunkBytes);
  if (opts.metricsRegistry) book.registerMetrics(opts.metricsRegistry);

  // Upload bodies are read by the sink itself, never buffered by a parser (this context only).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  const rateLimit = { max: opts.requestsPerMinutePerSource, timeWindow: 60_000 };

  allowOriginsHere(app, opts.allowedOrigins, rateLimit);

  /** Opens a flow (or answers the refusal and returns null); `stop` is called once, on every way out. */
  const openFlow = (req: FastifyRequest, reply: FastifyReply, grant: string, direction: 'up' | 'down', bytes: number): LoadFlow | null => {
    if (!opts.offered) {
      void reply.send(refusal(reply, 'not-offered', 'this server does not offer the busy-line test (serve --no-load)'));
      return null;
    }
    try {
      return book.open(grant, sourceKey(req.ip), direction, bytes);
    } catch (err) {
      if (!(err instanceof LoadRefused)) throw err;
      void reply.send(refusal(reply, err.reason, err.message));
      return null;
    }
  };

  /**
   * Ties a flow's end to every way it can end: done, client gone, deadline, the floor, app
   * closing. `taken` reads what the client took so far; `cut` ends the request. The function
   * returned ends the flow as done: true when it was still open (it was not cut).
   */
  const track = (flow: LoadFlow, taken: () => number, cut: (why: 'too-slow' | 'deadline' | 'closing') => void): (() => boolean) => {
    let done = false;
    const timer = setTimeout(() => {
      book.countCut('deadline');
      finish('deadline');
    }, opts.flowMaxMs);
    timer.unref();
    const finish = (why: 'too-slow' | 'deadline' | 'closing' | null): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      open.delete(stopNow);
      flow.release();
      if (why !== null) cut(why);
      return true;
    };
    const stopNow = (): void => void finish('closing');
    open.add(stopNow);
    flow.watch(taken, () => finish('too-slow'));
    return () => finish(null);
  };

  // The floor: one timer for every flow, judged together per phase.
  const judging = setInterval(() => book.judge(), floor.checkMs);
  judging.unref();
  app.addHook('onClose', async () => clearInterval(judging));

  app.post(LOAD_GRANT_PATH, { config: { rateLimit } }, async (req, reply): Promise<LoadGrant | LoadRefusal> => {
    if (!opts.offered) return refusal(reply, 'not-offered', 'this server does not offer the busy-line test (serve --no-load)');
    if (!originAllowed(req.headers.origin, req.headers.host, opts.allowedOrigins)) {
      return refusal(reply, 'bad-origin', 'pages from this origin may not load this server (see --allowed-origins)');
    }
    try {
      const g = book.grant(sourceKey(req.ip), networkKey(req.ip));
      reply.code(201).header('cache-control', 'no-store');
      // The book runs on its own clock (monotonic by default); the page is told the wall-clock time the grant ends.
      return { ...g, expiresAtMs: Date.now() + (g.expiresAtMs - now()) };
    } catch (err) {
      if (!(err instanceof LoadRefused)) throw err;
      return refusal(reply, err.reason, err.message);
    }
  });

  app.post(
    LOAD_UP_PATH,
    { config: { rateLimit: { ...rateLimit, max: rateLimit.max * 10 } }, schema: { querystring: GrantQuery }, attachValidation: true },
    (req: FastifyRequest<{ Querystring: Static<typeof GrantQuery> }>, reply) => {
      const body = req.raw;
      // A refused upload's body is never read: the connection closes with the answer.
      const refuse = (reason: LoadRefusalReason, message: string): void => {
        reply.header('connection', 'close');
        void reply.send(refusal(reply, reason, message));
      };
      if (req.validationError) return refuse('bad-request', `bad query: ${req.validationError.message}`);
      const length = Number(req.headers['content-length']);
      if (!Number.isInteger(length) || length < 1) return refuse('bad-request', 'an upload needs a Content-Length of 1 byte or more');
      reply.header('connection', 'close');
      const flow = openFlow(req, reply, req.query.grant, 'up', length);
      if (flow === null) return;
      reply.removeHeader('connection');
      let moved = 0;
      const end = track(
        flow,
        () => moved,
        (why) => {
          if (why !== 'too-slow' || reply.sent) return void body.destroy();
          // Answered while the connection allows (the client may still be sending), then closed.
          refuse('too-slow', tooSlowMessage);
          reply.raw.once('finish', () => body.destroy());
          setTimeout(() => body.destroy(), 1000).unref();
        },
      );
      body.on('data', (c: Buffer) => {
        moved += c.length;
        flow.moved(c.length);
        if (moved > flow.reservedBytes) body.destroy();
      });
      body.on('end', () => {
        if (!end()) return;
        const ack: LoadUpAck = { bytes: moved };
        void reply.header('cache-control', 'no-store').send(ack);
      });
      body.on('close', end);
      body.on('error', end);
    },
  );

  app.get(
    LOAD_DOWN_PATH,
    { config: { rateLimit: { ...rateLimit, max: rateLimit.max * 10 } }, schema: { querystring: DownQuery }, attachValidation: true },
    (req: FastifyRequest<{ Querystring: Static<typeof DownQuery> }>, reply) => {
      if (req.validationError) return void reply.send(refusal(reply, 'bad-request', `bad query: ${req.validationError.message}`));
      const flow = openFlow(req, reply, req.query.grant, 'down', Number(req.query.bytes));
      if (flow === null) return;
      const source = new ByteSource(flow.reservedBytes, chunk, (n) => flow.moved(n));
      // What the client took: bytes the socket handed to the kernel, not those still queued in
      // Node (the socket may have carried earlier requests: counted from here).
      const socket = req.raw.socket;
      const drained = (): number => (socket.bytesWritten ?? 0) - socket.writableLength;
      const before = drained();
      let taken = 0;
      const end = track(
        flow,
        () => (taken = Math.max(taken, drained() - before)),
        () => {
          source.destroy();
          reply.raw.destroy();
        },
      );
      reply.raw.on('close', () => {
        source.destroy();
        end();
      });
      void reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', flow.reservedBytes)
        .header('cache-control', 'no-store')
        .send(source);
    },
  );

  // Before the server waits for its requests to end: a flow in flight would hold the close up to flowMaxMs.
  app.addHook('preClose', async () => {
    for (const stop of [...open]) stop();
  });
}
