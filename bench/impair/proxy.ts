/**
 * The thin Node socket layer: listening sockets, one upstream socket per client 5-tuple,
 * the precise release scheduler, and the run's lifecycle (bounded duration, truth on stop).
 * All impairment decisions are made by the Sans-IO core (direction-path.ts).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { assertLoopback, family, formatHostPort, isLoopback, type HostPort, type ListenTarget } from './address.js';
import { ImpairConfigError, ImpairRuntimeError } from './errors.js';
import { Flow, type FlowHost, type Outgoing } from './flow.js';
import type { Seed } from './prng.js';
import type { JitterOracle } from './recorder.js';
import { DIRECTIONS, normalizeDirection, parseScenario, resolveSeed, type Direction, type ImpairmentScenario } from './scenario.js';
import { DEFAULT_WAKE_EARLY_MS, ReleaseScheduler } from './scheduler.js';
import { assembleTruth, writeTruthFile } from './truth.js';
import type { Truth } from './truth-types.js';

/** A run is always bounded: 10 minutes unless told otherwise, never more than 6 hours. */
export const DEFAULT_DURATION_MS = 10 * 60 * 1000;
export const MAX_DURATION_MS = 6 * 60 * 60 * 1000;
const DEFAULT_MAX_FLOWS = 64;

export interface ImpairProxyOptions {
  /** Listen address -> target, one pair per port (loopback only). */
  pairs: ListenTarget[];
  /** Validated again here: a plain object from JSON is fine. */
  scenario: ImpairmentScenario;
  /** Overrides the scenario's seed; one of them is required. */
  seed?: Seed;
  /** Stop by itself after this long (default 10 min, max 6 h). */
  durationMs?: number;
  /** Write the truth JSON here when the proxy stops. */
  truthPath?: string;
  /** The product's RFC 3550 transit-jitter function, for the truth-jitter oracle. */
  jitter?: JitterOracle;
  wakeEarlyMs?: number;
  /** Client 5-tuples accepted over all listeners (default 64); more are refused and counted. */
  maxFlows?: number;
  /**
   * Non-loopback addresses the caller made inside its own network namespace (a veth pair,
   * bench/lib/veth.ts: a browser that refuses a relay on loopback): allowed like loopback.
   */
  madeAddresses?: readonly string[];
  /**
   * Called as each client datagram arrives, before anything is done with it (a testbed that stops
   * the target at a client's first packet); `'drop'` drops it there, counted in `refused.blocked`
   * (a firewall in front of the target).
   */
  onClientDatagram?: () => 'drop' | undefined;
}

type StopReason = Truth['stopReason'];

export interface ImpairProxy {
  /** Bound listening ports, in pair order (useful with port 0). */
  ports: number[];
  listen: HostPort[];
  /** Stop now (idempotent): closes sockets, drops what was not sent yet, returns the truth. */
  stop(reason?: StopReason): Promise<Truth>;
  /** Settles when the proxy stopped, whatever stopped it. */
  done: Promise<Truth>;
  /**
   * Datagrams scheduled for release and not yet sent (delayed, reordered or duplicated copies;
   * a bottleneck's queue feeds this as it drains): 0 once everything that arrived has landed.
   */
  scheduled(): number;
}

interface Listener {
  index: number;
  socket: Socket;
  pair: ListenTarget;
  flows: Map<string, Flow>;
}

