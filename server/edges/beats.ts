/**
 * An edge's side of its hub: its beat (what a page needs to reach it, its relay's TURN secret, its
 * state and load) sent at start and every `heartbeatMs`, and once more as `draining` when it
 * stops, so the hub lists it while it runs and drops it at once when it stops. A hub that cannot
 * be reached or refuses the beat is logged once per change (refused: with the hub's reason) and
 * tried again at the next beat: the edge keeps serving what it serves.
 */
import { SIGNAL_PATH } from '../http/signal.js';
import { SIGNAL_PROTOCOL, type ServerConfig, type TurnServerEntry } from '../../src/protocol/api.js';
import { edgeHeartbeatPath, type EdgeHeartbeat, type EdgeState } from '../../src/protocol/api-edges.js';
import type { EdgeRole } from '../config/options.js';

/** What the running serve tells of itself in each beat. */
export interface EdgeParts {
  /** Where pages reach this edge's HTTP (--public-url, or the address it listens on). */
  httpUrl: string;
  version: string;
  startedAtMs: number;
  turn: TurnServerEntry[];
  notOffered: ServerConfig['notOffered'];
  relay: ServerConfig['relay'];
  /** The TURN REST secret the relay checks credentials with. */
  secret: string;
  reflector: boolean;
  rtpReflector: boolean;
  sessionsOpen(): number;
  maxSessions: number;
}

/** One beat's body: `ready`, or `full` at the session bound, or `draining` when stopping. */
export function edgeBeat(role: Pick<EdgeRole, 'azureRegion'>, parts: EdgeParts, stopping: boolean): EdgeHeartbeat {
  const sessions = parts.sessionsOpen();
  const maxSessions = parts.reflector ? parts.maxSessions : 0;
  const state: EdgeState = stopping ? 'draining' : parts.reflector && sessions >= maxSessions ? 'full' : 'ready';
  return {
    azureRegion: role.azureRegion,
    state,
    version: parts.version,
    startedAtMs: parts.startedAtMs,
    load: { sessions, maxSessions },
    urls: { http: parts.httpUrl, signal: parts.reflector ? new URL(SIGNAL_PATH, parts.httpUrl).toString() : null, turn: parts.turn },
    turnSecret: parts.secret,
    relay: parts.relay,
    rtpReflector: parts.rtpReflector,
    signalProtocol: SIGNAL_PROTOCOL,
    notOffered: parts.notOffered,
  };
}

/** The beats' loop; `stop()` sends the last (draining) beat and ends it. */
export interface EdgeBeats {
  stop(): Promise<void>;
}

/** What one beat came to: sent, refused by the hub (its reason and words), or not answered. */
type BeatOutcome = { kind: 'ok' } | { kind: 'refused'; status: number; words: string } | { kind: 'unreachable'; words: string };

async function sendBeat(role: EdgeRole, body: EdgeHeartbeat): Promise<BeatOutcome> {
  let res: Response;
  try {
    res = await fetch(new URL(edgeHeartbeatPath(role.id), role.hub), {
      method: 'PUT',
      headers: { authorization: `Bearer ${role.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(role.heartbeatTimeoutMs),
    });
  } catch (err) {
    return { kind: 'unreachable', words: (err as Error).message };
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { kind: 'ok' };
  let words = `HTTP ${res.status}`;
  try {
    const refusal = JSON.parse(text) as { reason?: unknown; message?: unknown };
    if (typeof refusal.message === 'string') words = `${String(refusal.reason)}: ${refusal.message}`;
  } catch {
    // Not our hub's refusal body: its status says enough.
  }
  return { kind: 'refused', status: res.status, words };
}

/** Starts beating to the hub: once now (not awaited: a hub that is down never stops the edge from starting), then every heartbeatMs. */
export function startEdgeBeats(role: EdgeRole, parts: EdgeParts, log: (msg: string) => void): EdgeBeats {
  let last: string | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  const say = (o: BeatOutcome): void => {
    const now =
      o.kind === 'ok'
        ? `edge ${role.id}: registered with hub ${role.hub} (${role.azureRegion})`
        : o.kind === 'refused'
          ? `edge ${role.id}: hub ${role.hub} refused its beat (${o.words}); tried again every ${role.heartbeatMs / 1000} s`
          : `edge ${role.id}: hub ${role.hub} did not answer (${o.words}); tried again every ${role.heartbeatMs / 1000} s`;
    if (now !== last) log(now);
    last = now;
  };
  const beat = (): void => {
    inFlight = inFlight.then(async () => say(await sendBeat(role, edgeBeat(role, parts, false))));
  };
  beat();
  const timer = setInterval(beat, role.heartbeatMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
      const o = await sendBeat(role, edgeBeat(role, parts, true));
      if (o.kind !== 'ok') log(`edge ${role.id}: the stopping beat did not reach the hub (${o.words}): it leaves the hub's list once its last beat is too old`);
    },
  };
}
