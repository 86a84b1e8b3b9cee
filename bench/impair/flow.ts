/**
 * One client 5-tuple through the proxy: its two directions and its upstream socket.
 * Executes the core's actions: schedules releases (with the payload), keeps payloads of
 * held packets until their release, and arms timer ticks for held-packet deadlines.
 */
import type { Socket } from 'node:dgram';
import { formatHostPort, type HostPort } from './address.js';
import { DirectionPath } from './direction-path.js';
import type { ImpairAction, ReleaseAction } from './impairer.js';
import type { Seed } from './prng.js';
import type { JitterOracle } from './recorder.js';
import type { Direction, DirectionSettings } from './scenario.js';
import type { FlowTruth } from './truth-types.js';

/** What the release scheduler holds: a copy to send, or a timer tick of one direction. */
export type Outgoing =
  { kind: 'send'; flow: Flow; direction: Direction; release: ReleaseAction; payload: Buffer } | { kind: 'tick'; flow: Flow; direction: Direction };

/** The socket layer seen from a flow. */
export interface FlowHost {
  schedule(atMs: number, item: Outgoing): void;
  /** Send on the listening socket (down) or the flow's upstream socket (up). */
  transmit(flow: Flow, direction: Direction, payload: Buffer, done: (error: Error | null) => void): void;
  error(message: string): void;
}

export interface FlowIdentity {
  listenerIndex: number;
  flowIndex: number;
  listen: HostPort;
  target: HostPort;
  client: HostPort;
}

export class Flow {
  readonly paths: Record<Direction, DirectionPath>;
  upstreamLocal: HostPort | null = null;
  private readonly held: Record<Direction, Map<number, Buffer>> = { up: new Map(), down: new Map() };
  private readonly tickAt: Record<Direction, number | null> = { up: null, down: null };

  constructor(
    readonly id: FlowIdentity,
    readonly upstream: Socket,
    settings: Record<Direction, DirectionSettings>,
    seed: Seed,
    readonly originMs: number,
    private readonly host: FlowHost,
  ) {
    const prefix = `L${id.listenerIndex}/F${id.flowIndex}`;
    this.paths = {
      up: new DirectionPath(settings.up, seed, `${prefix}/up`, originMs),
      down: new DirectionPath(settings.down, seed, `${prefix}/down`, originMs),
    };
  }

  /** A datagram arrived in `direction`. */
  receive(direction: Direction, payload: Buffer, arrivalMs: number): void {
    const { id, actions } = this.paths[direction].onDatagram(payload.length, arrivalMs);
    this.execute(direction, actions, id, payload);
  }

  /** The scheduler reached a tick of `direction`. */
  tick(direction: Direction, nowMs: number): void {
    this.tickAt[direction] = null;
    this.execute(direction, this.paths[direction].onTimer(nowMs), -1, null);
  }

  /** The scheduler reached a release: send it and record the send. */
  send(direction: Direction, release: ReleaseAction, payload: Buffer, nowMs: number): void {
    const path = this.paths[direction];
    path.sent(release, nowMs);
    this.host.transmit(this, direction, payload, (error) => {
      if (error === null) return;
      path.sendFailed(release);
      this.host.error(`${this.label()} ${direction}: send failed: ${error.message}`);
    });
  }

  finish(unsent: Record<Direction, number[]>, jitter: JitterOracle | null): FlowTruth {
    return {
      listenerIndex: this.id.listenerIndex,
      flowIndex: this.id.flowIndex,
      listen: formatHostPort(this.id.listen),
      target: formatHostPort(this.id.target),
      client: formatHostPort(this.id.client),
      upstreamLocal: this.upstreamLocal ? formatHostPort(this.upstreamLocal) : null,
      firstDatagramMs: this.originMs,
      up: this.paths.up.finish(unsent.up, jitter),
      down: this.paths.down.finish(unsent.down, jitter),
    };
  }

  label(): string {
    return `flow L${this.id.listenerIndex}/F${this.id.flowIndex} (${formatHostPort(this.id.client)})`;
  }

  private execute(direction: Direction, actions: ImpairAction[], currentId: number, payload: Buffer | null): void {
    const held = this.held[direction];
    const freed: number[] = [];
    for (const a of actions) {
      if (a.kind === 'drop') continue;
      if (a.kind === 'hold') {
        if (payload !== null && a.packetId === currentId) held.set(a.packetId, payload);
        continue;
      }
      const fromHold = a.packetId !== currentId;
      const data = fromHold ? held.get(a.packetId) : payload;
      if (data === undefined || data === null) {
        this.host.error(`${this.label()} ${direction}: no payload for released packet ${a.packetId}`);
        continue;
      }
      this.host.schedule(a.atMs, { kind: 'send', flow: this, direction, release: a, payload: data });
      if (fromHold) freed.push(a.packetId);
    }
    for (const id of freed) held.delete(id);
    const next = this.paths[direction].nextTimerMs();
    const armed = this.tickAt[direction];
    if (next !== null && (armed === null || next < armed)) {
      this.tickAt[direction] = next;
      this.host.schedule(next, { kind: 'tick', flow: this, direction });
    }
  }
}
