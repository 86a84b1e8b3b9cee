/**
 * The data plane as `serve` starts it (server/serve.ts): in one process of its own beside the
 * HTTP process (`--workers 1`, the default: ./host.ts, restarted when it exits), or in the HTTP
 * process itself (`--workers 0`: ./plane.ts directly). Either way `serve` gets the same handle:
 * where the relay listens, the reflector's sessions, the plane's metrics and the TLS question.
 */
import type { PlaneCommand, PlaneStart, LoopDelayReading, PlaneMetrics } from '../../src/protocol/data-plane.js';
import type { DoorName, RefusalScope } from '../../src/protocol/door.js';
import type { ReflectorLogger } from '../reflector/session-base.js';
import type { RelayLogger } from '../turn/index.js';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { planeBusy } from '../http/admission.js';
import { DataPlaneHost, PlaneStartError, type PlaneListeners, type RelayEvent, type RestartPolicy } from './host.js';
import { laterOf, placeTest, RELAY_SHARE } from './placement.js';
import { joinRelayTexts } from './relay-text.js';
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
   * The plane's Prometheus text (the relay's counters; for a process of its own, whether it is up,
   * its restarts and memory) and its event-loop delay, read now; the relay's door refusals as of
   * this reading are what `doorRefusals` gives after it.
   */
  metrics(): Promise<{ text: string; loop: LoopDelayReading | null }>;
  doorRefusals(): Iterable<readonly [DoorName, RefusalScope, number]>;
  /** The latest certificate alert the relay's TLS listeners got from `ip` within `windowMs`. */
  tlsRefusal(ip: string, windowMs: number): Promise<{ alert: string } | null>;
  /** The plane's process id (this process's with `--workers 0`); null while it is being started again. */
  pid(): number | null;
  /** How it started, in a line for a person (its pid and nice); null in the HTTP process. */
  readonly startedAs: string | null;
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
}

