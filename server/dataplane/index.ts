/**
 * The data plane as `serve` starts it (server/serve.ts): in one process of its own beside the
 * HTTP process (`--workers 1`, the default: ./host.ts, restarted when it exits), or in the HTTP
 * process itself (`--workers 0`: ./plane.ts directly). Either way `serve` gets the same handle:
 * where the relay listens, the reflector's sessions, the plane's metrics and the TLS question.
 */
import type { Registry } from 'prom-client';
import type { MetricFamily, PlaneStart } from '../common/data-plane.js';
import type { DoorName, RefusalScope } from '../common/door.js';
import type { ReflectorLogger } from '../reflector/session-base.js';
import type { RelayLogger } from '../turn/index.js';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { DataPlaneHost, type PlaneListeners, type RestartPolicy } from './host.js';
import { readCounter, readGauge } from '../metrics/registry.js';
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
   * The families of a plane in a process of its own (its relay's counters, memory and event-loop
   * delay), read now; none for a plane in this process (its families are in this process's
   * registry). The relay's door refusals as of this reading are what `doorRefusals` gives after it.
   */
  metrics(): Promise<MetricFamily[]>;
  doorRefusals(): Iterable<readonly [DoorName, RefusalScope, number]>;
  /** The latest certificate alert the relay's TLS listeners got from `ip` within `windowMs`. */
  tlsRefusal(ip: string, windowMs: number): Promise<{ alert: string } | null>;
  /** The plane's process id (this process's with `--workers 0`); null while it is being started again. */
  pid(): number | null;
  /** How it started, in a line for a person (its pid and nice); null in the HTTP process. */
  readonly startedAs: string | null;
  /** Replaces the relay's TURN secret in the plane (credentials minted with the old one are refused); resolves once it took it. */
  setSecret(secret: string): Promise<void>;
  close(): Promise<void>;
}

export interface PlaneStartOptions {
  /** 1: a process of its own; 0: this process. */
  workers: 0 | 1;
  restart: RestartPolicy;
  /** serve's lines for a person. */
  log(msg: string): void;
  /** serve's structured log (the plane inside this process logs there). */
  logger: ReflectorLogger & { child(bindings: object): RelayLogger };
  /** This process's metrics registry: the host's counters, or a plane in this process, register there. */
  metricsRegistry: Registry;
}

/**
 * The host's own counters of its plane in `registry`: whether it is up, its nice, its exits and
 * restarts, the sessions they ended, messages dropped, sessions open and CPU.
 */
function registerHost(registry: Registry, host: DataPlaneHost): void {
  const gauge = (name: string, help: string, v: (h: DataPlaneHost) => number): void => void readGauge(registry, { name, help, read: () => v(host) });
  const counter = (name: string, help: string, v: (h: DataPlaneHost) => number): void => void readCounter(registry, { name, help, read: () => v(host) });
  gauge('callprobe_dataplane_up', 'Whether the data plane process is running: 1, or 0 while it is started again.', (h) => (h.up ? 1 : 0));
  gauge('callprobe_dataplane_nice', "The nice value the data plane's threads run at.", (h) => h.counters().nice);
  counter('callprobe_dataplane_exits_total', 'Times the data plane exited without being asked to.', (h) => h.counters().exits);
  counter('callprobe_dataplane_restarts_total', 'Times the data plane was started again after it exited.', (h) => h.counters().restarts);
  counter('callprobe_dataplane_sessions_lost_total', 'Reflector sessions ended because the data plane stopped.', (h) => h.counters().sessionsLost);
  counter(
    'callprobe_dataplane_bad_messages_total',
    'Messages from the data plane dropped because they did not match the channel.',
    (h) => h.counters().badMessages,
  );
  gauge('callprobe_dataplane_sessions_open', 'Reflector sessions open in the data plane.', (h) => h.sessions.size);
  gauge('callprobe_dataplane_cpu_ms_per_second', 'The CPU the data plane process used over its last report (every second), in ms a second.', (h) =>
    Math.round(((h.sessions.cpuMs() ?? 0) * 1000) / CONSTANTS.admission.reportMs),
  );
}

async function planeProcess(start: PlaneStart, o: PlaneStartOptions): Promise<RunningPlane> {
  const host = await DataPlaneHost.start({ start, restart: o.restart, log: o.log });
  registerHost(o.metricsRegistry, host);
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
  return o.workers === 0 ? planeHere(start, o) : planeProcess(start, o);
}
