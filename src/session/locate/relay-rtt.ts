/**
 * measureRelayRtt: the round trip between this client and one relay, measured through the relay
 * itself within a time budget. Built once, for the locate (every edge of a hub at once) and for
 * anything that needs the same figure of another relay entry (an address family).
 *
 * How: two peer connections in this page, both relay-only through the same entry, joined by a
 * negotiated data channel (unordered, no retransmission). Each probe goes from the first to the
 * second: client -> relay -> (the relay's own allocations) -> client, one round trip between
 * client and relay, timed on this page's one clock. No clock of the relay's side is in it, and
 * nothing of the relay's side is needed beyond TURN: a relay hairpin works through any edge, our
 * relay or coturn, with no session, no signalling and no CPU of the edge's beyond forwarding.
 * The relay allocation time is the first peer connection's time to its relay candidate.
 *
 * Its environment is injected (the peer connection and the clock): the page's, or @roamhq/wrtc
 * in Node. The figures are the analysis's (src/analysis/measure/locate.ts).
 */
import type { ServerConfig, TurnServerEntry } from '../../protocol/api.js';
import { DEFAULTS } from '../../protocol/defaults.js';
import { decodeOrNull, decodeProbe, encodeProbe } from '../../protocol/wire.js';
import { relayRttFigures, type RelayRttFigures } from '../../analysis/measure/locate.js';

/** Where the measurement runs: a peer connection and the clock its probes are timed with. */
export interface RelayRttEnv {
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection;
  /** ms, monotonic (performance.now() in the page). */
  now(): number;
}

/** The probes of one measurement: how many, how often, how large, and when one is lost. */
export interface RelayRttSettings {
  probes: number;
  intervalMs: number;
  payloadBytes: number;
  lossTimeoutMs: number;
}

export interface RelayRttMeasurement extends RelayRttFigures {
  /** `unreachable`: no round trip came back within the budget (no relay candidate, no channel, or every probe lost). */
  state: 'ok' | 'unreachable';
  /** Time to the relay candidate, ms; null when none came. */
  allocateMs: number | null;
  /** Why it is unreachable, when known (the relay's error, or how far it got). */
  error: string | null;
}

/**
 * A measurement run beside others (the locate's edges at once): `onOpen` tells when its
 * connection is up (or will not be), and its probes wait for `gate`, so that no peer
 * connection's set-up (ICE, DTLS) runs in this page beside any edge's probes. `signal` ends it
 * early, with what it had.
 */
export interface RelayRttTogether {
  signal?: AbortSignal;
  onOpen?: (open: boolean) => void;
  gate?: Promise<void>;
}

const LOCATE_CHANNEL: RTCDataChannelInit = { negotiated: true, id: 0, ordered: false, maxRetransmits: 0 };

/** Trickles `from`'s candidates to `to`, holding those that come before `to` has the remote description. */
function trickle(from: RTCPeerConnection, to: RTCPeerConnection, remoteSet: Promise<void>, onRelay: () => void): void {
  from.addEventListener('icecandidate', (ev: RTCPeerConnectionIceEvent) => {
    const c = ev.candidate;
    if (c === null || c.candidate === '') return;
    if (c.type === 'relay' || / typ relay /.test(c.candidate)) onRelay();
    void remoteSet.then(() => to.addIceCandidate(c)).catch(() => undefined);
  });
}

/**
 * Measures the round trip to the relay behind `entry` for at most `budgetMs` (from the call),
 * with the credentials given. Never throws for what the network or the relay did: that is its
 * answer (`unreachable`, with why).
 */
