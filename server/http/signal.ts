/**
 * The signalling plugin: the page's WebSocket at /api/signal, one reflector session per socket,
 * bounded per source (sessions, message rate, log lines) and by origin, and refused past the
 * server's capacity (`server-busy`, ../dataplane/admission.ts). The sessions themselves
 * run on the data plane (server/dataplane/sessions.ts: the page's checked signals go there, its
 * signals and refusals come back); this plugin owns the doors, the per-source limiter and the
 * refusal counters, and closes every session when the app closes. A session the data plane lost
 * (it stopped) ends for the page as the server's failure.
 */
import { videoRefusalWords } from './video-book.js';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type {} from '@fastify/websocket'; // its augmentation of route options ({ websocket: true })
import type { WebSocket } from 'ws';
import type { Registry } from 'prom-client';
import {
  SERVER_BUSY,
  SERVER_BUSY_WORDS,
  SIGNAL_PATH,
  SIGNAL_KIND_PARAM,
  SIGNAL_PROTOCOL_PARAM,
  SIGNAL_PROTOCOL_REFUSALS,
  signalKind,
  signalProtocolRefusal,
  type SignalKind,
} from '../../src/protocol/api.js';
import type { ServerSignalMessage } from '../../src/protocol/api-signal.js';
import type { ReflectorSessions, SessionEvents, SessionHandle } from '../dataplane/sessions.js';
import type { SessionTally } from '../common/data-plane.js';
import { admissionBounds, planeBusy, type AdmissionBounds, type LoopLateReport } from '../dataplane/admission.js';
import { parseClientSignal, SignalMessageError } from './signal-message.js';
import { MessageBucket, SourceLimiter, originAllowed, sessionRefusalScope, sourceKey, type SignalLimits } from './signal-limits.js';
import type { DoorRefusals } from '../common/door.js';
import { relayEvidenceOf, type RelayEvidence } from '../../src/protocol/could-not-finish.js';
import { readCounter, readGauge } from '../metrics/registry.js';

export interface SignalOptions {
  /**
   * The reflector's sessions, on the data plane (server/dataplane/: a process of its own, or this
   * one with `--workers 0` and in the HTTP tests); null to run without a reflector.
   */
  reflector: ReflectorSessions | null;
  /** Whether sessions answer the RTP probe leg (werift); needs `reflector`. */
  rtpReflector: boolean;
  /** Tests at once (DEFAULTS.maxSessions, `serve --max-tests`); the next is refused with `server-busy`. */
  maxSessions: number;
  /**
   * A new test is refused with `server-busy` while the data plane's event loop runs this late (ms)
   * in `CONSTANTS.admission.busyBins` of its last bins (`serve --refuse-late-ms`; 0: never for
   * lateness). Absent: CONSTANTS.admission.busyLateMs.
   */
  refuseLateMs?: number;
  /** Per-source signalling limits (DEFAULTS.signalling; flags of `callprobe serve`). */
  signalLimits: SignalLimits;
  /** Origins allowed to open /api/signal; empty = same origin only. */
  allowedOrigins: string[];
}

/** The signalling plugin and what the rest of the app may read of its state. */
export interface Signalling {
  plugin: FastifyPluginAsync;
  /** Reflector sessions open now. */
  sessionsOpen(): number;
  /** Registers its families in `registry`: admission, sessions, candidates dropped, refusals by reason, probes echoed, log lines held back. */
  registerMetrics(registry: Registry): void;
  /** Reflector sessions started since the app started. */
  sessionsStarted(): number;
  /** From now on every new session is refused with `busy` and these words (the server is stopping: a hub revoked this edge). */
  stopTaking(words: string): void;
  /**
   * The WebSocket plugin's error handler (@fastify/websocket's `errorHandler`): a socket error,
   * such as a message over the size bound (ws refuses it and the socket is done), is counted by
   * reason and logged at warn within its source's log budget, never as an error with its stack
   * (a flood of oversized messages would otherwise write one stack trace each). The socket is
   * closed.
   */
  socketError(err: Error, socket: WebSocket, req: FastifyRequest): void;
  /**
   * The evidence that this server's relay answers (src/protocol/could-not-finish.ts): when a test's
   * probes last reached the reflector through it (a session ended with probes in its tally), if
   * within the last 10 minutes at `nowMs` (ms since the Unix epoch).
   */
  relayEvidence(nowMs: number): RelayEvidence | null;
}

/** ws's code for a message over maxPayload (ws/lib/receiver.js). */
const WS_TOO_LARGE = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

