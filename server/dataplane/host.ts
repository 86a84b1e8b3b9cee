/**
 * The HTTP process's side of the data plane: it starts the plane's process (./main.ts, forked
 * with an IPC channel, ./channel.ts), sends it its start configuration, routes its sessions'
 * events (./sessions.ts) and asks it the metrics and TLS questions.
 *
 * When the plane's process exits without being asked to (a crash, `kill -9`), the host logs it
 * once, counts it (/metrics: callprobe_dataplane_exits_total), ends every session it held as the
 * server's failure (the page is told the data plane stopped and its test reports the connection
 * lost, never the user's network) and starts it again with the same configuration: after
 * `restart.minMs`, doubling after each plane that did not stay up `restart.stableMs`, at most
 * `restart.maxMs` apart. Pages already given TURN credentials keep them (the secret is the
 * same), and ephemeral ports bound at the first start are asked for again by number.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlaneCommand, PlaneEvent, PlaneMetrics, PlaneStart, RelayStart } from '../common/data-plane.js';
import { TypedError } from '../../src/protocol/typed-error.js';
import { SERVE_NODE_FLAGS } from '../common/launch.js';
import { hostEnd, type ChannelEnd } from './channel.js';
import { SessionRouter } from './sessions.js';

/** Where the relay listens, as the plane reported when it started. */
export type PlaneListeners = Extract<PlaneEvent, { type: 'ready' }>['listeners'];

/** The plane could not start: as it said (`bad-config`, `bind-failed` with Node's errno, `failed`), or it exited first (`exited`). */
export class PlaneStartError extends TypedError<'bad-config' | 'bind-failed' | 'failed' | 'exited'> {
  override readonly name = 'PlaneStartError';
  constructor(
    reason: 'bad-config' | 'bind-failed' | 'failed' | 'exited',
    message: string,
    readonly errno: { code: string; address?: string; port?: number } | null = null,
  ) {
    super(reason, message);
  }
}

export interface RestartPolicy {
  /** The first wait before starting a stopped plane again. */
  minMs: number;
  /** The longest wait. */
  maxMs: number;
  /** A plane up this long resets the wait to minMs. */
  stableMs: number;
}

export interface DataPlaneHostOptions {
  start: PlaneStart;
  restart: RestartPolicy;
  /** serve's lines for a person (standard error). */
  log(msg: string): void;
  /** How long `close()` waits for the plane to exit before killing it. */
  stopTimeoutMs?: number;
  /** How long a question waits for its answer. */
  queryTimeoutMs?: number;
  /** How long the plane may take to say it is ready before it is killed (and, after an exit, started again). */
  startTimeoutMs?: number;
}

/** The plane's entry: beside this file when built; from the sources (tests), the built one. */
function planeMain(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  return here.endsWith('.js') ? join(dir, 'main.js') : join(dir, '..', '..', 'dist', 'server', 'dataplane', 'main.js');
}

/** `relay` with every port asked for as 0 replaced by the one the first start bound (a restart binds the same). */
export function boundPorts(relay: RelayStart, listeners: PlaneListeners): RelayStart {
  const of = (t: 'udp' | 'tcp' | 'tls'): number[] => [...new Set(listeners.filter((l) => l.transport === t).map((l) => l.port))];
  const asked = [...relay.udpPorts, ...relay.tcpPorts, ...(relay.tls ? [relay.tls.port] : [])];
  if (!asked.includes(0)) return relay;
  const tls = relay.tls ? { ...relay.tls, port: of('tls')[0] ?? relay.tls.port } : null;
  return { ...relay, udpPorts: of('udp'), tcpPorts: of('tcp'), tls };
}

interface Pending {
  resolve(event: PlaneEvent | null): void;
  timer: NodeJS.Timeout;
}