/** One metric family: its samples, each with its labels (`plane="1"`) or none. */
function family(name: string, type: 'gauge' | 'counter', help: string, samples: ReadonlyArray<readonly [string, number]>): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.map(([labels, v]) => `${name}${labels} ${v}\n`).join('')}`;
}

/** A plane process's memory (its `metrics` answer), one family per figure, a sample per plane. */
function memoryText(planes: ReadonlyArray<readonly [string, PlaneMetrics['memory']]>): string {
  if (planes.length === 0) return '';
  const f = (name: string, help: string, v: (m: PlaneMetrics['memory']) => number): string =>
    family(
      name,
      'gauge',
      help,
      planes.map(([labels, m]) => [labels, v(m)]),
    );
  return (
    f('callprobe_dataplane_resident_memory_bytes', "The data plane process's resident memory in bytes.", (m) => m.rssBytes) +
    f('callprobe_dataplane_heap_size_total_bytes', "The data plane process's V8 heap size in bytes.", (m) => m.heapTotalBytes) +
    f('callprobe_dataplane_heap_size_used_bytes', "The data plane process's V8 heap used in bytes.", (m) => m.heapUsedBytes) +
    f('callprobe_dataplane_external_memory_bytes', "The data plane process's memory of C++ objects bound to JS objects in bytes.", (m) => m.externalBytes)
  );
}

async function planeProcess(start: PlaneStart, o: PlaneStartOptions): Promise<RunningPlane> {
  const host = await DataPlaneHost.start({ start, restart: o.restart, log: o.log });
  let doors: Array<readonly [DoorName, RefusalScope, number]> = [];
  return {
    listeners: host.listeners,
    sessions: start.reflector === null ? null : host.sessions,
    sessionsOpen: () => host.sessions.size,
    async metrics() {
      const m = await host.metrics();
      doors = m?.doorRefusals ?? [];
      return { text: (m?.text ?? '') + host.metricsText() + memoryText(m === null ? [] : [['', m.memory]]), loop: m?.loop ?? null };
    },
    doorRefusals: () => doors,
    tlsRefusal: (ip, windowMs) => host.tlsRefusal(ip, windowMs),
    pid: () => host.pid,
    startedAs: host.startedAs,
    close: () => host.close(),
  };
}

async function planeHere(start: PlaneStart, o: PlaneStartOptions): Promise<RunningPlane> {
  // Loaded only here: with a plane of its own, the HTTP process never loads the WebRTC stacks.
  const { startDataPlane } = await import('./plane.js');
  let router: SessionRouter | null = null;
  const plane = await startDataPlane(start, (event) => queueMicrotask(() => router?.receive(event)), o.logger, { loopDelay: false });
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
    metrics: () => Promise.resolve({ text: relay?.metricsText() ?? '', loop: null }),
    doorRefusals: () => relay?.doorRefusals() ?? [],
    tlsRefusal: (ip, windowMs) => Promise.resolve(relay?.certificateRefusal(ip, windowMs) ?? null),
    pid: () => process.pid,
    startedAs: null,
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

/** The worst of several processes' loop delay readings (each figure the worst; the samples summed). */
function worstLoop(readings: ReadonlyArray<LoopDelayReading | null>): LoopDelayReading | null {
  const got = readings.filter((r): r is LoopDelayReading => r !== null);
  if (got.length === 0) return null;
  return {
    windowS: Math.max(...got.map((r) => r.windowS)),
    p50Ms: Math.max(...got.map((r) => r.p50Ms)),
    p99Ms: Math.max(...got.map((r) => r.p99Ms)),
    maxMs: Math.max(...got.map((r) => r.maxMs)),
    samples: got.reduce((n, r) => n + r.samples, 0),
  };
}

/** The hosts' own counters and each plane's memory, one family per figure, a sample per plane (`plane="1"`). */
function planesText(hosts: readonly DataPlaneHost[], answers: ReadonlyArray<PlaneMetrics | null>): string {
  const labelled = hosts.map((h, i) => [`{plane="${i}"}`, h] as const);
  const perPlane = (name: string, type: 'gauge' | 'counter', help: string, v: (h: DataPlaneHost) => number): string =>
    family(
      name,
      type,
      help,
      labelled.map(([l, h]) => [l, v(h)]),
    );
  const c = (h: DataPlaneHost) => h.counters();
  return (
    perPlane('callprobe_dataplane_up', 'gauge', 'Whether each data plane process is running: 1, or 0 while it is started again.', (h) => (h.up ? 1 : 0)) +
    perPlane('callprobe_dataplane_nice', 'gauge', "The nice value each data plane's threads run at.", (h) => c(h).nice) +
    perPlane('callprobe_dataplane_exits_total', 'counter', 'Times each data plane exited without being asked to.', (h) => c(h).exits) +
    perPlane('callprobe_dataplane_restarts_total', 'counter', 'Times each data plane was started again after it exited.', (h) => c(h).restarts) +
    perPlane(
      'callprobe_dataplane_sessions_lost_total',
      'counter',
      'Reflector sessions ended because a data plane stopped (the relay plane counts those of every plane it ended).',
      (h) => c(h).sessionsLost,
    ) +
    perPlane(
      'callprobe_dataplane_bad_messages_total',
      'counter',
      'Messages from each data plane dropped because they did not match the channel.',
      (h) => c(h).badMessages,
    ) +
    perPlane('callprobe_dataplane_sessions_open', 'gauge', 'Reflector sessions open in each data plane.', (h) => h.sessions.size) +
    perPlane(
      'callprobe_dataplane_cpu_ms_per_second',
      'gauge',
      'The CPU each data plane process used over its last report (every second), in ms a second.',
      (h) => Math.round(((h.sessions.cpuMs() ?? 0) * 1000) / DEFAULTS.admission.reportMs),
    ) +
    memoryText(answers.flatMap((m, i) => (m === null ? [] : [[`{plane="${i}"}`, m.memory] as const])))
  );
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

  // Every test's relayed packets are the first plane's work, when the relay is ours (./placement.ts).
  const relayShare = sharedRelay ? RELAY_SHARE : 0;
  const loads = () =>
    hosts.map((h) => {
      const late = h.sessions.loopLate();
      return { up: h.up, busy: planeBusy(late, performance.now(), DEFAULTS.admission), cpuMs: h.sessions.cpuMs(), open: h.sessions.size, late };
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
      // With a relay in every plane, each plane's relay counters, labelled by plane.
      const relayText = start.relay === null ? (all[0]?.text ?? '') : joinRelayTexts(all.map((m) => m?.text ?? ''));
      return { text: relayText + planesText(hosts, all), loop: worstLoop(all.map((m) => m?.loop ?? null)) };
    },
    doorRefusals: () => doors,
    tlsRefusal: (ip, windowMs) => first.tlsRefusal(ip, windowMs),
    pid: () => first.pid,
    startedAs: hosts.map((h) => h.startedAs).join('\n'),
    async close() {
      await Promise.all(hosts.slice(1).map((h) => h.close()));
      await first.close();
    },
  };
}