/** What the page's query asks: a test or the echo test, or the refusal of it in words the page shows. */
type QueryRead = { kind: SignalKind | null } | { refusal: string; message: string; fields: object; why: string };

/**
 * The page's query when it opens the socket: its signalling protocol (a page of another release,
 * a cached page after an upgrade, would expect its control messages elsewhere: refused in words it shows) and
 * what the session is for (a test, or the echo test: the RTP leg alone, cut short by the reflector).
 */
function readQuery(raw: unknown): QueryRead {
  const q = raw as Record<string, unknown>;
  const protocol = q[SIGNAL_PROTOCOL_PARAM];
  const mismatch = signalProtocolRefusal(typeof protocol === 'string' ? protocol : null);
  if (mismatch !== null) {
    const fields = { protocol: typeof protocol === 'string' ? protocol.slice(0, 16) : null };
    return { refusal: mismatch, message: SIGNAL_PROTOCOL_REFUSALS[mismatch], fields, why: 'signalling from a page of another protocol refused' };
  }
  const kind = signalKind(q[SIGNAL_KIND_PARAM]);
  if (kind === 'unknown')
    return { refusal: 'bad-message', message: `${SIGNAL_KIND_PARAM} may only be echo or video`, fields: {}, why: 'signalling of an unknown kind refused' };
  return { kind };
}

/** `refusals`: where session refusals are counted by scope (callprobe_refusals_total{door="signal-session"}). */
/** One message of the page, to its session: a signal to its leg, or its `stop`; one outside the contract throws (SignalMessageError). */
function pageMessage(raw: Buffer, session: SessionHandle): void {
  const msg = parseClientSignal(raw.toString('utf8'));
  if (msg.type === 'stop') session.stop();
  else session.signal(msg.data, msg.leg);
}

/** The words of a per-source refusal (a video phase's with its own: ./video-book.ts). */
function sourceRefusalWords(limited: string): string {
  return videoRefusalWords(limited) ?? (limited === 'network-sessions' ? 'too many tests from your network' : `too many tests from your address (${limited})`);
}

/** Refuses a session while the server is stopping (a hub revoked this edge): `busy`, with the words why. */
function refuseStopping(socket: WebSocket, send: (msg: ServerSignalMessage) => void, count: () => void, words: string): void {
  count();
  send({ type: 'error', reason: 'busy', message: words });
  socket.close(1013, 'busy');
}