export async function startImpairProxy(options: ImpairProxyOptions): Promise<ImpairProxy> {
  const scenario = parseScenario(options.scenario);
  const seed = resolveSeed(scenario, options.seed);
  const durationMs = options.durationMs ?? DEFAULT_DURATION_MS;
  if (!(durationMs > 0 && durationMs <= MAX_DURATION_MS)) {
    throw new ImpairConfigError('unbounded-duration', `duration must be in (0, ${MAX_DURATION_MS}] ms, got ${durationMs}`);
  }
  if (options.pairs.length === 0) throw new ImpairConfigError('listen-target-mismatch', 'no listen/target pair given');
  const made = new Set(options.madeAddresses ?? []);
  for (const pair of options.pairs) {
    assertLoopback(pair.listen, 'listen address', made);
    assertLoopback(pair.target, 'target', made);
  }
  const settings = { up: normalizeDirection(scenario, 'up'), down: normalizeDirection(scenario, 'down') };
  const wakeEarlyMs = options.wakeEarlyMs ?? DEFAULT_WAKE_EARLY_MS;
  const maxFlows = options.maxFlows ?? DEFAULT_MAX_FLOWS;

  const startPerfMs = performance.now();
  const startedAtEpochMs = performance.timeOrigin + startPerfMs;
  const now = (): number => performance.now() - startPerfMs;
  const refused = { foreignSource: 0, flowLimit: 0, blocked: 0 };
  const errors: { atMs: number; message: string }[] = [];
  const flows: Flow[] = [];
  let stopped = false;

  let scheduledSends = 0;
  const scheduler = new ReleaseScheduler<Outgoing>(
    (item, _intendedMs, nowMs) => {
      if (item.kind === 'tick') item.flow.tick(item.direction, nowMs);
      else {
        scheduledSends--;
        item.flow.send(item.direction, item.release, item.payload, nowMs);
      }
    },
    { now, wakeEarlyMs },
  );

  const listeners: Listener[] = [];
  const host: FlowHost = {
    schedule: (atMs, item) => {
      if (item.kind === 'send') scheduledSends++;
      scheduler.schedule(atMs, item);
    },
    transmit: (flow, direction, payload, done) => {
      const listener = listeners[flow.id.listenerIndex];
      const to = direction === 'up' ? flow.id.target : flow.id.client;
      const socket = direction === 'up' ? flow.upstream : listener?.socket;
      if (socket === undefined) return done(new Error('listener missing'));
      socket.send(payload, to.port, to.host, (error) => done(error ?? null));
    },
    error: (message) => errors.push({ atMs: now(), message }),
  };

  const openFlow = (listener: Listener, client: HostPort, arrivalMs: number): Flow | null => {
    if (flows.length >= maxFlows) {
      refused.flowLimit++;
      return null;
    }
    const target = listener.pair.target;
    const upstream = createSocket(family(target.host));
    const flow = new Flow(
      { listenerIndex: listener.index, flowIndex: listener.flows.size, listen: listener.pair.listen, target, client },
      upstream,
      settings,
      seed,
      arrivalMs,
      host,
    );
    upstream.on('error', (error) => host.error(`${flow.label()} upstream socket: ${error.message}`));
    upstream.on('listening', () => {
      const a = upstream.address();
      flow.upstreamLocal = { host: a.address, port: a.port };
    });
    upstream.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      const t = now();
      if (stopped) return;
      if (rinfo.port !== target.port || rinfo.address !== target.host) {
        refused.foreignSource++;
        return;
      }
      flow.receive('down', msg, t);
    });
    // Towards a made address, from it: a relay on it then maps the proxy to it, not to loopback (Firefox
    // refuses a TURN answer whose XOR-MAPPED-ADDRESS is a loopback address: "XOR-MAPPED-ADDRESS is bogus").
    upstream.bind({ port: 0, address: made.has(target.host) ? target.host : family(target.host) === 'udp6' ? '::1' : '127.0.0.1' });
    listener.flows.set(formatHostPort(client), flow);
    flows.push(flow);
    return flow;
  };

  try {
    for (const [index, pair] of options.pairs.entries()) {
      const socket = await bindListener(pair.listen);
      const listener: Listener = { index, socket, pair, flows: new Map() };
      listeners.push(listener);
      socket.on('error', (error) => host.error(`listener ${formatHostPort(pair.listen)}: ${error.message}`));
      socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
        const t = now();
        if (stopped) return;
        if (!isLoopback(rinfo.address) && !made.has(rinfo.address)) {
          refused.foreignSource++;
          return;
        }
        if (options.onClientDatagram?.() === 'drop') {
          refused.blocked++;
          return;
        }
        const client = { host: rinfo.address, port: rinfo.port };
        const flow = listener.flows.get(formatHostPort(client)) ?? openFlow(listener, client, t);
        flow?.receive('up', msg, t);
      });
    }
  } catch (error) {
    for (const l of listeners) l.socket.close();
    throw error;
  }

  let resolveDone: (truth: Truth) => void = () => undefined;
  let rejectDone: (error: unknown) => void = () => undefined;
  const done = new Promise<Truth>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  let stopping: Promise<Truth> | null = null;

  const stop = (reason: StopReason = 'stop'): Promise<Truth> => {
    if (stopping) return stopping;
    stopped = true;
    clearTimeout(durationTimer);
    stopping = (async () => {
      const endMs = now();
      const closing = [...listeners.map((l) => l.socket), ...flows.map((f) => f.upstream)].map(closeSocket);
      const unsent = new Map<Flow, Record<Direction, number[]>>();
      for (const item of scheduler.stop()) {
        if (item.kind !== 'send' || item.release.copy !== 'original') continue;
        const lists = unsent.get(item.flow) ?? { up: [], down: [] };
        lists[item.direction].push(item.release.packetId);
        unsent.set(item.flow, lists);
      }
      await Promise.all(closing);
      const flowTruths = flows.map((f) => f.finish(unsent.get(f) ?? { up: [], down: [] }, options.jitter ?? null));
      const timingErrors = flows.flatMap((f) => DIRECTIONS.flatMap((d) => [...f.paths[d].timingErrors()]));
      const truth = assembleTruth(
        { seed, scenario, settings, startedAtEpochMs, durationMs: endMs, stopReason: reason, refused, errors, wakeEarlyMs },
        flowTruths,
        timingErrors,
      );
      if (options.truthPath !== undefined) await writeTruthFile(options.truthPath, truth);
      return truth;
    })();
    stopping.then(resolveDone, rejectDone);
    return stopping;
  };
  const durationTimer = setTimeout(() => {
    // A failure here (writing the truth file) reaches the caller through `done`.
    stop('duration').then(undefined, () => undefined);
  }, durationMs);

  return {
    ports: listeners.map((l) => l.socket.address().port),
    listen: listeners.map((l) => ({ host: l.pair.listen.host, port: l.socket.address().port })),
    stop,
    done,
    scheduled: () => scheduledSends,
  };
}

function bindListener(listen: HostPort): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(family(listen.host));
    const fail = (error: Error) => {
      socket.close();
      reject(new ImpairRuntimeError('socket', `cannot listen on ${formatHostPort(listen)}: ${error.message}`, { cause: error }));
    };
    socket.once('error', fail);
    socket.bind(listen.port, listen.host, () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch (error) {
      // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed (e.g. bind failed); nothing left to close.
      if (error instanceof Error && 'code' in error && error.code === 'ERR_SOCKET_DGRAM_NOT_RUNNING') resolve();
      else throw error;
    }
  });
}