export class DataPlaneHost {
  readonly sessions: SessionRouter;
  private child: ChildProcess | null = null;
  private channel: ChannelEnd<PlaneCommand> | null = null;
  private ready = false;
  /** Whether the plane ever started: before that, an exit is the start's failure, not a crash to recover from. */
  private started = false;
  private closing: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private start: PlaneStart;
  private listenersAtStart: PlaneListeners = [];
  private upSinceMs = 0;
  private waitMs: number;
  private nextQuery = 0;
  private nice = 0;
  private readonly pending = new Map<number, Pending>();
  private exits = 0;
  private restarts = 0;
  private sessionsLost = 0;
  private badMessages = 0;

  private constructor(private readonly o: DataPlaneHostOptions) {
    this.start = o.start;
    this.waitMs = o.restart.minMs;
    this.sessions = new SessionRouter(
      (command) => this.channel?.send(command) ?? false,
      () => this.ready,
    );
  }

  /** Starts the plane; resolves once it listens, rejects with PlaneStartError when it could not start. */
  static async start(o: DataPlaneHostOptions): Promise<DataPlaneHost> {
    const host = new DataPlaneHost(o);
    const ready = await host.spawn();
    host.started = true;
    host.listenersAtStart = ready.listeners;
    host.startedAs = ready.niceRaised
      ? `data plane: pid ${ready.pid}, its threads at nice ${ready.nice}, ${o.start.niceAboveHttp} ahead of the HTTP process`
      : `data plane: pid ${ready.pid}, at nice ${ready.nice} like the HTTP process${o.start.niceAboveHttp > 0 ? ' (running it ahead needs root or CAP_SYS_NICE)' : ''}`;
    if (o.start.relay) host.start = { ...o.start, relay: boundPorts(o.start.relay, ready.listeners) };
    return host;
  }

  /** How the plane started, in a line for a person (its pid, its nice). */
  startedAs = '';

  /** Where the relay listens (empty without an embedded relay). */
  get listeners(): PlaneListeners {
    return this.listenersAtStart;
  }

  /** The plane's process id now; null while it is being started again. */
  get pid(): number | null {
    return this.ready ? (this.child?.pid ?? null) : null;
  }

