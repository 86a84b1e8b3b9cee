/**
 * An edge's side of its hub: its beat (what a page needs to reach it, its relay's TURN secret, its
 * state and load, its last check of its own relay, the busy line it offers) sent at start and
 * every `heartbeatMs`, at once when its relay check changes its state, and once more as
 * `draining` when it stops, so the hub lists it while it runs and drops it at once when it stops.
 * Its relay is checked at start and every `relayCheckMs` (./relay-check.ts): a UDP port that does
 * not answer makes it `relay-down`, which the hub offers no page. A hub that cannot be reached or
 * refuses the beat is logged once per change (refused: with the hub's reason) and tried again at
 * the next beat: the edge keeps serving what it serves. Except a revoked token
 * (EDGE_TOKEN_REVOKED): then the beats end and `onRevoked` is told (serve stops the edge).
 */
import { SIGNAL_PATH, SIGNAL_PROTOCOL, type ServerConfig, type TurnServerEntry } from '../../src/protocol/api.js';
import { EDGE_TOKEN_REVOKED, edgeHeartbeatPath, type EdgeHeartbeat, type EdgeState } from '../../src/protocol/api-edges.js';
import { relayDown, type RelayCheckResult } from './relay-check.js';

/** An edge's role: its hub, who it is there and where pages reach it. */
export interface EdgeRole {
  /** The hub's origin (--hub): beats go there, and only its pages may signal here. */
  hub: string;
  id: string;
  /** A value of the Azure table's region column (--azure-region). */
  azureRegion: string;
  token: string;
  /** Where pages reach this edge's HTTP (--public-url); null: the address it listens on. */
  publicUrl: string | null;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  /** Its own relay is checked this often (a TURN Allocate on every advertised entry), each port within relayCheckTimeoutMs. */
  relayCheckMs: number;
  relayCheckTimeoutMs: number;
}

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
  /** Sessions started since the edge started. */
  sessionsStarted(): number;
  maxSessions: number;
  /** The busy line this edge serves (its own load sink and source); null with --no-load. */
  busyLine: Exclude<EdgeHeartbeat['busyLine'], undefined>;
  /** Checks the relay now (./relay-check.ts checkRelay over `turn` and `secret`). */
  checkRelay(): Promise<RelayCheckResult>;
}

/** One beat's body: `ready`, `full` at the session bound, `relay-down` when its last relay check found a UDP port silent, or `draining` when stopping. */
export function edgeBeat(
  role: Pick<EdgeRole, 'azureRegion'>,
  parts: Omit<EdgeParts, 'checkRelay'>,
  stopping: boolean,
  check: RelayCheckResult | null = null,
  nowMs: number = Date.now(),
): EdgeHeartbeat {
  const sessions = parts.sessionsOpen();
  const maxSessions = parts.reflector ? parts.maxSessions : 0;
  const state: EdgeState = stopping
    ? 'draining'
    : check !== null && relayDown(check)
      ? 'relay-down'
      : parts.reflector && sessions >= maxSessions
        ? 'full'
        : 'ready';
  return {
    azureRegion: role.azureRegion,
    state,
    version: parts.version,
    startedAtMs: parts.startedAtMs,
    load: { sessions, maxSessions, started: parts.sessionsStarted() },
    urls: { http: parts.httpUrl, signal: parts.reflector ? new URL(SIGNAL_PATH, parts.httpUrl).toString() : null, turn: parts.turn },
    turnSecret: parts.secret,
    relay: parts.relay,
    rtpReflector: parts.rtpReflector,
    signalProtocol: SIGNAL_PROTOCOL,
    notOffered: parts.notOffered,
    ...(check === null ? {} : { relayCheck: { ageMs: Math.max(0, nowMs - check.atMs), ports: check.ports } }),
    busyLine: parts.busyLine,
  };
}

/** The beats' loop; `stop()` sends the last (draining) beat and ends it. */
export interface EdgeBeats {
  stop(): Promise<void>;
}

