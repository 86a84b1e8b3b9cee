/**
 * The data plane: everything a test's packets cross on the server, in one event loop of its own.
 * It holds the embedded relay (its UDP, TCP and TLS listeners, the allocations, the relay's
 * witness and its loopback listener for the reflector), the reflector sessions (the data-channel
 * leg on @roamhq/wrtc, the RTP leg on werift), the event-loop lateness each session's `final`
 * carries (../reflector/loop-lateness.ts) and this process's event-loop delay for /metrics.
 *
 * It takes commands (server/common/data-plane.ts: a session's start, the page's signals, its end,
 * the metrics and TLS questions) and says what happened through `out`, one event at a time. It
 * runs in a process of its own beside the HTTP process (./main.ts, started by ./host.ts), or in
 * the HTTP process itself (`serve --workers 0`, and the HTTP tests): the same code either way.
 */
import type { SignalData, SignalLeg } from '../../src/protocol/api.js';
import type { Registry } from 'prom-client';
import type { DataPath, PlaneCommand, PlaneEvent, PlaneStart, RelayStart, ReflectorStart, SessionTally } from '../common/data-plane.js';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { isSignalMessageData } from '../../src/protocol/signal-check.js';
import { formatTurnUri } from '../../src/protocol/turn-uri.js';
import type { RelayWitness, ServerLoopReading } from '../../src/protocol/wire.js';
import type { RefusalScope } from '../common/door.js';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { REFLECTOR_USERNAME_PREFIX, mintRestCredential, startRelay, type Relay, type RelayLogger } from '../turn/index.js';
import { ReflectorSession } from '../reflector/session.js';
import { ReflectorSessionError, type ReflectorLogger } from '../reflector/session-base.js';
import type { ReflectorRelayServer } from '../reflector/channel-leg.js';
import type { AttachLocalPeer } from '../reflector/rtp/leg.js';
import type { RelayEndpoints } from '../reflector/candidates.js';
import { startLoopLateness } from '../reflector/loop-lateness.js';
import { EchoSession } from '../reflector/echo-session.js';
import { VideoSession } from '../reflector/video/session.js';
import { LoopDelayMonitor, LoopDelayWindow, loopSamplerOn, registerLoopDelay } from '../loop-delay.js';
import { metricsFamilies } from '../metrics/registry.js';
import { IdleCollector } from './idle-collect.js';
import { holdWrtcFactory } from '../reflector/wrtc-factory.js';
import { warmRtpLeg } from '../reflector/rtp/warm.js';

/** What every reflector session of the plane is given; the parts that reach the relay are injected (tests give their own). */
export interface ReflectorParts {
  /** The one address its RTP leg offers candidates on. */
  address: string;
  relayEndpoints: RelayEndpoints;
  payloadBytes: number;
  maxSessionMs: number;
  rtp: boolean;
  iceTrafficTimeoutMs?: number;
  /** The relay the data-channel leg takes its only candidate on, with a credential minted for one session. */
  relayServer(sessionId: string): ReflectorRelayServer;
  /** Let the relay reach one reflector endpoint; returns the undo function. */
  allowEndpoint(ip: string, port: number): () => void;
  /** This plane's relay: the data-channel leg's allocations may exchange data with the page's relayed address (Relay.allowRelayPair). */
  allowRelayPair?: (username: string, ip: string, port: number) => () => void;
  /** The relay of this plane: the RTP leg's datagrams go to and from it by a call. */
  attachLocalPeer?: AttachLocalPeer;
  /** What the RTP leg's SRTP and probe core run on (../common/data-plane.ts DataPath). */
  dataPath: DataPath;
  relayWitness?: (ip: string, port: number) => RelayWitness | null;
  serverLoop?: (fromMs: number, toMs: number) => ServerLoopReading;
}

export interface DataPlaneOptions {
  relay: Relay | null;
  reflector: ReflectorParts | null;
  /** Every event of the plane, in order. */
  out(event: PlaneEvent): void;
  logger: ReflectorLogger;
  /** The registry of the plane's families (its relay's; in a process of its own, also its memory and event-loop delay): the `metrics` answer. */
  metricsRegistry: Registry;
  /** Told how many sessions are open after each opens or closes (the idle collection). */
  onSessions?: (open: number) => void;
  /** Told when a session opens a data-channel leg (the idle collection holds the wrtc factory from then on). */
  onChannelLeg?: () => void;
  /** Closed with the plane, after the sessions and the relay (the samplers it started). */
  onClose?: () => void;
  /** The relay's secret was replaced (`secret`): the reflector mints its credentials with the new one. */
  onSecret?: (secret: string) => void;
}

