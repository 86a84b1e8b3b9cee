/**
 * What one data plane of `serve --workers N` says to and hears from the other planes' relays,
 * through the host (server/common/data-plane.ts): the endpoint grants of its sessions' RTP legs,
 * the relayed addresses each relay announces (another plane's open one is a peer its relay may
 * reach), the allocations the first plane moves to the plane of their test
 * (../turn/core/move.ts), and at a session's end the first relay's witness and its loop's lateness
 * when the session's own relay saw nothing. With one plane none of it is used.
 */
import type { MovedAllocation, PlaneCommand, PlaneEvent, RelayAnswer } from '../common/data-plane.js';
import type { ServerLoopReading } from '../../src/protocol/wire.js';
import { canonicalIp } from '../../src/protocol/ip.js';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Relay } from '../turn/index.js';
import type { RelayReading } from '../reflector/session.js';
import type { ReflectorLogger } from '../reflector/session-base.js';
import { strongestWitness } from '../reflector/core.js';
import { shiftLoopReading } from '../reflector/loop-lateness.js';

/** The commands about the relays of other planes. */
export type RelayCommand = Extract<
  PlaneCommand,
  {
    type:
      'relay-grant' | 'relay-ungrant' | 'relay-adopt' | 'relay-moved' | 'relay-return' | 'relay-forget' | 'relay-sibling' | 'relay-witness?' | 'relay-answer';
  }
>;

export interface RelayLinksOptions {
  /** This plane's relay (null: none, `--external-turn`). */
  relay: Relay | null;
  out(event: PlaneEvent): void;
  logger: ReflectorLogger;
  /** This plane's loop lateness between two times of performance.now() (the first plane answers it with its witness). */
  serverLoop?: (fromMs: number, toMs: number) => ServerLoopReading;
}

/** How long a plane waits for the first plane to answer at a session's end (then: no witness, its own loop alone). */
const RELAY_ASK_TIMEOUT_MS = 2_000;

export class RelayLinks {
  /** The relay's plane: other planes' endpoint grants, by `owner:grant`, with their undo. */
  private readonly grants = new Map<string, () => void>();
  /** A reflector plane: its grants' and its questions' numbers, and the questions awaiting the relay's answer. */
  private nextGrant = 0;
  private nextAsk = 0;
  private readonly asks = new Map<number, (answer: RelayAnswer | null) => void>();
  /** The first plane: the plane each granted endpoint belongs to (`ip|port`, the IP canonical), and the moves awaiting an answer. */
  private readonly grantOwners = new Map<string, number>();
  /** Other planes' open relayed addresses (`ip|port`): the plane that holds each, and the undo of this relay's leave to reach it. */
  private readonly siblings = new Map<string, { owner: number; undo: () => void }>();
  private nextMove = 0;
  private readonly moves = new Map<number, { to: number; answer: (ok: boolean) => void }>();

  constructor(private readonly o: RelayLinksOptions) {}