/** What one beat came to: sent, refused by the hub (its reason and words), or not answered. */
type BeatOutcome = { kind: 'ok' } | { kind: 'refused'; status: number; reason: string | null; words: string } | { kind: 'unreachable'; words: string };

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
  let reason: string | null = null;
  try {
    const refusal = JSON.parse(text) as { reason?: unknown; message?: unknown };
    if (typeof refusal.reason === 'string') reason = refusal.reason;
    if (typeof refusal.message === 'string') words = `${String(refusal.reason)}: ${refusal.message}`;
  } catch {
    // Not our hub's refusal body: its status says enough.
  }
  return { kind: 'refused', status: res.status, reason, words };
}

/** The line an edge logs about a relay check, when its state changes. */
function checkLine(role: EdgeRole, check: RelayCheckResult): string {
  const silent = check.ports.filter((p) => !p.ok).map((p) => `${p.transport.toUpperCase()} ${p.port}: ${p.error ?? 'no answer'}`);
  if (relayDown(check))
    return `edge ${role.id}: relay check: ${silent.join(', ')}; the hub lists this edge relay-down and offers it no page until a check passes (every ${role.relayCheckMs / 1000} s)`;
  return silent.length === 0
    ? `edge ${role.id}: relay check: every advertised TURN port answered`
    : `edge ${role.id}: relay check: every UDP port answered, not ${silent.join(', ')}`;
}

/**
 * Starts beating to the hub: once now (not awaited: a hub that is down never stops the edge from
 * starting), then every heartbeatMs; and checking the relay now and every relayCheckMs. A beat the
 * hub refuses as revoked ends both and tells `onRevoked` the hub's words, once.
 */
export function startEdgeBeats(role: EdgeRole, parts: EdgeParts, log: (msg: string) => void, onRevoked: (words: string) => void): EdgeBeats {
  let last: string | null = null;
  let lastCheckLine: string | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  let check: RelayCheckResult | null = null;
  let revoked = false;
  let stopped = false;
  const say = (o: BeatOutcome): void => {
    if (o.kind === 'refused' && o.reason === EDGE_TOKEN_REVOKED && !revoked) {
      revoked = true;
      end();
      log(`edge ${role.id}: hub ${role.hub} revoked this edge's token (${o.words}): it stops`);
      onRevoked(o.words);
      return;
    }
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
    if (revoked || stopped) return;
    inFlight = inFlight.then(async () => {
      if (!revoked) say(await sendBeat(role, edgeBeat(role, parts, false, check)));
    });
  };
  let checking = false;
  const runCheck = (): void => {
    // One check at a time: a check still waiting on its timeouts is not doubled.
    if (checking) return;
    checking = true;
    parts
      .checkRelay()
      .finally(() => (checking = false))
      .then(
        (c) => {
          if (revoked || stopped) return;
          const changed = check === null || relayDown(check) !== relayDown(c);
          check = c;
          const line = checkLine(role, c);
          if (line !== lastCheckLine) log(line);
          lastCheckLine = line;
          // The hub hears of a new state at once, not at the next beat.
          if (changed) beat();
        },
        (err: Error) => log(`edge ${role.id}: relay check failed to run (${err.message}); tried again in ${role.relayCheckMs / 1000} s`),
      );
  };
  beat();
  runCheck();
  const timer = setInterval(beat, role.heartbeatMs);
  timer.unref();
  const checkTimer = setInterval(runCheck, role.relayCheckMs);
  checkTimer.unref();
  function end(): void {
    clearInterval(timer);
    clearInterval(checkTimer);
  }
  return {
    stop: async () => {
      stopped = true;
      end();
      await inFlight;
      // A revoked edge has no list to leave.
      if (revoked) return;
      const o = await sendBeat(role, edgeBeat(role, parts, true, check));
      if (o.kind !== 'ok') log(`edge ${role.id}: the stopping beat did not reach the hub (${o.words}): it leaves the hub's list once its last beat is too old`);
    },
  };
}