export function signalling(opts: SignalOptions, refusals?: DoorRefusals): Signalling {
  const sessions = new Map<string, SessionHandle>();
  let sessionsTotal = 0;
  let candidatesDropped = 0;
  const ended = new EndedSessions();
  let stopped: string | null = null; // Why new sessions are refused (the server is stopping); null: they are taken.
  const limiter = new SourceLimiter(opts.signalLimits, () => performance.now(), opts.maxSessions);
  /** Refused signalling by reason (sessions and messages), for /metrics. */
  const refused = new Map<string, number>();
  let logLinesSuppressed = 0;
  /** Counts a refusal and logs it at warn unless its source used up its log budget. */
  const refuseOn = (log: FastifyBaseLogger, key: string, reason: string, fields: object, msg: string): void => {
    refused.set(reason, (refused.get(reason) ?? 0) + 1);
    if (limiter.mayLog(key)) log.warn({ ...fields, source: key, reason }, msg);
    else logLinesSuppressed++;
  };

  const plugin: FastifyPluginAsync = async (app) => {
    const refuse = (key: string, reason: string, fields: object, msg: string): void => refuseOn(app.log, key, reason, fields, msg);

    app.get(SIGNAL_PATH, { websocket: true }, (socket: WebSocket, req) => {
      const send = (msg: ServerSignalMessage): void => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
      };
      const key = sourceKey(req.ip);
      if (!originAllowed(req.headers.origin, req.headers.host, opts.allowedOrigins)) {
        refuse(key, 'bad-origin', { origin: req.headers.origin }, 'signalling from another origin refused');
        send({ type: 'error', reason: 'bad-origin', message: 'this origin may not use the reflector (see --allowed-origins)' });
        socket.close(1008, 'origin');
        return;
      }
      if (stopped !== null) return refuseStopping(socket, send, () => refuse(key, 'stopping', {}, 'test refused: the server is stopping'), stopped);
      const reflector = opts.reflector;
      if (!reflector) {
        send({ type: 'error', reason: 'no-reflector', message: 'this server runs without a reflector' });
        socket.close(1008, 'no reflector');
        return;
      }
      const query = readQuery(req.query);
      if ('refusal' in query) {
        refuse(key, query.refusal, query.fields, query.why);
        send({ type: 'error', reason: query.refusal, message: query.message });
        socket.close(1008, query.refusal);
        return;
      }
      // Admission: past the server's capacity a test is refused here, before it measures (../dataplane/admission.ts).
      if (planeBusy(reflector.loopLate(), performance.now(), admissionBounds(opts.refuseLateMs))) {
        refuse(key, 'plane-busy', { sessions: sessions.size }, 'test refused: the data plane runs late');
        send({ type: 'error', reason: SERVER_BUSY, message: SERVER_BUSY_WORDS });
        socket.close(1013, SERVER_BUSY);
        return;
      }
      const limited = limiter.tryOpen(req.ip, query.kind);
      if (limited !== null) {
        const scope = sessionRefusalScope(limited);
        if (scope !== null) refusals?.count('signal-session', scope);
        // The server's capacity (its total, the reserve, or a source refused when no slot is left anyway): the server is busy.
        if (limited === 'busy' || limited === 'reserve' || sessions.size >= opts.maxSessions) {
          refuse(key, limited === 'reserve' ? 'reserve' : 'busy', { sessions: sessions.size }, 'test refused: the server runs its most tests at once');
          send({ type: 'error', reason: SERVER_BUSY, message: SERVER_BUSY_WORDS });
          socket.close(1013, SERVER_BUSY);
          return;
        }
        refuse(key, limited, {}, 'signalling session refused by the per-source limit');
        send({ type: 'error', reason: 'busy', message: sourceRefusalWords(limited) });
        socket.close(1013, 'busy');
        return;
      }
      const id = randomUUID().slice(0, 8);
      const bucket = new MessageBucket(opts.signalLimits.messagesPerSecond, opts.signalLimits.messageBurst, () => performance.now());
      const events: SessionEvents = {
        signal: (data, leg) => send(leg ? { type: 'signal', data, leg } : { type: 'signal', data }),
        control: (text, binary) => send({ type: 'control', text, binary }),
        refused: (reason, message) => {
          refuse(key, reason, { session: id, err: message }, 'signal message refused');
          send({ type: 'error', reason, message });
        },
        dropped: (n) => {
          candidatesDropped += n;
        },
        closed: (reason, code, tally) => {
          sessions.delete(id);
          limiter.release(req.ip, query.kind);
          ended.add(tally, Date.now());
          if (code === 'no-ice') {
            refused.set(code, (refused.get(code) ?? 0) + 1);
            send({ type: 'error', reason: code, message: `${reason}: the session is closed` });
          } else if (code === 'plane-stopped') {
            // Our failure: the page ends its test as the server's (it could not finish), never the network's.
            send({ type: 'error', reason: 'data-plane-stopped', message: `${reason}: the test could not finish` });
          }
          if (socket.readyState === socket.OPEN)
            socket.close(code === 'plane-stopped' ? 1011 : 1000, code === 'plane-stopped' ? 'data plane stopped' : 'session over');
        },
      };
      const session = reflector.open(id, events, query.kind);
      if (session === null) {
        limiter.release(req.ip, query.kind);
        refuse(key, 'reflector-starting', {}, 'signalling session refused: the data plane is starting again');
        send({ type: 'error', reason: 'busy', message: "the server's reflector is starting again: try again in a few seconds" });
        socket.close(1013, 'busy');
        return;
      }
      sessionsTotal++;
      sessions.set(id, session);
      socket.on('message', (raw: Buffer) => {
        if (!bucket.take()) {
          refuse(key, 'message-rate', { session: id }, 'signal message over the rate dropped');
          return;
        }
        try {
          pageMessage(raw, session);
        } catch (err) {
          const reason = err instanceof SignalMessageError ? err.reason : 'bad-message';
          refuse(key, reason, { session: id, err: (err as Error).message }, 'signal message refused');
          send({ type: 'error', reason, message: (err as Error).message });
        }
      });
      socket.on('close', () => session.close('signaling closed'));
    });

    app.addHook('onClose', async () => {
      for (const s of sessions.values()) s.close('server shutting down');
    });
  };

  const socketError = (err: Error, socket: WebSocket, req: FastifyRequest): void => {
    const tooLarge = (err as NodeJS.ErrnoException).code === WS_TOO_LARGE;
    refuseOn(
      req.log,
      sourceKey(req.ip),
      tooLarge ? 'message-too-large' : 'socket-error',
      { err: err.message },
      tooLarge ? 'signal message over the size bound: socket closed' : 'signalling socket error: socket closed',
    );
    socket.terminate();
  };

  return {
    plugin,
    socketError,
    sessionsOpen: () => sessions.size,
    sessionsStarted: () => sessionsTotal,
    stopTaking: (words) => {
      stopped = words;
    },
    relayEvidence: (nowMs) => ended.relayEvidence(nowMs),
    registerMetrics: (registry) =>
      registerSignalMetrics(registry, admissionBounds(opts.refuseLateMs), () => ({
        late: opts.reflector?.loopLate() ?? null,
        open: sessions.size,
        sessionsTotal,
        candidatesDropped,
        refused,
        ended,
        logLinesSuppressed,
      })),
  };
}