const NO_TALLY: SessionTally = { probes: 0, rtpProbes: 0, badProbes: 0, witnessed: false };

export class DataPlane {
  private readonly sessions = new Map<string, ReflectorSession | EchoSession | VideoSession>();
  private closing: Promise<void> | null = null;

  constructor(private readonly o: DataPlaneOptions) {}

  get relay(): Relay | null {
    return this.o.relay;
  }

  /** Sessions open now. */
  get sessionsOpen(): number {
    return this.sessions.size;
  }

  /** One command of the HTTP side; `start` and `stop` are the host's (./main.ts), not the plane's. */
  handle(cmd: Exclude<PlaneCommand, { type: 'start' } | { type: 'stop' }>): void {
    switch (cmd.type) {
      case 'open':
        if (cmd.kind === 'echo' || cmd.kind === 'video') this.openMediaOnly(cmd.session, cmd.kind);
        else this.open(cmd.session);
        return;
      case 'signal':
        this.signal(cmd.session, cmd.data, cmd.leg);
        return;
      case 'stream-end': {
        // An echo session has no stream to end (nothing is measured): its page's stop changes nothing.
        const session = this.sessions.get(cmd.session);
        if (session instanceof ReflectorSession || session instanceof VideoSession) session.stop();
        return;
      }
      case 'close':
        this.sessions.get(cmd.session)?.close(cmd.reason);
        return;
      case 'metrics?':
        this.metrics(cmd.id).then(this.o.out, (err: unknown) =>
          this.o.logger.warn({ err: (err as Error).message }, 'data plane: its metrics could not be read (the scrape goes without them)'),
        );
        return;
      case 'secret':
        this.o.relay?.setSecret(cmd.secret);
        this.o.onSecret?.(cmd.secret);
        return;
      case 'tls-refusal?': {
        const r = this.o.relay?.certificateRefusal(cmd.ip, cmd.windowMs) ?? null;
        this.o.out({ type: 'tls-refusal', id: cmd.id, refusal: r ? { alert: r.alert } : null });
        return;
      }
    }
  }

  private open(id: string): void {
    const r = this.o.reflector;
    const tally: SessionTally = { ...NO_TALLY };
    if (r === null || this.sessions.has(id)) {
      this.o.out({ type: 'closed', session: id, reason: r === null ? 'this server runs without a reflector' : 'a session of that id is open', tally });
      return;
    }
    const session = new ReflectorSession({
      id,
      peerAddress: r.address,
      relayServer: r.relayServer(id),
      payloadBytes: r.payloadBytes,
      receiptIntervalMs: CONSTANTS.signalling.receiptIntervalMs,
      maxSessionMs: r.maxSessionMs,
      offerTimeoutMs: CONSTANTS.signalling.offerTimeoutMs,
      connectTimeoutMs: CONSTANTS.signalling.connectTimeoutMs,
      iceTrafficTimeoutMs: r.iceTrafficTimeoutMs ?? CONSTANTS.signalling.iceTrafficTimeoutMs,
      maxCandidates: CONSTANTS.signalling.maxCandidatesPerSession,
      relay: r.relayEndpoints,
      onCandidateDropped: (count) => this.o.out({ type: 'dropped', session: id, count }),
      logger: this.o.logger,
      rtp: r.rtp,
      sendSignal: (data, leg) => this.sendSignal(id, data, leg),
      sendControl: (message) => this.sendControl(id, message),
      ...(this.o.onChannelLeg ? { onChannelLeg: this.o.onChannelLeg } : {}),
      allowEndpoint: r.allowEndpoint,
      ...(r.allowRelayPair ? { allowRelayPair: r.allowRelayPair } : {}),
      ...(r.attachLocalPeer ? { attachLocalPeer: r.attachLocalPeer } : {}),
      dataPath: r.dataPath,
      ...(r.relayWitness ? { relayWitness: r.relayWitness } : {}),
      ...(r.serverLoop ? { serverLoop: r.serverLoop } : {}),
      onClose: (reason, code) => {
        this.sessions.delete(id);
        this.o.onSessions?.(this.sessions.size);
        this.o.out({ type: 'closed', session: id, reason, ...(code ? { code } : {}), tally: session.tally() });
      },
    });
    this.sessions.set(id, session);
    this.o.onSessions?.(this.sessions.size);
  }

