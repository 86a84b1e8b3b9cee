/**
 * The data plane's process: `node dist/server/dataplane/main.js`, forked by the HTTP process
 * (./host.ts) with an IPC channel, never run by hand. It waits for its start configuration,
 * starts the plane (./plane.ts: the relay, the reflector, the samplers), says `ready` (or why it
 * could not start, then exits 1), serves commands until `stop`, and exits.
 *
 * It never outlives the HTTP process: when the channel closes (the HTTP process exited, even by
 * `kill -9`) it closes the plane and exits. SIGINT and SIGTERM first leave the HTTP process 3 s
 * to stop the plane in order (a Ctrl-C at a terminal and systemd's stop reach the whole group);
 * then, sent to this process alone, they stop it (the HTTP process starts it again).
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { Registry } from 'prom-client';
import type { PlaneCommand, PlaneEvent, PlaneStart } from '../common/data-plane.js';
import { RelayStartError } from '../turn/index.js';
import { serverLogger } from '../logging.js';
import { planeEnd } from './channel.js';
import { startDataPlane, type DataPlane } from './plane.js';
import { readGauge } from '../metrics/registry.js';

process.title = 'callprobe-dataplane';

/** This process's one registry (sent whole to the HTTP process at each scrape): the relay's families, this process's memory and event-loop delay. */
const metricsRegistry = new Registry();
registerPlaneMemory(metricsRegistry);

let plane: DataPlane | null = null;
let starting = false;
let stopping = false;

/** This process's memory, named as the data plane's beside the HTTP process's own. */
function registerPlaneMemory(registry: Registry): void {
  const gauge = (name: string, help: string, v: (m: NodeJS.MemoryUsage) => number): void =>
    void readGauge(registry, { name, help, read: () => v(process.memoryUsage()) });
  gauge('callprobe_dataplane_resident_memory_bytes', "The data plane process's resident memory in bytes.", (m) => m.rss);
  gauge('callprobe_dataplane_heap_size_total_bytes', "The data plane process's V8 heap size in bytes.", (m) => m.heapTotal);
  gauge('callprobe_dataplane_heap_size_used_bytes', "The data plane process's V8 heap used in bytes.", (m) => m.heapUsed);
  gauge('callprobe_dataplane_external_memory_bytes', "The data plane process's memory of C++ objects bound to JS objects in bytes.", (m) => m.external);
}

/** Sends `event`; exits once the channel has taken it when `exitCode` is given. */
function say(event: PlaneEvent, exitCode?: number): void {
  if (!process.send || !process.connected) {
    if (exitCode !== undefined) process.exit(exitCode);
    return;
  }
  process.send(event, () => {
    if (exitCode !== undefined) process.exit(exitCode);
  });
}

/** Node's errno of a listener that would not bind, as the channel carries it. */
function errnoOf(err: unknown): Extract<PlaneEvent, { type: 'start-failed' }>['errno'] {
  const cause = (err as { cause?: unknown }).cause as (NodeJS.ErrnoException & { address?: string; port?: number }) | undefined;
  if (cause?.code === undefined) return null;
  return {
    code: cause.code,
    ...(typeof cause.address === 'string' ? { address: cause.address.slice(0, 64) } : {}),
    ...(typeof cause.port === 'number' ? { port: cause.port } : {}),
  };
}

/**
 * Runs every thread of this process `by` nice steps ahead of where it started (the HTTP
 * process's nice, inherited at fork), where the OS allows (root, CAP_SYS_NICE; Linux keeps a nice
 * per thread, and threads started later, the WebRTC stack's among them, take their creator's).
 * Returns the nice the threads run at and whether it was raised.
 */
function raisePriority(by: number): { nice: number; niceRaised: boolean } {
  const from = getPriority(0);
  const to = Math.max(-20, from - by);
  if (to === from) return { nice: from, niceRaised: false };
  try {
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), to);
    return { nice: to, niceRaised: true };
  } catch (err) {
    // Node reports the system's refusal as ERR_SYSTEM_ERROR with the errno in `info`.
    const code = (err as { info?: { code?: string } }).info?.code ?? (err as NodeJS.ErrnoException).code;
    // Not allowed (EACCES, EPERM), or no /proc (not Linux): every thread stays as it started.
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'ENOENT') throw err;
    return { nice: from, niceRaised: false };
  }
}

function begin(start: PlaneStart): void {
  if (starting || plane !== null) return;
  starting = true;
  const priority = raisePriority(start.niceAboveHttp);
  const logger = serverLogger(start.log.level, start.log.format);
  // --expose-gc (./host.ts): the plane collects once it is idle (./idle-collect.ts). Twice: the
  // first runs the finished connections' finalizers, which let the factory go; the second takes it.
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = gc
    ? (): void => {
        gc();
        setTimeout(gc, 100).unref();
      }
    : null;
  startDataPlane(start, (event) => say(event), logger, { loopDelay: true, ...(collect ? { collect } : {}), metricsRegistry }).then(
    (p) => {
      plane = p;
      if (stopping) {
        void p.close().then(() => process.exit(0));
        return;
      }
      say({ type: 'ready', pid: process.pid, ...priority, listeners: p.relay?.listeners ?? [], internalUdp: p.relay?.internalUdp ?? null });
    },
    (err: unknown) => {
      const reason = err instanceof RelayStartError ? err.reason : 'failed';
      say({ type: 'start-failed', reason, message: (err as Error).message.slice(0, 2000), errno: errnoOf(err) }, 1);
    },
  );
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  if (plane === null) {
    if (!starting) process.exit(0);
    return; // closed once it started (begin)
  }
  void plane.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

function receive(command: PlaneCommand): void {
  if (command.type === 'start') begin(command);
  else if (command.type === 'stop') stop();
  else plane?.handle(command);
}

let badCommands = 0;
planeEnd(process, receive, (problem) => {
  badCommands++;
  if (badCommands <= 10) process.stderr.write(`data plane: a command that does not match the channel was dropped (${problem})\n`);
});
process.on('disconnect', stop);
// A signal for the whole group (Ctrl-C, systemd's stop) reaches the HTTP process too, which stops
// the plane in order; a signal for this process alone (kill PID) stops it after a grace.
const onSignal = (): void => void setTimeout(stop, 3_000);
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
