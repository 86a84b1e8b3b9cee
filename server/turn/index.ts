/**
 * callprobe's embedded TURN relay: public entry point.
 * Layers: codec/ (wire format) -> core/ (Sans-IO RFC 8656 state machine) -> transport/ (Node sockets).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type net from 'node:net';
import tls from 'node:tls';
import { DEFAULT_QUOTAS, DEFAULT_TIMERS, TurnCore, randomPortAllocator, type ListenerInfo, type RelayQuotas } from './core/index.js';
import { restAuthHandler } from './credentials.js';
import { RelayMetrics, registerRelayMetrics, type TransportKind } from './metrics.js';
import type { Registry } from 'prom-client';
import type { AuthHandler } from './core/types.js';
import { canonicalIp, parseIp, tryParseIp } from '../../src/protocol/ip.js';
import { StaticPeerPolicy } from './policy/peer-policy.js';
import { LogLimiter } from './transport/log-limiter.js';
import type { RelayLogger } from './transport/logger.js';
import { RelayRuntime, type LocalDelivery, type LocalPeerHandle } from './transport/runtime.js';
import { startStreamListener, type StreamTimers } from './transport/stream-listener.js';
import { SourceConnections } from './transport/source-connections.js';
import { bindUdp } from './transport/udp-listener.js';
import type { RelayUdpSocket, UdpKind } from './transport/udp-listener.js';
import { takeDatagramWaits, type DatagramWait } from './transport/native-udp.js';
import { TlsRefusals, type CertificateRefusal } from './transport/tls-refusals.js';
import type { RelayWitness } from '../../src/protocol/wire.js';
import type { DoorName, RefusalScope } from '../common/door.js';
import { TypedError } from '../../src/protocol/typed-error.js';

/** @public The type of `RelayConfig.logger`, for a caller that writes its own. */
export type { RelayLogger } from './transport/logger.js';
export type { RelayQuotas } from './core/types.js';
export { DEFAULT_QUOTAS } from './core/types.js';
export { REFLECTOR_USERNAME_PREFIX, mintRestCredential } from './credentials.js';

export interface RelayConfig {
  listenHosts: string[];
  /** Address put in XOR-RELAYED-ADDRESS and bound by relay sockets (IPv4 or IPv6). */
  relayIp: string;
  /** Optional second relayed address of the other family (REQUESTED-ADDRESS-FAMILY). */
  relayIpV6?: string;
  /** The CLIs give DEFAULTS.turnUdpPorts (3478-3481, src/protocol/defaults.ts). */
  udpPorts: number[];
  /** Plain TURN-over-TCP listeners. */
  tcpPorts: number[];
  tls: { port: number; certPem: string; keyPem: string } | null;
  /** The CLIs give DEFAULTS.relayPortRange (49152-65535); {min: 0, max: 0} = OS-chosen ephemeral ports (tests). */
  relayPortRange: { min: number; max: number };
  realm: string;
  /** TURN REST API shared secret (coturn `static-auth-secret`). */
  secret: string;
  /** Extra CIDRs peers may be in; special-purpose ranges open only for entries inside them. */
  allowPeers: string[];
  /** Overrides of DEFAULTS.relayQuotas (src/protocol/defaults.ts). */
  quotas?: Partial<RelayQuotas>;
  logger: RelayLogger;
  /** Timers of the TCP/TLS listeners (the no-allocation deadline); tests inject their own. */
  streamTimers?: StreamTimers;
  /** Longest credential lifetime accepted (the minting TTL plus clock skew); null = no maximum. */
  maxCredentialLifetimeS?: number | null;
  /** Wall clock in ms since the epoch (REST credential expiry needs wall time). Default Date.now. */
  now?: () => number;
  /**
   * Also listen on UDP at the loopback address of the relay address's family, on a port the OS
   * picks (`Relay.internalUdp`): the server's own reflector reaches the relay there, whatever a
   * firewall does to the public ports, and no client is told of it.
   */
  internalUdp?: boolean;
  /** The relay's UDP sockets (listeners and relayed addresses): our addon's (native, the default), or Node's dgram (the portable data path: `serve --data-path portable`). */
  udp?: UdpKind;
}