/** What the signalling plugin counts, for /metrics. */
interface SignalCounts {
  late: LoopLateReport | null;
  open: number;
  sessionsTotal: number;
  candidatesDropped: number;
  refused: ReadonlyMap<string, number>;
  ended: EndedSessions;
  logLinesSuppressed: number;
}

/** What the ended sessions' tallies add up to (for /metrics), and when probes last crossed the relay (the relay's evidence). */
class EndedSessions {
  /** Probes the reflector echoed, by path. */
  readonly probes = { datachannel: 0, rtp: 0 };
  badProbes = 0;
  witnessed = 0;
  /** When a session last ended with probes that crossed the relay (ms since the Unix epoch); null: none yet. */
  private lastConnectedAtMs: number | null = null;

  add(tally: SessionTally, atMs: number): void {
    this.probes.datachannel += tally.probes;
    this.probes.rtp += tally.rtpProbes;
    this.badProbes += tally.badProbes;
    if (tally.witnessed) this.witnessed++;
    // Probes reached the reflector: they crossed our relay from a page, which is the relay's evidence for /api/config.
    if (tally.probes + tally.rtpProbes > 0) this.lastConnectedAtMs = atMs;
  }

  relayEvidence(nowMs: number): RelayEvidence | null {
    return relayEvidenceOf(this.lastConnectedAtMs, nowMs);
  }
}

/** The signalling plugin's families: admission's view of the data plane, sessions, candidates dropped, refusals by reason, probes echoed, log lines held back. */
function registerSignalMetrics(registry: Registry, admission: AdmissionBounds, counts: () => SignalCounts): void {
  readGauge(registry, {
    name: 'callprobe_admission_plane_busy',
    help: "Whether new tests are refused now because the data plane's event loop runs late (server-busy).",
    read: () => (planeBusy(counts().late, performance.now(), admission) ? 1 : 0),
  });
  readGauge(registry, {
    name: 'callprobe_admission_plane_report_age_seconds',
    help: "Age of the data plane's last report of its event-loop lateness.",
    read: () => {
      const late = counts().late;
      return late === null ? [] : [[{}, Math.round(Math.max(0, performance.now() - late.atMs)) / 1000]];
    },
  });
  readGauge(registry, { name: 'callprobe_reflector_sessions', help: 'Reflector sessions open now.', read: () => counts().open });
  readCounter(registry, { name: 'callprobe_reflector_sessions_total', help: 'Reflector sessions started.', read: () => counts().sessionsTotal });
  readCounter(registry, {
    name: 'callprobe_reflector_candidates_dropped_total',
    help: 'Page candidates dropped because they do not point at the relay.',
    read: () => counts().candidatesDropped,
  });
  readCounter(registry, {
    name: 'callprobe_signal_refused_total',
    help: 'Signalling sessions and messages refused, by reason.',
    labelNames: ['reason'],
    read: () => [...counts().refused].map(([reason, n]) => [{ reason }, n] as const),
  });
  readCounter(registry, {
    name: 'callprobe_reflector_probes_total',
    help: 'Probes the reflector echoed in sessions that ended, by path.',
    labelNames: ['path'],
    read: () => {
      const { probes } = counts().ended;
      return [
        [{ path: 'datachannel' }, probes.datachannel],
        [{ path: 'rtp' }, probes.rtp],
      ];
    },
  });
  readCounter(registry, {
    name: 'callprobe_reflector_bad_probes_total',
    help: 'Datagrams on a probe channel that were not probes, in sessions that ended.',
    read: () => counts().ended.badProbes,
  });
  readCounter(registry, {
    name: 'callprobe_reflector_sessions_witnessed_total',
    help: "Sessions whose final tally carried the relay's witness of their RTP.",
    read: () => counts().ended.witnessed,
  });
  readCounter(registry, {
    name: 'callprobe_signal_log_lines_suppressed_total',
    help: 'Refusal log lines held back by the per-source log budget.',
    read: () => counts().logLinesSuppressed,
  });
}