  /**
   * A session of one media leg: the echo test's (the RTP leg alone, ../reflector/echo-session.ts)
   * or a test's video phase (../reflector/video/session.ts); refused as a test is when no
   * reflector or RTP leg runs here.
   */
  private openMediaOnly(id: string, kind: 'echo' | 'video'): void {
    const r = this.o.reflector;
    if (r === null || !r.rtp || this.sessions.has(id)) {
      const reason =
        r === null ? 'this server runs without a reflector' : !r.rtp ? 'this server runs without the RTP reflector' : 'a session of that id is open';
      this.o.out({ type: 'closed', session: id, reason, tally: { ...NO_TALLY } });
      return;
    }
    const common = {
      id,
      peerAddress: r.address,
      offerTimeoutMs: CONSTANTS.signalling.offerTimeoutMs,
      connectTimeoutMs: CONSTANTS.signalling.connectTimeoutMs,
      maxCandidates: CONSTANTS.signalling.maxCandidatesPerSession,
      relay: r.relayEndpoints,
      onCandidateDropped: (count: number) => this.o.out({ type: 'dropped', session: id, count }),
      logger: this.o.logger,
      sendSignal: (data: SignalData, leg?: SignalLeg) => this.sendSignal(id, data, leg),
      allowEndpoint: r.allowEndpoint,
      ...(r.attachLocalPeer ? { attachLocalPeer: r.attachLocalPeer } : {}),
      dataPath: r.dataPath,
      onClose: (reason: string) => {
        this.sessions.delete(id);
        this.o.onSessions?.(this.sessions.size);
        this.o.out({ type: 'closed', session: id, reason, tally: session.tally() });
      },
    };
    const session =
      kind === 'echo'
        ? new EchoSession({ ...common, cutMs: CONSTANTS.echo.serverCutMs, maxSessionMs: Math.min(CONSTANTS.echo.maxSessionMs, r.maxSessionMs) })
        : new VideoSession({
            ...common,
            sendControl: (message) => this.sendControl(id, message),
            maxSessionMs: Math.min(CONSTANTS.video.maxSessionMs, r.maxSessionMs),
          });
    this.sessions.set(id, session);
    this.o.onSessions?.(this.sessions.size);
  }

  /** A signal of our stack, checked as the page checks it: one outside the signalling contract is our bug, logged, never sent. */
  private sendSignal(session: string, data: SignalData, leg: SignalLeg | undefined): void {
    if (!isSignalMessageData(data)) {
      this.o.logger.warn({ session, type: data.type }, 'own signal outside the signalling contract not sent');
      return;
    }
    this.o.out(leg ? { type: 'signal', session, data, leg } : { type: 'signal', session, data });
  }

  /** A control message of a session for the page: a binary one (receipts) in base64, as the channel and the socket carry it. */
  private sendControl(session: string, message: string | Uint8Array): void {
    this.o.out(
      typeof message === 'string'
        ? { type: 'control', session, text: message, binary: false }
        : { type: 'control', session, text: Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('base64'), binary: true },
    );
  }

  private signal(id: string, data: SignalData, leg: SignalLeg | undefined): void {
    const session = this.sessions.get(id);
    if (session === undefined) return; // ended meanwhile: its `closed` is on its way
    try {
      session.signal(data, leg);
    } catch (err) {
      const reason = err instanceof ReflectorSessionError ? err.reason : 'bad-message';
      this.o.out({ type: 'refused', session: id, reason, message: (err as Error).message });
    }
  }