export interface Relay {
  /** Where each listener actually bound (ports may be 0 in tests = ephemeral). */
  readonly listeners: { transport: 'udp' | 'tcp' | 'tls'; address: string; port: number }[];
  /** The loopback UDP listener for the server's own reflector (RelayConfig.internalUdp); null without one. */
  readonly internalUdp: { address: string; port: number } | null;
  /** Let the relay send to one exact peer endpoint; returns an undo function. */
  allowPeerEndpoint(ip: string, port: number): () => void;
  /**
   * Let the allocations of reflector credential `reflectorUsername` (a session's data-channel leg)
   * exchange data with relayed address `ip`:`port`, a candidate its page signalled; any other
   * traffic between relayed addresses of ours (one credential's own allocations aside) is dropped
   * (core/relay-pairs.ts). Returns an undo function.
   */
  allowRelayPair(reflectorUsername: string, ip: string, port: number): () => void;
  /**
   * A peer in this process at `ip`:`port` (the reflector's RTP leg): the relay hands it its
   * datagrams by a call, and the handle takes the peer's datagrams to a relayed address, both
   * through the same checks and counters as the wire (transport/runtime.ts); with `dscp`, each of
   * its datagrams to a client over UDP carries that DSCP where the relay's sockets can mark one
   * (the handle's `dscp` says whether they do).
   */
  attachLocalPeer(ip: string, port: number, deliver: LocalDelivery, dscp?: number | null): LocalPeerHandle;
  /** Registers the relay's families in `registry` (prom-client), read from its counters at each scrape. */
  registerMetrics(registry: Registry): void;
  /** The latest TLS handshake from `ip` that ended in a certificate alert, no older than `windowMs`; null if none. */
  certificateRefusal(ip: string, windowMs: number): CertificateRefusal | null;
  /**
   * The relay as a witness: the RTP it carried between its allocations and peer endpoint
   * ip:port (e.g. a reflector session's host candidate), read from headers only, up to
   * CONSTANTS.relayWitness.graceMs after the allocation is deleted; null when it saw no RTP.
   */
  relayWitness(ip: string, port: number): RelayWitness | null;
  /** Refusals at the relay's doors (allocations, TCP/TLS connections) by scope, for callprobe_refusals_total. */
  doorRefusals(): Iterable<readonly [DoorName, RefusalScope, number]>;
  /** Datagrams relayed so far, both directions (whether traffic flows: the plane's idle collection waits while it does). */
  packetsRelayed(): number;
  /**
   * The longest wait of a datagram read by the relay's UDP sockets since the last call (from the
   * kernel's receive time to its handler's call: the event loop was late that long), and when;
   * null when none was read. Null itself on Node's dgram sockets (the portable data path), which
   * give no receive time.
   */
  readonly datagramWaits: (() => DatagramWait | null) | null;
  /**
   * Replaces the TURN REST secret: every request checked from now on (an Allocate, an
   * allocation's Refresh, CreatePermission or ChannelBind) needs a credential of the new one, so
   * those minted before are refused (401) and their allocations lapse at their next refresh.
   */
  setSecret(secret: string): void;
  close(): Promise<void>;
}

/** The relay could not start: `bad-config` (a value in its config), `bind-failed` (a listener that would not bind). */
export class RelayStartError extends TypedError<'bad-config' | 'bind-failed'> {
  override readonly name = 'RelayStartError';
}

function checkPort(p: number, what: string): void {
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RelayStartError('bad-config', `${what}: bad port ${p}`);
}

/** RelayRuntime.attachLocalPeer with the peer's and the relayed address's texts made canonical (the peer names the relayed address as its candidate said it). */
function attachLocalPeer(runtime: RelayRuntime, ip: string, port: number, deliver: LocalDelivery, dscp: number | null): LocalPeerHandle {
  if (dscp !== null && !(Number.isInteger(dscp) && dscp >= 0 && dscp <= 63))
    throw new RelayStartError('bad-config', `attachLocalPeer: a DSCP is 0-63, not ${dscp}`);
  const h = runtime.attachLocalPeer(canonicalIp(ip), port, deliver, dscp);
  // Canonical text once per new spelling of the relayed address.
  let raw = '';
  let canonical = '';
  return {
    dscp: h.dscp,
    fromPeer(data, toIp, toPort) {
      if (toIp !== raw) {
        if (tryParseIp(toIp) === null) return false;
        raw = toIp;
        canonical = canonicalIp(toIp);
      }
      return h.fromPeer(data, canonical, toPort);
    },
    offerFast: (offer) => h.offerFast(offer),
    detach: () => h.detach(),
  };
}