  handle(cmd: RelayCommand): void {
    switch (cmd.type) {
      case 'relay-grant': {
        const key = `${cmd.owner}:${cmd.grant}`;
        if (this.o.relay === null || this.grants.has(key)) return;
        const undo = this.o.relay.allowPeerEndpoint(cmd.ip, cmd.port);
        const endpoint = endpointKey(cmd.ip, cmd.port);
        this.grantOwners.set(endpoint, cmd.owner);
        this.grants.set(key, () => {
          undo();
          if (this.grantOwners.get(endpoint) === cmd.owner) this.grantOwners.delete(endpoint);
        });
        return;
      }
      case 'relay-ungrant':
        for (const [key, undo] of this.grants) {
          if (cmd.grant === null ? key.startsWith(`${cmd.owner}:`) : key === `${cmd.owner}:${cmd.grant}`) {
            this.grants.delete(key);
            undo();
          }
        }
        return;
      case 'relay-adopt': {
        const relay = this.o.relay;
        const id = cmd.id;
        if (relay === null) {
          this.o.out({ type: 'relay-adopted', id, ok: false });
          return;
        }
        relay.adopt(cmd.allocation).then(
          (ok) => this.o.out({ type: 'relay-adopted', id, ok }),
          (err: unknown) => {
            // Our own bug: the first plane keeps the allocation, and says so.
            this.o.logger.warn({ err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'could not take in a moved allocation');
            this.o.out({ type: 'relay-adopted', id, ok: false });
          },
        );
        return;
      }
      case 'relay-moved': {
        const move = this.moves.get(cmd.id);
        this.moves.delete(cmd.id);
        move?.answer(cmd.ok);
        return;
      }
      case 'relay-return':
        if (cmd.family === null || cmd.port === null) {
          // That plane stopped: a move it never answered did not happen.
          for (const [id, move] of this.moves) {
            if (move.to !== cmd.owner) continue;
            this.moves.delete(id);
            move.answer(false);
          }
          this.o.relay?.settleLent(cmd.owner, null);
        } else this.o.relay?.settleLent(cmd.owner, { family: cmd.family, port: cmd.port });
        return;
      case 'relay-forget':
        this.o.relay?.dropAdopted();
        return;
      case 'relay-sibling':
        this.sibling(cmd.owner, cmd.ip === null || cmd.port === null ? null : endpointKey(cmd.ip, cmd.port), cmd.open);
        return;
      case 'relay-witness?':
        this.o.out({ type: 'relay-witness', ...this.relayReading(cmd.id, cmd.endpoints, cmd.fromEpochMs, cmd.toEpochMs) });
        return;
      case 'relay-answer': {
        const answer = this.asks.get(cmd.id);
        this.asks.delete(cmd.id);
        answer?.(cmd);
        return;
      }
    }
  }

  /**
   * The relay's plane: what its relay saw of the RTP towards the strongest of `endpoints`, and how
   * late its loop ran between two wall-clock times (its bins on the wall clock).
   */
  private relayReading(id: number, endpoints: readonly { ip: string; port: number }[], fromEpochMs: number, toEpochMs: number): Omit<RelayAnswer, 'type'> {
    const relay = this.o.relay;
    const witness = relay === null ? null : strongestWitness(endpoints, (ip, port) => relay.relayWitness(ip, port));
    const origin = performance.timeOrigin;
    const loop = this.o.serverLoop?.(fromEpochMs - origin, toEpochMs - origin) ?? null;
    return { id, witness, loop: loop === null ? null : shiftLoopReading(loop, origin) };
  }

  /** The first plane: which plane endpoint `ip`:`port` belongs to (its RTP leg's grant, or a relayed address of its relay), or null. */
  grantedBy(ip: string, port: number): number | null {
    const key = endpointKey(ip, port);
    return this.grantOwners.get(key) ?? this.siblings.get(key)?.owner ?? null;
  }

  /**
   * Another plane's relayed address `key` opened or closed (null: every one of `owner`, which
   * stopped): while open, this plane's relay may relay to it. A close counts only from the plane
   * that holds it now (an allocation moved: its new plane's open may come before its old plane's close).
   */
  private sibling(owner: number, key: string | null, open: boolean): void {
    const relay = this.o.relay;
    for (const [k, s] of this.siblings) {
      if (key === null ? s.owner !== owner : k !== key || (!open && s.owner !== owner)) continue;
      this.siblings.delete(k);
      s.undo();
    }
    if (!open || key === null || relay === null) return;
    const at = key.lastIndexOf('|');
    // A relayed address, reached only as a relay pair (../turn/core/relay-pairs.ts), never as any endpoint.
    this.siblings.set(key, { owner, undo: relay.allowSiblingRelay(key.slice(0, at), Number(key.slice(at + 1))) });
  }

  /**
   * The first plane: hands one of its relay's allocations to plane `to`; false when it says no.
   * No timeout: once that plane has its sockets, the client's packets go there, so a late yes is
   * still a yes; a plane that stops answers no for it (`relay-return` of all its allocations).
   */
  moveAllocation(to: number, allocation: MovedAllocation): Promise<boolean> {
    const id = this.nextMove++;
    return new Promise((resolve) => {
      this.moves.set(id, { to, answer: resolve });
      this.o.out({ type: 'relay-move', id, to, allocation });
    });
  }

  /** A reflector plane: lets the relay (in the relay's plane) reach one endpoint of this plane's; returns the undo. */
  grantToRelay(ip: string, port: number): () => void {
    const grant = this.nextGrant++;
    this.o.out({ type: 'relay-grant', grant, ip, port });
    let undone = false;
    return () => {
      if (undone) return;
      undone = true;
      this.o.out({ type: 'relay-ungrant', grant });
    };
  }

  /** A reflector plane: the relay's witness and loop at a session's end, on this process's clock; nothing of either when it does not answer in time. */
  askRelay(endpoints: readonly { ip: string; port: number }[], fromMs: number, toMs: number): Promise<RelayReading> {
    const id = this.nextAsk++;
    const origin = performance.timeOrigin;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.asks.delete(id);
        resolve({ witness: null, loop: null });
      }, RELAY_ASK_TIMEOUT_MS);
      timer.unref();
      this.asks.set(id, (answer) => {
        clearTimeout(timer);
        resolve({ witness: answer?.witness ?? null, loop: answer?.loop ? shiftLoopReading(answer.loop, -origin) : null });
      });
      this.o.out({ type: 'relay-ask', id, endpoints: endpoints.slice(0, 16), fromEpochMs: fromMs + origin, toEpochMs: toMs + origin });
    });
  }

  /** The plane closes: every question unanswered gets no answer, every move no. */
  close(): void {
    for (const answer of this.asks.values()) answer(null);
    this.asks.clear();
    for (const move of this.moves.values()) move.answer(false);
    this.moves.clear();
  }
}

/** An endpoint's key, its IP in canonical text (the relay's own spelling). */
function endpointKey(ip: string, port: number): string {
  return `${isIP(ip) === 0 ? ip : canonicalIp(ip)}|${port}`;
}