  private async metrics(id: number): Promise<PlaneEvent> {
    // The relay counts refusals at its own two doors only.
    const doorRefusals = [...(this.o.relay?.doorRefusals() ?? [])].map(([door, scope, n]): ['relay-allocation' | 'turn-connection', RefusalScope, number] => [
      door === 'turn-connection' ? door : 'relay-allocation',
      scope,
      n,
    ]);
    return { type: 'metrics', id, families: await metricsFamilies(this.o.metricsRegistry), doorRefusals };
  }

  /** Ends every session (each says `closed`), then the relay and the samplers. Once; later calls wait on the first. */
  close(reason = 'server shutting down'): Promise<void> {
    this.closing ??= (async () => {
      for (const s of [...this.sessions.values()]) s.close(reason);
      await this.o.relay?.close();
      this.o.onClose?.();
    })();
    return this.closing;
  }
}

function hostForUri(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * Where the data-channel leg takes its one candidate: the embedded relay's loopback listener
 * (no firewall in front of the public ports stands between them), or --external-turn's first UDP
 * entry; with a credential minted per session under the relay's secret, lasting a session (or
 * the credential lifetime when that is shorter).
 */
function reflectorRelayServer(r: ReflectorStart, relay: Relay | null, secret: () => string): (sessionId: string) => ReflectorRelayServer {
  const internal = relay?.internalUdp ?? null;
  const url = internal !== null ? formatTurnUri(hostForUri(internal.address), internal.port, 'udp') : r.externalTurnUdpUrl;
  if (url === null) throw new Error('the reflector needs a UDP TURN entry for its data-channel leg');
  const ttlS = Math.min(Math.ceil(r.maxSessionMs / 1000) + 60, r.credentialTtlS);
  return (sessionId) => {
    const c = mintRestCredential(secret(), `${REFLECTOR_USERNAME_PREFIX}${sessionId}`, ttlS, Date.now());
    return { url, username: c.username, credential: c.credential };
  };
}

function startRelayOf(r: RelayStart, dataPath: DataPath, logger: RelayLogger): Promise<Relay> {
  return startRelay({
    listenHosts: r.listenHosts,
    relayIp: r.relayIp,
    ...(r.relayIpV6 !== undefined ? { relayIpV6: r.relayIpV6 } : {}),
    udpPorts: r.udpPorts,
    tcpPorts: r.tcpPorts,
    tls: r.tls,
    relayPortRange: r.relayPortRange,
    realm: r.realm,
    secret: r.secret,
    allowPeers: r.allowPeers,
    quotas: r.quotas,
    maxCredentialLifetimeS: r.maxCredentialLifetimeS,
    logger,
    internalUdp: r.internalUdp,
    // The relay's UDP sockets: our addon's on the native path, Node's dgram on the portable one.
    udp: dataPath === 'native' ? 'native' : 'dgram',
  });
}

/**
 * The plane of `start`: its relay started (RelayStartError when it cannot: a port in use, a bad
 * value), the reflector's parts over it, the samplers running. `logger` is the plane's log (the
 * relay logs under it as `turn`). `own.loopDelay`: sample this process's event-loop delay (a plane
 * inside the HTTP process leaves it to the HTTP process's own sampler). `own.collect`: a full
 * garbage collection, run when no session has been open for a moment (./idle-collect.ts; a plane
 * in a process of its own, started with --expose-gc). `own.metricsRegistry`: its process's registry,
 * where the relay's families go, and with `loopDelay` the event-loop delay's (`process="dataplane"`).
 */
