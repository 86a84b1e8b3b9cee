/**
 * Reflector sessions as the HTTP process's signalling plugin sees them: it opens a session by
 * id, passes the page's signals on and closes it; what the data plane says of the session comes
 * back as events, by id. The router is the same whether the plane is a process of its own
 * (./host.ts: commands go over the channel) or runs in the HTTP process (./index.ts for
 * `serve --workers 0`, ./local.ts for the HTTP tests), where every event is delivered on a
 * microtask so both behave alike (nothing comes back inside the call that caused it). It also
 * keeps the plane's last report of how late its event loop ran, for admission. This
 * module loads no WebRTC stack: the HTTP process imports it.
 */
import { performance } from 'node:perf_hooks';
import type { SignalData, SignalKind, SignalLeg } from '../../src/protocol/api.js';
import type { PlaneCommand, PlaneEvent, SessionTally } from '../common/data-plane.js';
import type { SignalMessageData } from '../../src/protocol/api-signal.js';
import type { LoopLateReport } from './admission.js';

/**
 * Why a session ended, when the page is told: its page sent no ICE check in time (`no-ice`), or
 * the data plane that held it stopped (`plane-stopped`: the server's failure, never the page's).
 */
type SessionEndCode = 'no-ice' | 'plane-stopped';

/** What the data plane says of one session. */
export interface SessionEvents {
  /** A signal of our stack for the page. */
  signal(data: SignalMessageData, leg?: SignalLeg): void;
  /** A control message for the page: JSON text, or (`binary`) a batch of receipts in base64. */
  control(text: string, binary: boolean): void;
  /** A page signal refused: the reason and the words the page is told. */
  refused(reason: string, message: string): void;
  /** Page candidates dropped because they do not point at the relay. */
  dropped(count: number): void;
  /** The session ended (called once). */
  closed(reason: string, code: SessionEndCode | null, tally: SessionTally): void;
}

export interface SessionHandle {
  signal(data: SignalData, leg?: SignalLeg): void;
  /** The page's `stop`: its stream is over, the reflector sends the rest. */
  stop(): void;
  close(reason: string): void;
}

export interface ReflectorSessions {
  /** Opens session `id` (a test's, or the echo test's); null when no data plane can take it now (it is starting again). */
  open(id: string, events: SessionEvents, kind?: SignalKind | null): SessionHandle | null;
  /** How late the plane's event loop ran, as its last report said (admission); null before its first. */
  loopLate(): LoopLateReport | null;
}

const EMPTY_TALLY: SessionTally = { probes: 0, rtpProbes: 0, badProbes: 0, witnessed: false };

export class SessionRouter implements ReflectorSessions {
  private readonly byId = new Map<string, SessionEvents>();
  private late: LoopLateReport | null = null;
  private cpu: number | null = null;

  /**
   * `send` hands a command to the plane (false: it is gone); `available` says whether one is there
   * to take a new session; `nowMs` is the monotonic clock a lateness report is stamped with.
   */
  constructor(
    private readonly send: (command: PlaneCommand) => boolean,
    private readonly available: () => boolean,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  loopLate(): LoopLateReport | null {
    return this.late;
  }

  /** Sessions the router holds open. */
  get size(): number {
    return this.byId.size;
  }

  /** The plane's CPU time in its last report's period; null before one, or from a plane that does not report it (/metrics: callprobe_dataplane_cpu_ms_per_second). */
  cpuMs(): number | null {
    return this.cpu;
  }

  open(id: string, events: SessionEvents, kind: SignalKind | null = null): SessionHandle | null {
    if (!this.available() || this.byId.has(id)) return null;
    this.byId.set(id, events);
    if (!this.send({ type: 'open', session: id, ...(kind === null ? {} : { kind }) })) {
      this.byId.delete(id);
      return null;
    }
    return {
      signal: (data, leg) => {
        // The page's message was checked against the signalling contract (server/http/signal-message.ts).
        if (this.byId.has(id)) this.send({ type: 'signal', session: id, data: data as SignalMessageData, ...(leg ? { leg } : {}) });
      },
      stop: () => {
        if (this.byId.has(id)) this.send({ type: 'stream-end', session: id });
      },
      close: (reason) => {
        if (this.byId.has(id)) this.send({ type: 'close', session: id, reason });
      },
    };
  }

  /** An event of the plane: true when it was a session's (delivered to it, or dropped when the session is no longer held). */
  receive(event: PlaneEvent): boolean {
    switch (event.type) {
      case 'signal':
        this.byId.get(event.session)?.signal(event.data, event.leg);
        return true;
      case 'control':
        this.byId.get(event.session)?.control(event.text, event.binary);
        return true;
      case 'refused':
        this.byId.get(event.session)?.refused(event.reason, event.message);
        return true;
      case 'dropped':
        this.byId.get(event.session)?.dropped(event.count);
        return true;
      case 'loop-late':
        this.late = { lateMs: event.lateMs, atMs: this.nowMs() };
        this.cpu = event.cpuMs ?? null;
        return true;
      case 'closed': {
        const e = this.byId.get(event.session);
        this.byId.delete(event.session);
        e?.closed(event.reason, event.code ?? null, event.tally);
        return true;
      }
      default:
        return false;
    }
  }

  /** The plane stopped: every session it held ends, as the server's failure. Returns how many. */
  planeStopped(reason: string): number {
    const ended = [...this.byId.values()];
    this.byId.clear();
    this.late = null;
    this.cpu = null;
    for (const e of ended) e.closed(reason, 'plane-stopped', EMPTY_TALLY);
    return ended.length;
  }
}