/** The relay's addresses and peer policy from `config`; RelayStartError ('bad-config') on a bad value. */
function checkedConfig(config: RelayConfig): { relayAddresses: { 4?: string; 6?: string }; peerPolicy: StaticPeerPolicy } {
  const relayIp = tryParseIp(config.relayIp);
  if (!relayIp) throw new RelayStartError('bad-config', `relayIp "${config.relayIp}" is not an IP address`);
  if (relayIp.bytes.every((b) => b === 0)) {
    throw new RelayStartError('bad-config', 'relayIp must be a concrete address (it is sent to clients in XOR-RELAYED-ADDRESS), not 0.0.0.0 or ::');
  }
  const relayAddresses: { 4?: string; 6?: string } = { [relayIp.family]: canonicalIp(config.relayIp) };
  if (config.relayIpV6 !== undefined) {
    const v6 = tryParseIp(config.relayIpV6);
    if (v6?.family !== 6 || relayIp.family === 6)
      throw new RelayStartError('bad-config', `relayIpV6 "${config.relayIpV6}" must be IPv6 next to an IPv4 relayIp`);
    relayAddresses[6] = canonicalIp(config.relayIpV6);
  }
  for (const h of config.listenHosts) if (!tryParseIp(h)) throw new RelayStartError('bad-config', `listen host "${h}" is not an IP address`);
  for (const p of [...config.udpPorts, ...config.tcpPorts, ...(config.tls ? [config.tls.port] : [])]) checkPort(p, 'listener');
  if (config.secret.length === 0) throw new RelayStartError('bad-config', 'secret must not be empty');
  let peerPolicy: StaticPeerPolicy;
  try {
    peerPolicy = new StaticPeerPolicy(config.allowPeers);
  } catch (err) {
    throw new RelayStartError('bad-config', `allowPeers: ${(err as Error).message}`, { cause: err });
  }
  return { relayAddresses, peerPolicy };
}

/** The TURN REST check (RFC 8489 §9.2 long-term credentials), its secret replaced whole by `set`: a request checked after it is checked against the new secret only. */
function swappableAuth(secret: string, maxLifetimeS: number | null): { check: AuthHandler; set(secret: string): void } {
  let handler = restAuthHandler(secret, maxLifetimeS);
  return {
    check: (username, realm, nowMs) => handler(username, realm, nowMs),
    set: (next) => {
      handler = restAuthHandler(next, maxLifetimeS);
    },
  };
}