export async function startDataPlane(
  start: Omit<PlaneStart, 'type' | 'log'>,
  out: (event: PlaneEvent) => void,
  logger: ReflectorLogger & { child(bindings: object): RelayLogger },
  own: { loopDelay: boolean; collect?: () => void; metricsRegistry: Registry },
): Promise<DataPlane> {
  let plane: DataPlane | null = null;
  const relay = start.relay === null ? null : await startRelayOf(start.relay, start.dataPath, logger.child({ name: 'turn' }));
  const r = start.reflector;
  // The samplers tick every 10 ms while a test is open, every 200 ms otherwise (CONSTANTS.serverLoop),
  // and count at each tick how long the relay's datagrams waited since the last (its sockets' own).
  const busy = (): boolean => (plane?.sessionsOpen ?? 0) > 0;
  const sampler = loopSamplerOn(start.dataPath, relay?.datagramWaits ?? null);
  // This process's lateness for /metrics: the reflector's sampler's ticks when it runs (one timer), else a sampler of its own.
  const window = own.loopDelay && r !== null ? new LoopDelayWindow(() => performance.now()) : null;
  // The event loop runs the relay and the reflector: how late it ran goes to each test (its `final`).
  if (r?.rtp === true) await warmRtpLeg(start.dataPath);
  const lateness = r !== null ? startLoopLateness(CONSTANTS.serverLoop, busy, (atMs, lateMs) => window?.record(atMs, lateMs), sampler) : null;
  const ownSampler = own.loopDelay && window === null ? new LoopDelayMonitor(busy, CONSTANTS.serverLoop.periodMs, sampler) : null;
  const windowRead = window && lateness ? { reading: () => (lateness.flush(), window.reading()) } : null;
  relay?.registerMetrics(own.metricsRegistry);
  const loop = windowRead ?? ownSampler;
  if (loop !== null) registerLoopDelay(own.metricsRegistry, 'dataplane', () => loop.reading());
  // The reflector's credentials are minted with the relay's secret as it is now (`secret` replaces it).
  let reflectorSecret = r?.secret ?? '';
  const reflector: ReflectorParts | null =
    r === null
      ? null
      : {
          address: r.address,
          relayEndpoints: r.relayEndpoints,
          payloadBytes: r.payloadBytes,
          maxSessionMs: r.maxSessionMs,
          // Whether the RTP leg runs is the start's (serve decides: our own relay, or an edge's coturn).
          rtp: r.rtp,
          ...(r.iceTrafficTimeoutMs !== undefined ? { iceTrafficTimeoutMs: r.iceTrafficTimeoutMs } : {}),
          relayServer: reflectorRelayServer(r, relay, () => reflectorSecret),
          allowEndpoint: (ip, port) => (relay ? relay.allowPeerEndpoint(ip, port) : () => undefined),
          ...(relay ? { relayWitness: (ip: string, port: number) => relay.relayWitness(ip, port) } : {}),
          // The data-channel leg allocates on this plane's relay: its pairs with the page's relayed addresses are registered there.
          ...(relay ? { allowRelayPair: (username: string, ip: string, port: number) => relay.allowRelayPair(username, ip, port) } : {}),
          // The RTP leg and the relay share this process: datagrams between them by a call.
          ...(relay ? { attachLocalPeer: relay.attachLocalPeer.bind(relay) } : {}),
          dataPath: start.dataPath,
          ...(lateness ? { serverLoop: (fromMs: number, toMs: number) => lateness.between(fromMs, toMs) } : {}),
        };
  // Admission (server/dataplane/admission.ts): how late the loop ran in each bin of the last window, every report.
  const admission = CONSTANTS.admission;
  // With it, the CPU this process used since the last report (/metrics).
  let cpuAt = process.cpuUsage();
  const lateReport =
    lateness === null
      ? null
      : setInterval(() => {
          const now = performance.now();
          const cpu = process.cpuUsage(cpuAt);
          cpuAt = process.cpuUsage();
          out({
            type: 'loop-late',
            lateMs: lateness.between(now - admission.windowMs, now).bins.map(([, late]) => late),
            cpuMs: (cpu.user + cpu.system) / 1000,
          });
        }, admission.reportMs);
  lateReport?.unref();
  // With a reflector, the wrtc factory is held through a busy period and let go before the collection.
  const idleCollect = own.collect
    ? new IdleCollector(own.collect, CONSTANTS.dataPlane.idleCollectMs, relay ? () => relay.packetsRelayed() : undefined, r !== null ? holdWrtcFactory : null)
    : null;
  plane = new DataPlane({
    relay,
    reflector,
    out,
    logger,
    metricsRegistry: own.metricsRegistry,
    ...(idleCollect ? { onSessions: (open: number) => idleCollect.sessionsNow(open), onChannelLeg: () => idleCollect.holdNow() } : {}),
    onSecret: (secret) => {
      reflectorSecret = secret;
    },
    onClose: () => {
      idleCollect?.stop();
      if (lateReport !== null) clearInterval(lateReport);
      lateness?.stop();
      ownSampler?.stop();
    },
  });
  return plane;
}
