/**
 * The data plane as `serve` starts it (server/serve.ts): in one process of its own beside the
 * HTTP process (`--workers 1`, the default: ./host.ts, restarted when it exits), or in the HTTP
 * process itself (`--workers 0`: ./plane.ts directly). Either way `serve` gets the same handle:
 * where the relay listens, the reflector's sessions, the plane's metrics and the TLS question.
 */
import type { Registry } from 'prom-client';
import type { MetricFamily, PlaneCommand, PlaneStart } from '../common/data-plane.js';
import type { DoorName, RefusalScope } from '../common/door.js';
import type { ReflectorLogger } from '../reflector/session-base.js';
import type { RelayLogger } from '../turn/index.js';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { planeBusy } from './admission.js';
import { DataPlaneHost, PlaneStartError, type PlaneListeners, type RelayEvent, type RestartPolicy } from './host.js';
import { laterOf, placeTest, RELAY_SHARE } from './placement.js';
import { readCounter, readGauge, withLabel } from '../metrics/registry.js';
import { SessionRouter, type ReflectorSessions } from './sessions.js';

export { PlaneStartError } from './host.js';
export type { PlaneListeners } from './host.js';

export interface RunningPlane {
  /** Where the relay listens (empty without an embedded relay). */
  readonly listeners: PlaneListeners;
  /** The reflector's sessions; null without a reflector. */
  readonly sessions: ReflectorSessions | null;
  /** The reflector's sessions open now (tests, echo tests). */
  sessionsOpen(): number;
  /**
   * The families of the planes in processes of their own (their relays' counters, memory and
   * event-loop delay), read now, each plane's labelled `plane` when there are several; none for
   * a plane in this process (its families are in this process's registry). The relay's door
   * refusals as of this reading are what `doorRefusals` gives after it.
   */
  metrics(): Promise<MetricFamily[]>;
  doorRefusals(): Iterable<readonly [DoorName, RefusalScope, number]>;
  /** The latest certificate alert the relay's TLS listeners got from `ip` within `windowMs`. */
  tlsRefusal(ip: string, windowMs: number): Promise<{ alert: string } | null>;
  /** The plane's process id (this process's with `--workers 0`); null while it is being started again. */
  pid(): number | null;
  /** How it started, in a line for a person (its pid and nice); null in the HTTP process. */
  readonly startedAs: string | null;
  /** Replaces the relay's TURN secret in every plane (credentials minted with the old one are refused); resolves once they took it. */
  setSecret(secret: string): Promise<void>;
  close(): Promise<void>;
}

export interface PlaneStartOptions {
  /** 1: a process of its own; 0: this process; 2 or more: that many processes, the relay in the first. */
  workers: number;
  restart: RestartPolicy;
  /** serve's lines for a person. */
  log(msg: string): void;
  /** serve's structured log (the plane inside this process logs there). */
  logger: ReflectorLogger & { child(bindings: object): RelayLogger };
  /** This process's metrics registry: the hosts' counters, or a plane in this process, register there. */
  metricsRegistry: Registry;
}

/**
 * The hosts' own counters of their planes in `registry`: whether each is up, its nice, its exits
 * and restarts, the sessions they ended, messages dropped, sessions open and CPU; labelled
 * `plane` when there are several (`labelled`).
 */