export async function startRelay(config: RelayConfig): Promise<Relay> {
  const { relayAddresses, peerPolicy } = checkedConfig(config);
  const now = config.now ?? Date.now;
  const metrics = new RelayMetrics();
  const quotas = { ...DEFAULT_QUOTAS, ...config.quotas };
  const auth = swappableAuth(config.secret, config.maxCredentialLifetimeS ?? null);
  const core = new TurnCore({
    realm: config.realm,
    relayAddresses,
    auth: auth.check,
    peerPolicy,
    portAllocator: randomPortAllocator(config.relayPortRange.min, config.relayPortRange.max),
    quotas,
    timers: DEFAULT_TIMERS,
    nonceSecret: randomBytes(32),
    maxRelayBindAttempts: 20,
    software: 'callprobe',
    random: randomBytes,
    arrivalClock: () => performance.now(),
  });
  const logLimiter = new LogLimiter(config.logger);
  let nextListenerId = 1;
  const udpKind = config.udp ?? 'native';
  const runtime = new RelayRuntime(core, now, logLimiter, undefined, udpKind);
  // A stream connection carries at most one allocation: a source (a network, the relay) needs no more of them than its allocation quota.
  const streamSources = new SourceConnections(quotas.maxAllocationsPerSourceIp, quotas.maxAllocationsTotal);
  const tlsRefusals = new TlsRefusals();
  const onCertificateRefused = (ip: string, alert: string): void => tlsRefusals.record(canonicalIp(ip), alert, now());
  const listeners: Relay['listeners'] = [];
  const udpSockets: RelayUdpSocket[] = [];
  const streamServers: net.Server[] = [];
  let internalUdp: Relay['internalUdp'] = null;
  const listenerInfo = (transport: TransportKind, address: string, port: number): ListenerInfo => {
    listeners.push({ transport, address, port });
    return { id: nextListenerId++, transport, address, port, stats: metrics.listener(transport, port) };
  };
  const closeAll = async (): Promise<void> => {
    runtime.shutdown();
    for (const s of udpSockets) s.close();
    await Promise.all([...streamServers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))]);
  };
  try {
    for (const host of config.listenHosts) {
      for (const port of config.udpPorts) {
        const sock = await bindUdp(udpKind, host, port);
        udpSockets.push(sock);
        runtime.attachUdpListener(listenerInfo('udp', host, sock.port), sock);
      }
      // Validates the certificate and key up front (throws on a bad pair).
      const tlsCreds = config.tls ? { certPem: config.tls.certPem, keyPem: config.tls.keyPem } : null;
      if (tlsCreds) tls.createSecureContext({ cert: tlsCreds.certPem, key: tlsCreds.keyPem });
      const tlsPort = config.tls?.port;
      const tcpPorts = [...new Set(config.tcpPorts)];
      for (const port of tcpPorts) {
        const shared = tlsCreds !== null && port !== 0 && port === tlsPort;
        const { server } = await startStreamListener(runtime, {
          host,
          port,
          plain: (p) => listenerInfo('tcp', host, p),
          tls: shared ? { ...tlsCreds, listener: (p) => listenerInfo('tls', host, p), onCertificateRefused } : null,
          ...(config.streamTimers ? { timers: config.streamTimers } : {}),
          sources: streamSources,
        });
        streamServers.push(server);
      }
      if (tlsCreds !== null && tlsPort !== undefined && !(tlsPort !== 0 && tcpPorts.includes(tlsPort))) {
        const { server } = await startStreamListener(runtime, {
          host,
          port: tlsPort,
          plain: null,
          tls: { ...tlsCreds, listener: (p) => listenerInfo('tls', host, p), onCertificateRefused },
          ...(config.streamTimers ? { timers: config.streamTimers } : {}),
          sources: streamSources,
        });
        streamServers.push(server);
      }
    }
    if (config.internalUdp === true) {
      const host = relayAddresses[4] !== undefined ? '127.0.0.1' : '::1';
      const sock = await bindUdp(udpKind, host, 0);
      udpSockets.push(sock);
      const port = sock.port;
      internalUdp = { address: host, port };
      // Not in `listeners` (what clients are told of); its counters carry its own port.
      runtime.attachUdpListener({ id: nextListenerId++, transport: 'udp', address: host, port, stats: metrics.listener('udp', port) }, sock);
    }
  } catch (err) {
    await closeAll();
    throw new RelayStartError('bind-failed', `could not bind a relay listener: ${(err as Error).message}`, { cause: err });
  }
  config.logger.info({ listeners, relayIp: relayAddresses, relayPortRange: config.relayPortRange }, 'TURN relay listening');
  let closing: Promise<void> | null = null;
  return {
    listeners,
    internalUdp,
    allowPeerEndpoint(ip: string, port: number): () => void {
      checkPort(port, 'allowPeerEndpoint');
      return peerPolicy.allowEndpoint(parseIp(ip), port);
    },
    allowRelayPair(reflectorUsername, ip, port) {
      checkPort(port, 'allowRelayPair');
      return core.allowRelayPair(reflectorUsername, canonicalIp(ip), port);
    },
    attachLocalPeer: (ip, port, deliver, dscp = null) => {
      checkPort(port, 'attachLocalPeer');
      return attachLocalPeer(runtime, ip, port, deliver, dscp);
    },
    registerMetrics: (registry) =>
      registerRelayMetrics(registry, {
        listeners: metrics,
        credentialPeaks: (owner) => core.credentialPeaks(owner, now()),
        logLinesSuppressed: () => logLimiter.suppressed,
      }),
    certificateRefusal: (ip, windowMs) => {
      const parsed = tryParseIp(ip);
      return parsed ? tlsRefusals.latest(canonicalIp(ip), now(), windowMs) : null;
    },
    relayWitness: (ip, port) => {
      if (tryParseIp(ip) === null || !Number.isInteger(port) || port < 0 || port > 65535) return null;
      // What the fast path took and has not counted yet is counted first: the witness reads every packet so far.
      runtime.drainFastPath();
      return core.witnessFor(`${canonicalIp(ip)}|${port}`, now());
    },
    doorRefusals: () => metrics.doorRefusals(),
    packetsRelayed: () => metrics.packetsRelayed(),
    datagramWaits: udpKind === 'native' ? takeDatagramWaits : null,
    setSecret: auth.set,
    close(): Promise<void> {
      closing ??= closeAll();
      return closing;
    },
  };
}
