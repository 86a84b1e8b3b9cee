/**
 * The data plane as `serve` starts it (server/serve.ts): in one process of its own beside the
 * HTTP process (`--workers 1`, the default: ./host.ts, restarted when it exits), or in the HTTP
 * process itself (`--workers 0`: ./plane.ts directly). Either way `serve` gets the same handle:
 * where the relay listens, the reflector's sessions, the plane's metrics and the TLS question.
 */
import type { PlaneStart, LoopDelayReading } from '../../src/protocol/data-plane.js';
import type { DoorName, DoorScope } from '../../src/protocol/door.js';
import type { ReflectorLogger } from '../reflector/session.js';
import type { RelayLogger } from '../turn/index.js';
import { DataPlaneHost, type PlaneListeners, type RestartPolicy } from './host.js';
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
  doorRefusals(): Iterable<readonly [DoorName, DoorScope, number]>;
  /** The latest certificate alert the relay's TLS listeners got from `ip` within `windowMs`. */
  tlsRefusal(ip: string, windowMs: number): Promise<{ alert: string } | null>;
  /** The plane's process id (this process's with `--workers 0`); null while it is being started again. */
  pid(): number | null;
  /** How it started, in a line for a person (its pid and nice); null in the HTTP process. */
  readonly startedAs: string | null;
  close(): Promise<void>;
}

export interface PlaneStartOptions {
  /** 1: a process of its own; 0: this process. */
  workers: number;
  restart: RestartPolicy;
  /** serve's lines for a person. */
  log(msg: string): void;
  /** serve's structured log (the plane inside this process logs there). */
  logger: ReflectorLogger & { child(bindings: object): RelayLogger };
}

const gauge = (name: string, help: string, v: number): string => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${v}\n`;

async function planeProcess(start: PlaneStart, o: PlaneStartOptions): Promise<RunningPlane> {
  const host = await DataPlaneHost.start({ start, restart: o.restart, log: o.log });
  let doors: Array<readonly [DoorName, DoorScope, number]> = [];
  return {
    listeners: host.listeners,
    sessions: start.reflector === null ? null : host.sessions,
    sessionsOpen: () => host.sessions.size,
    async metrics() {
      const m = await host.metrics();
      doors = m?.doorRefusals ?? [];
      const memory =
        m === null
          ? ''
          : gauge('callprobe_dataplane_resident_memory_bytes', "The data plane process's resident memory in bytes.", m.memory.rssBytes) +
            gauge('callprobe_dataplane_heap_size_total_bytes', "The data plane process's V8 heap size in bytes.", m.memory.heapTotalBytes) +
            gauge('callprobe_dataplane_heap_size_used_bytes', "The data plane process's V8 heap used in bytes.", m.memory.heapUsedBytes) +
            gauge(
              'callprobe_dataplane_external_memory_bytes',
              "The data plane process's memory of C++ objects bound to JS objects in bytes.",
              m.memory.externalBytes,
            );
      return { text: (m?.text ?? '') + host.metricsText() + memory, loop: m?.loop ?? null };
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
  return o.workers === 0 ? planeHere(start, o) : planeProcess(start, o);
}