function registerHosts(registry: Registry, hosts: () => readonly DataPlaneHost[], labelled: boolean): void {
  const each = (v: (h: DataPlaneHost) => number) => () => hosts().map((h, i) => [labelled ? { plane: String(i) } : {}, v(h)] as const);
  const labelNames = labelled ? (['plane'] as const) : [];
  const gauge = (name: string, help: string, v: (h: DataPlaneHost) => number): void => void readGauge(registry, { name, help, labelNames, read: each(v) });
  const counter = (name: string, help: string, v: (h: DataPlaneHost) => number): void => void readCounter(registry, { name, help, labelNames, read: each(v) });
  gauge('callprobe_dataplane_up', 'Whether each data plane process is running: 1, or 0 while it is started again.', (h) => (h.up ? 1 : 0));
  gauge('callprobe_dataplane_nice', "The nice value each data plane's threads run at.", (h) => h.counters().nice);
  counter('callprobe_dataplane_exits_total', 'Times each data plane exited without being asked to.', (h) => h.counters().exits);
  counter('callprobe_dataplane_restarts_total', 'Times each data plane was started again after it exited.', (h) => h.counters().restarts);
  counter(
    'callprobe_dataplane_sessions_lost_total',
    'Reflector sessions ended because a data plane stopped (the relay plane counts those of every plane it ended).',
    (h) => h.counters().sessionsLost,
  );
  counter(
    'callprobe_dataplane_bad_messages_total',
    'Messages from each data plane dropped because they did not match the channel.',
    (h) => h.counters().badMessages,
  );
  gauge('callprobe_dataplane_sessions_open', 'Reflector sessions open in each data plane.', (h) => h.sessions.size);
  gauge('callprobe_dataplane_cpu_ms_per_second', 'The CPU each data plane process used over its last report (every second), in ms a second.', (h) =>
    Math.round(((h.sessions.cpuMs() ?? 0) * 1000) / CONSTANTS.admission.reportMs),
  );
}

async function planeProcess(start: PlaneStart, o: PlaneStartOptions): Promise<RunningPlane> {
  const host = await DataPlaneHost.start({ start, restart: o.restart, log: o.log });
  registerHosts(o.metricsRegistry, () => [host], false);
  let doors: Array<readonly [DoorName, RefusalScope, number]> = [];
  return {
    listeners: host.listeners,
    sessions: start.reflector === null ? null : host.sessions,
    sessionsOpen: () => host.sessions.size,
    async metrics() {
      const m = await host.metrics();
      doors = m?.doorRefusals ?? [];
      return m?.families ?? [];
    },
    doorRefusals: () => doors,
    tlsRefusal: (ip, windowMs) => host.tlsRefusal(ip, windowMs),
    pid: () => host.pid,
    startedAs: host.startedAs,
    setSecret: (secret) => host.setSecret(secret),
    close: () => host.close(),
  };
}

async function planeHere(start: PlaneStart, o: PlaneStartOptions): Promise<RunningPlane> {
  // Loaded only here: with a plane of its own, the HTTP process never loads the WebRTC stacks.
  const { startDataPlane } = await import('./plane.js');
  let router: SessionRouter | null = null;
  const plane = await startDataPlane(start, (event) => queueMicrotask(() => router?.receive(event)), o.logger, {
    loopDelay: false,
    metricsRegistry: o.metricsRegistry,
  });
  router = new SessionRouter(
    (command) => {
      if (command.type !== 'start' && command.type !== 'stop') plane.handle(command);
      return true;
    },
    () => true,
  );
  const relay = plane.relay;
  return {
    listeners: relay?.listeners ?? [],
    sessions: start.reflector === null ? null : router,
    sessionsOpen: () => plane.sessionsOpen,
    metrics: () => Promise.resolve([]),
    doorRefusals: () => relay?.doorRefusals() ?? [],
    tlsRefusal: (ip, windowMs) => Promise.resolve(relay?.certificateRefusal(ip, windowMs) ?? null),
    pid: () => process.pid,
    startedAs: null,
    setSecret: (secret) => {
      plane.handle({ type: 'secret', secret });
      return Promise.resolve();
    },
    close: () => plane.close(),
  };
}

/**
 * Starts the plane of `start`. Throws PlaneStartError (`--workers 1`) or RelayStartError
 * (`--workers 0`) when the relay cannot start (a port in use, a bad value).
 */
export function startPlane(start: PlaneStart, o: PlaneStartOptions): Promise<RunningPlane> {
  if (o.workers === 0) return planeHere(start, o);
  // More planes than one only share out reflector sessions: without a reflector, one holds the relay.
  return o.workers === 1 || start.reflector === null ? planeProcess(start, o) : planeProcesses(start, o);
}

/** A relay start without the first plane's loopback port (another plane binds a port of its own). */
function withoutInternalPort(relay: NonNullable<PlaneStart['relay']>): NonNullable<PlaneStart['relay']> {
  const { internalUdpPort: _port, ...rest } = relay;
  return rest;
}

