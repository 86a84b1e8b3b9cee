/**
 * A session environment for runSession in Node with no network: a fake simple-peer whose two
 * ends hand datagrams to each other in this process (loopback mode), a pacer that never misses
 * a tick, and the options of a one-second test.
 */
import type { AnalysisInput } from '../../src/analysis/schema/input.js';
import type { SignalData, TurnServerEntry } from '../../src/protocol/api.js';
import type { SimplePeerCtor, SimplePeerInstance, SimplePeerOptions } from '../../src/session/net/simple-peer.js';
import type { Phase, RunOptions, SessionEnv } from '../../src/session/env.js';
import type { PacerLike, PacerOptions, PacerResult } from '../../src/session/pacer/types.js';

type Listener = (...args: never[]) => void;

/** An open, unordered, no-retransmit data channel that delivers to the other end at once. */
class FakeChannel {
  readonly readyState = 'open';
  readonly ordered = false;
  readonly maxRetransmits = 0;
  readonly bufferedAmount = 0;
  constructor(private readonly owner: FakePeer) {}
  send(data: Uint8Array): void {
    // The sender reuses its buffer: deliver a copy, as a network would.
    this.owner.partner?.emit('data', new Uint8Array(data));
  }
}

/** Two of these find each other through their signal messages (the sdp carries an id). */
export class FakePeer implements SimplePeerInstance {
  static readonly all: FakePeer[] = [];
  readonly options: SimplePeerOptions;
  readonly _pc = { addEventListener: (): void => undefined, iceConnectionState: 'connected' };
  readonly _channel = new FakeChannel(this);
  partner: FakePeer | null = null;
  destroyed = false;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly id: number;

  constructor(options: SimplePeerOptions) {
    this.options = options;
    this.id = FakePeer.all.push(this) - 1;
    if (options.initiator) queueMicrotask(() => this.emit('signal', { type: 'offer', sdp: String(this.id) }));
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
  }

  signal(data: SignalData): void {
    this.partner = FakePeer.all[Number(data.sdp)] ?? null;
    if (data.type === 'offer') this.emit('signal', { type: 'answer', sdp: String(this.id) });
    queueMicrotask(() => this.emit('connect'));
  }

  send(): void {
    throw new Error('the session sends probes on the data channel');
  }

  destroy(): void {
    this.destroyed = true;
  }
}

export const ENTRIES: TurnServerEntry[] = [
  { url: 'turn:relay.test:3478?transport=udp', transport: 'udp', port: 3478 },
  { url: 'turn:relay.test:3478?transport=tcp', transport: 'tcp', port: 3478 },
];

export function options(over: Partial<RunOptions> = {}): RunOptions {
  return {
    baseUrl: 'http://callprobe.test',
    durationS: 1,
    profile: { id: 'client-to-edge' },
    mode: 'loopback',
    turnPick: null,
    override: { turn: ENTRIES, username: 'u', credential: 'c' },
    audio: 'none',
    signal: new AbortController().signal,
    version: 'test',
    ...over,
  };
}

/**
 * A pacer that never misses a tick: every probe in order, one per macrotask, at once. The
 * session's logic is under test here, not the machine's timers (a busy CI host made a real
 * timer pacer skip ticks, and the test then counted fewer probes than it planned).
 */
class StepPacer implements PacerLike {
  readonly done: Promise<PacerResult>;
  private stopped = false;
  constructor(o: PacerOptions) {
    this.done = (async () => {
      for (let i = 0; i < o.count && !this.stopped; i++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        o.onTick(i, performance.now(), 0);
      }
      return { method: 'timer' as const, missedTicks: 0 };
    })();
  }
  stop(): void {
    this.stopped = true;
  }
}

/** The least an environment must give: simple-peer, a pacer and a name. */
export function minimalEnv(): SessionEnv {
  return {
    loadSimplePeer: () => Promise.resolve(FakePeer as unknown as SimplePeerCtor),
    createPacer: (o) => new StepPacer(o),
    userAgent: 'fake env',
  };
}

export function recorder(): {
  phases: Phase[];
  evidence: AnalysisInput[];
  events: { phase(p: Phase): void; live(): void; evidence(input: AnalysisInput): void };
} {
  const phases: Phase[] = [];
  const evidence: AnalysisInput[] = [];
  return { phases, evidence, events: { phase: (p) => phases.push(p), live: () => undefined, evidence: (input) => evidence.push(input) } };
}