  /** Forks the plane and sends it `start`; resolves with its ready event, rejects when it says it cannot start or exits first. */
  private spawn(): Promise<Extract<PlaneEvent, { type: 'ready' }>> {
    // serve's flags, and --expose-gc for the idle collection (./idle-collect.ts).
    const child = fork(planeMain(), [], {
      execArgv: [...SERVE_NODE_FLAGS, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      // A plane that never says ready is killed: its exit rejects this start (and, after the first, schedules the next).
      const startTimer = setTimeout(() => child.kill('SIGKILL'), this.o.startTimeoutMs ?? 30_000);
      let settled = false;
      const settle = (f: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(startTimer);
        f();
      };
      this.channel = hostEnd(
        child,
        (event) => {
          if (event.type === 'ready') {
            this.ready = true;
            this.nice = event.nice;
            this.upSinceMs = Date.now();
            settle(() => resolve(event));
          } else if (event.type === 'start-failed') {
            settle(() => reject(new PlaneStartError(event.reason, event.message, event.errno)));
          } else this.receive(event);
        },
        (problem) => {
          this.badMessages++;
          if (this.badMessages <= 10) this.o.log(`data plane: a message that does not match the channel was dropped (${problem})`);
        },
      );
      child.once('error', (err) => settle(() => reject(new PlaneStartError('failed', `the data plane could not be started: ${err.message}`))));
      child.once('exit', (code, signal) => {
        this.channel?.detach();
        this.channel = null;
        const wasReady = this.ready;
        this.ready = false;
        settle(() => reject(new PlaneStartError('exited', `the data plane exited before it started (${signal ?? `code ${String(code)}`})`)));
        if (this.child === child) this.child = null;
        this.stopped(child.pid ?? 0, code, signal, wasReady);
      });
      this.channel.send(this.start);
    });
  }

  private receive(event: PlaneEvent): void {
    if (this.sessions.receive(event)) return;
    if (event.type === 'metrics' || event.type === 'tls-refusal') {
      const p = this.pending.get(event.id);
      if (p === undefined) return;
      this.pending.delete(event.id);
      clearTimeout(p.timer);
      p.resolve(event);
    }
  }

  /** The plane's process ended: unless asked to, it is logged once, counted, its sessions end, and it is started again. */
  private stopped(pid: number, code: number | null, signal: NodeJS.Signals | null, wasReady: boolean): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve(null);
      this.pending.delete(id);
    }
    if (this.closing !== null || !this.started) return;
    this.exits++;
    const lost = this.sessions.planeStopped("the server's data plane stopped");
    this.sessionsLost += lost;
    if (wasReady && Date.now() - this.upSinceMs >= this.o.restart.stableMs) this.waitMs = this.o.restart.minMs;
    const wait = this.waitMs;
    this.waitMs = Math.min(this.o.restart.maxMs, this.waitMs * 2);
    this.o.log(
      `data plane (pid ${pid}) exited (${signal ?? `code ${String(code)}`}): ${lost} test${lost === 1 ? '' : 's'} ended as the server's failure; starting it again in ${wait} ms`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.spawn().then(
        (ready) => {
          this.restarts++;
          this.o.log(`data plane started again (pid ${ready.pid})`);
        },
        (err: Error) => {
          // A plane that said it cannot start exits by itself: its exit schedules the next try.
          this.o.log(`data plane did not start again: ${err.message}`);
        },
      );
    }, wait);
  }

  /** Whether the plane is up and takes commands. */
  get up(): boolean {
    return this.ready && this.channel !== null;
  }

  /**
   * Replaces the relay's and the reflector's TURN secret, in the plane now and in its start (a
   * plane started again starts with it); resolves once the plane took it (its next answer comes
   * after it: the channel keeps the order).
   */
  async setSecret(secret: string): Promise<void> {
    const s = this.start;
    this.start = {
      ...s,
      relay: s.relay === null ? null : { ...s.relay, secret },
      reflector: s.reflector === null ? null : { ...s.reflector, secret },
    };
    if (this.send({ type: 'secret', secret })) await this.metrics();
  }

  /** Hands a command to the plane; false when it is not up (being started again). */
  send(command: PlaneCommand): boolean {
    return this.ready && (this.channel?.send(command) ?? false);
  }

  private ask(event: PlaneCommand & { id: number }, timeoutMs: number): Promise<PlaneEvent | null> {
    if (!this.ready || this.channel === null) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(event.id);
        resolve(null);
      }, timeoutMs);
      this.pending.set(event.id, { resolve, timer });
      if (!this.channel?.send(event)) {
        clearTimeout(timer);
        this.pending.delete(event.id);
        resolve(null);
      }
    });
  }

  /** The plane's metrics now; null when it does not answer in time (it is being started again). */
  async metrics(): Promise<PlaneMetrics | null> {
    const m = await this.ask({ type: 'metrics?', id: this.nextQuery++ }, this.o.queryTimeoutMs ?? 2_000);
    return m?.type === 'metrics' ? m : null;
  }

  /** The latest certificate alert the relay's TLS listeners got from `ip` within `windowMs`; null when none (or no answer). */
  async tlsRefusal(ip: string, windowMs: number): Promise<{ alert: string } | null> {
    const r = await this.ask({ type: 'tls-refusal?', id: this.nextQuery++, ip, windowMs }, this.o.queryTimeoutMs ?? 1_000);
    return r?.type === 'tls-refusal' ? r.refusal : null;
  }

  /** The host's counters as numbers (./index.ts reads them for /metrics). */
  counters(): { nice: number; exits: number; restarts: number; sessionsLost: number; badMessages: number } {
    return { nice: this.nice, exits: this.exits, restarts: this.restarts, sessionsLost: this.sessionsLost, badMessages: this.badMessages };
  }

  /** Asks the plane to stop and waits for it (killed after stopTimeoutMs); no restart after. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      const child = this.child;
      if (child === null || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (!(this.channel?.send({ type: 'stop' }) ?? false)) child.kill('SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), this.o.stopTimeoutMs ?? 5_000);
      await exited;
      clearTimeout(timer);
    })();
    return this.closing;
  }
}