/**
 * `serve --workers N` (2 or more): N plane processes, each with reflector sessions and (unless
 * --external-turn) a relay of its own. The first plane's relay holds the listeners, so every
 * allocation starts there; once a UDP allocation's peer is another plane's session (a relayed
 * address its relay announced, or its RTP leg's granted endpoint), it moves to that
 * plane (../turn/core/move.ts) and its packets no longer cross the first plane. What stays there
 * (TCP and TLS allocations) reaches the other plane's sessions over loopback as before, through the
 * hosts: the RTP leg's endpoint grants, and the first relay's witness and loop lateness at a
 * session's end when the session's own relay saw nothing. Each test goes to the plane with the
 * fewest (./placement.ts). When the first plane stops, every test ends as the server's failure
 * and the allocations moved from it end too (its ports are given out afresh); when another plane
 * stops, its own tests end, its grants are undone and its moved allocations' ports come back.
 */
async function planeProcesses(start: PlaneStart, o: PlaneStartOptions): Promise<RunningPlane> {
  const reflector = start.reflector;
  if (reflector === null) throw new PlaneStartError('bad-config', 'more than one data plane needs the reflector');
  /** Whether the first plane holds our relay, which every test's packets cross (not with --external-turn). */
  const sharedRelay = start.relay !== null;
  const hosts: DataPlaneHost[] = [];
  /** A reflector plane's question, by the id it has on the way to the relay's plane. */
  const asks = new Map<number, { plane: number; id: number }>();
  let nextAsk = 0;
  const toRelay = (plane: number, event: RelayEvent): void => {
    const relay = hosts[0];
    const from = hosts[plane];
    if (relay === undefined || from === undefined) return;
    switch (event.type) {
      case 'relay-grant':
        relay.send({ type: 'relay-grant', owner: plane, grant: event.grant, ip: event.ip, port: event.port });
        return;
      case 'relay-ungrant':
        relay.send({ type: 'relay-ungrant', owner: plane, grant: event.grant });
        return;
      case 'relay-ask': {
        const id = nextAsk++;
        asks.set(id, { plane, id: event.id });
        const { endpoints, fromEpochMs, toEpochMs } = event;
        if (!relay.send({ type: 'relay-witness?', id, endpoints, fromEpochMs, toEpochMs })) {
          asks.delete(id);
          from.send({ type: 'relay-answer', id: event.id, witness: null, loop: null });
        }
        return;
      }
      case 'relay-witness': {
        const asked = asks.get(event.id);
        asks.delete(event.id);
        if (asked !== undefined) hosts[asked.plane]?.send({ type: 'relay-answer', id: asked.id, witness: event.witness, loop: event.loop });
        return;
      }
      // The first plane moves an allocation; the plane it goes to answers; a moved one that ended gives its port back.
      case 'relay-move':
        if (!(hosts[event.to]?.send({ type: 'relay-adopt', id: event.id, allocation: event.allocation }) ?? false))
          relay.send({ type: 'relay-moved', id: event.id, ok: false });
        return;
      case 'relay-adopted':
        relay.send({ type: 'relay-moved', id: event.id, ok: event.ok });
        return;
      case 'relay-returned':
        relay.send({ type: 'relay-return', owner: plane, family: event.family, port: event.port });
        return;
      case 'relay-address':
        toOthers(plane, { type: 'relay-sibling', owner: plane, ip: event.ip, port: event.port, open: event.open });
        return;
    }
  };
  /** A command for every plane but `plane`. */
  const toOthers = (plane: number, cmd: PlaneCommand): void => {
    hosts.forEach((h, i) => {
      if (i !== plane) h.send(cmd);
    });
  };
  const relayStopped = (): number => {
    asks.clear();
    toOthers(0, { type: 'relay-sibling', owner: 0, ip: null, port: null, open: false });
    // What moved to the other planes came from the first plane's relay, which gives its ports out afresh.
    for (const h of hosts.slice(1)) h.send({ type: 'relay-forget' });
    return hosts.slice(1).reduce((n, h) => n + h.sessions.relayStopped("the server's data plane stopped"), 0);
  };
  const planeStopped = (plane: number): number => {
    toOthers(plane, { type: 'relay-sibling', owner: plane, ip: null, port: null, open: false });
    hosts[0]?.send({ type: 'relay-ungrant', owner: plane, grant: null });
    hosts[0]?.send({ type: 'relay-return', owner: plane, family: null, port: null });
    return 0;
  };
  const startOne = async (index: number, s: PlaneStart): Promise<DataPlaneHost> => {
    const host = await DataPlaneHost.start({
      start: s,
      restart: o.restart,
      log: o.log,
      index,
      onRelayEvent: (event) => toRelay(index, event),
      onStopped: () => (index === 0 ? (sharedRelay ? relayStopped() : 0) : planeStopped(index)),
    });
    hosts[index] = host;
    return host;
  };
  // With our relay, every plane runs one: the first holds the listeners, each binds its share of the
  // relay ports, and they share one nonce secret (a nonce the first issued is good where the allocation moves).
  const nonceSecretHex = randomBytes(32).toString('hex');
  const count = o.workers;
  const first = await startOne(0, start.relay === null ? start : { ...start, relay: { ...start.relay, planes: { index: 0, count }, nonceSecretHex } });
  const planeStart = (index: number): PlaneStart =>
    start.relay === null
      ? start
      : {
          ...start,
          // No listener but its loopback one (its own reflector's); what it relays for pages moves in from the first plane.
          relay: { ...withoutInternalPort(start.relay), udpPorts: [], tcpPorts: [], tls: null, internalUdp: true, planes: { index, count }, nonceSecretHex },
          reflector: { ...reflector, relayInOtherPlane: true },
        };
  try {
    for (let i = 1; i < o.workers; i++) await startOne(i, planeStart(i));
  } catch (err) {
    await Promise.all(hosts.map((h) => h.close()));
    throw err;
  }
  registerHosts(o.metricsRegistry, () => hosts, true);

  // Every test's relayed packets are the first plane's work, when the relay is ours (./placement.ts).
  const relayShare = sharedRelay ? RELAY_SHARE : 0;
  const loads = () =>
    hosts.map((h) => {
      const late = h.sessions.loopLate();
      return { up: h.up, busy: planeBusy(late, performance.now(), CONSTANTS.admission), cpuMs: h.sessions.cpuMs(), open: h.sessions.size, late };
    });
  const sessions: ReflectorSessions = {
    open(id, events, kind) {
      // Every test's packets cross the relay: none opens while its plane is starting again.
      if (sharedRelay && !first.up) return null;
      const i = placeTest(loads(), relayShare);
      return i === null ? null : (hosts[i]?.sessions.open(id, events, kind) ?? null);
    },
    loopLate() {
      const l = loads();
      const i = placeTest(l, relayShare);
      const relayLate = l[0]?.late ?? null;
      return i === null || i === 0 ? relayLate : laterOf(relayLate, l[i]?.late ?? null);
    },
  };
  let doors: Array<readonly [DoorName, RefusalScope, number]> = [];
  return {
    listeners: first.listeners,
    sessions,
    sessionsOpen: () => hosts.reduce((n, h) => n + h.sessions.size, 0),
    async metrics() {
      const all = await Promise.all(hosts.map((h) => h.metrics()));
      doors = all[0]?.doorRefusals ?? [];
      // Each plane's relay counters and memory labelled by plane; their event-loop delays merge into the worst.
      return all.flatMap((m, i) => withLabel(m?.families ?? [], ['plane', String(i)]));
    },
    doorRefusals: () => doors,
    tlsRefusal: (ip, windowMs) => first.tlsRefusal(ip, windowMs),
    pid: () => first.pid,
    startedAs: hosts.map((h) => h.startedAs).join('\n'),
    setSecret: async (secret) => void (await Promise.all(hosts.map((h) => h.setSecret(secret)))),
    async close() {
      await Promise.all(hosts.slice(1).map((h) => h.close()));
      await first.close();
    },
  };
}