export async function measureRelayRtt(
  entry: TurnServerEntry,
  cred: Pick<ServerConfig, 'username' | 'credential'>,
  budgetMs: number,
  env: RelayRttEnv,
  settings: RelayRttSettings = DEFAULTS.locate,
  together: RelayRttTogether = {},
): Promise<RelayRttMeasurement> {
  const { signal } = together;
  const t0 = env.now();
  const deadline = t0 + budgetMs;
  const config: RTCConfiguration = { iceServers: [{ urls: entry.url, username: cred.username, credential: cred.credential }], iceTransportPolicy: 'relay' };
  const a = env.createPeerConnection(config);
  const b = env.createPeerConnection(config);
  const sentMs: number[] = [];
  const arrivals: { seq: number; recvMs: number }[] = [];
  let allocateMs: number | null = null;
  let relayError: string | null = null;
  const timers: ReturnType<typeof setTimeout>[] = [];
  try {
    const out = a.createDataChannel('locate', LOCATE_CHANNEL);
    const inbound = b.createDataChannel('locate', LOCATE_CHANNEL);
    inbound.binaryType = 'arraybuffer';
    inbound.onmessage = (ev: MessageEvent<ArrayBuffer>) => {
      const probe = decodeOrNull(decodeProbe, new Uint8Array(ev.data));
      if (probe !== null) arrivals.push({ seq: probe.seq, recvMs: env.now() });
    };
    a.addEventListener('icecandidateerror', (ev: Event) => {
      const e = ev as RTCPeerConnectionIceErrorEvent;
      relayError = `${e.errorCode} ${e.errorText}`.trim();
    });
    let bRemote: () => void = () => undefined;
    let aRemote: () => void = () => undefined;
    trickle(a, b, new Promise<void>((r) => (bRemote = r)), () => (allocateMs ??= env.now() - t0));
    trickle(b, a, new Promise<void>((r) => (aRemote = r)), () => undefined);
    const opened = new Promise<boolean>((resolve) => {
      out.onopen = () => resolve(true);
      timers.push(setTimeout(() => resolve(false), Math.max(0, deadline - env.now())));
      signal?.addEventListener('abort', () => resolve(false));
    });
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    await b.setRemoteDescription(offer);
    bRemote();
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    aRemote();
    const open = await opened;
    together.onOpen?.(open);
    // Measured beside others: the probes wait until every connection is up (or the gate's time), so no set-up runs beside them.
    if (open) await together.gate;
    if (open) await sendProbes(out, sentMs, arrivals, deadline, env, settings, signal, timers);
    const judgedUntilMs = env.now();
    const figures = relayRttFigures({ sentMs, arrivals, judgedUntilMs, lossTimeoutMs: settings.lossTimeoutMs });
    const state = figures.received > 0 ? 'ok' : 'unreachable';
    const why =
      state === 'ok'
        ? null
        : allocateMs === null
          ? `no relay candidate within ${budgetMs} ms${relayError === null ? '' : ` (${relayError})`}`
          : sentMs.length === 0
            ? `relay candidate after ${Math.round(allocateMs)} ms, but no connection through it within ${budgetMs} ms`
            : `none of ${sentMs.length} probes came back within ${budgetMs} ms`;
    return { ...figures, state, allocateMs, error: why };
  } catch (err) {
    // The browser could not even try (an ICE server it refused): this relay did not answer.
    const figures = relayRttFigures({ sentMs, arrivals, judgedUntilMs: env.now(), lossTimeoutMs: settings.lossTimeoutMs });
    return { ...figures, state: 'unreachable', allocateMs, error: `could not try: ${(err as Error).message}` };
  } finally {
    for (const t of timers) clearTimeout(t);
    a.close();
    b.close();
  }
}

/**
 * Sends up to `settings.probes` probes, one every intervalMs, none later than lossTimeoutMs
 * before the deadline, then waits until every probe came back or is overdue, or the deadline.
 */
async function sendProbes(
  out: RTCDataChannel,
  sentMs: number[],
  arrivals: readonly { seq: number }[],
  deadline: number,
  env: RelayRttEnv,
  s: RelayRttSettings,
  signal: AbortSignal | undefined,
  timers: ReturnType<typeof setTimeout>[],
): Promise<void> {
  const start = env.now();
  const lastSend = deadline - s.lossTimeoutMs;
  const buffer = new Uint8Array(s.payloadBytes);
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = env.now();
      const seq = sentMs.length;
      if (signal?.aborted || seq >= s.probes || now > lastSend || out.readyState !== 'open') {
        resolve();
        return;
      }
      sentMs.push(now);
      encodeProbe({ seq, sendMs: now }, buffer);
      out.send(buffer);
      timers.push(setTimeout(tick, Math.max(0, start + (seq + 1) * s.intervalMs - env.now())));
    };
    tick();
  });
  // Until every probe is back or overdue, checked each interval; never past the deadline.
  await new Promise<void>((resolve) => {
    const check = (): void => {
      const now = env.now();
      const back = new Set(arrivals.map((x) => x.seq)).size;
      const lastSent = sentMs[sentMs.length - 1] ?? now;
      if (signal?.aborted || back >= sentMs.length || now >= deadline || now >= lastSent + s.lossTimeoutMs) {
        resolve();
        return;
      }
      timers.push(setTimeout(check, Math.min(s.intervalMs, Math.max(0, deadline - now))));
    };
    check();
  });
}
