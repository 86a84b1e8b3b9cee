/**
 * The Sans-IO impairment core of one direction of one flow. It never touches a socket or a
 * clock: it is handed each datagram (size, arrival time) and answers with actions (drop
 * with a cause, release at a time, hold for later); time only advances through the
 * arrival times and onTimer(nowMs) calls it is given.
 *
 * Pipeline for an impaired packet, in order:
 *   1. loss: fixed bursts, Gilbert-Elliott, Bernoulli (cause precedence in that order);
 *   2. rate limit: bottleneck queue (tail drop = "queueOverflow", else departure time);
 *   3. delay + jitter, added to the departure time -> nominal release;
 *   4. reorder: with probability p the packet is held back (by gapMs past its nominal
 *      release, or until gapPackets later packets were released, bounded by maxHoldMs);
 *      otherwise, when jitter may not reorder, release = max(nominal, previous release);
 *   5. duplication: a second copy gapMs after the (first) release.
 * Each mechanism draws from its own PRNG stream on every impaired packet, whether or not an
 * earlier stage dropped it, so the per-index draws of one mechanism never depend on another.
 * Before `startAfter` is met, packets pass untouched (released at arrival, not impaired).
 */
import { Bottleneck } from './bottleneck.js';
import { DelaySampler } from './delay.js';
import { LossStage, type LossCause } from './loss.js';
import { bernoulli, seededStream, type Random, type Seed } from './prng.js';
import { DEFAULT_REORDER_MAX_HOLD_MS, type DirectionSettings } from './scenario.js';

export type DropCause = LossCause | 'queueOverflow';

/** One datagram as the core sees it. */
export interface ImpairPacket {
  /** Arrival index in this direction, 0-based, unique. */
  id: number;
  sizeBytes: number;
  /** Arrival time at the proxy, ms on the proxy's monotonic clock. */
  arrivalMs: number;
  /** Probe class when known (only startAfter.firstProbe reads it). */
  probe: boolean | null;
}

/** Send one copy of a packet at `atMs`. */
export interface ReleaseAction {
  kind: 'release';
  packetId: number;
  /** Copied from the packet so a release is self-contained. */
  arrivalMs: number;
  sizeBytes: number;
  atMs: number;
  copy: 'original' | 'duplicate';
  /** false: passed untouched because startAfter was not met yet. */
  impaired: boolean;
  /** The reorder stage held this packet back. */
  heldBack: boolean;
}

export type ImpairAction =
  | ReleaseAction
  | { kind: 'drop'; packetId: number; cause: DropCause }
  /** Held until later packets pass; its release comes from a later onPacket/onTimer call. */
  | { kind: 'hold'; packetId: number };

/** The PRNG streams of one direction (one per mechanism). */
export interface ImpairerRandom {
  loss: Random;
  gilbertElliott: Random;
  delay: Random;
  reorder: Random;
  duplicate: Random;
}

/** Streams `${prefix}/loss`, `${prefix}/gilbertElliott`, ... of `seed`. */
export function impairerStreams(seed: Seed, prefix: string): ImpairerRandom {
  return {
    loss: seededStream(seed, `${prefix}/loss`),
    gilbertElliott: seededStream(seed, `${prefix}/gilbertElliott`),
    delay: seededStream(seed, `${prefix}/delay`),
    reorder: seededStream(seed, `${prefix}/reorder`),
    duplicate: seededStream(seed, `${prefix}/duplicate`),
  };
}

type PacketRef = Pick<ImpairPacket, 'id' | 'arrivalMs' | 'sizeBytes'>;

interface HeldPacket {
  packet: PacketRef;
  remainingPackets: number;
  nominalMs: number;
  deadlineMs: number;
  duplicate: boolean;
}

export class Impairer {
  private readonly loss: LossStage;
  private readonly bottleneck: Bottleneck | null;
  private readonly delay: DelaySampler;
  private seen = 0;
  private impairedCount = 0;
  private startMs: number | null = null;
  private lastReleaseMs = -Infinity;
  private readonly held: HeldPacket[] = [];

  /** originMs: when the flow began (first datagram either way), the base of startAfter.ms. */
  constructor(
    private readonly settings: DirectionSettings,
    private readonly random: ImpairerRandom,
    private readonly originMs: number,
  ) {
    this.loss = new LossStage(settings.bursts, settings.gilbertElliott, settings.lossProbability, random.gilbertElliott, random.loss);
    this.bottleneck = settings.rateLimit ? new Bottleneck(settings.rateLimit) : null;
    this.delay = new DelaySampler(settings.delayMs, settings.jitter, random.delay);
  }

  /** True once startAfter was met. */
  get impairing(): boolean {
    return this.startMs !== null;
  }

  onPacket(p: ImpairPacket): ImpairAction[] {
    const index = this.seen++;
    if (this.startMs === null) {
      if (!this.startConditionMet(p, index)) return [this.passThrough(p)];
      this.startMs = p.arrivalMs;
    }
    const impairedIndex = this.impairedCount++;

    // Draw every stream once per impaired packet, whatever happens to it.
    const lossCause = this.loss.decide(impairedIndex, p.arrivalMs - this.startMs);
    const delayMs = this.delay.sample();
    const reorder = this.settings.reorder;
    const holdBack = reorder !== null && bernoulli(this.random.reorder, reorder.probability);
    const duplicate = this.settings.duplicate;
    const twice = duplicate !== null && bernoulli(this.random.duplicate, duplicate.probability);

    if (lossCause !== null) return [{ kind: 'drop', packetId: p.id, cause: lossCause }];
    let departMs = p.arrivalMs;
    if (this.bottleneck) {
      const result = this.bottleneck.offer(p.sizeBytes, p.arrivalMs);
      if (!result.accepted) return [{ kind: 'drop', packetId: p.id, cause: 'queueOverflow' }];
      departMs = result.departMs;
    }
    const nominalMs = departMs + delayMs;

    if (holdBack && reorder !== null) {
      if ('gapMs' in reorder) {
        return this.releaseCopies(p, nominalMs + reorder.gapMs, twice, true);
      }
      this.held.push({
        packet: { id: p.id, arrivalMs: p.arrivalMs, sizeBytes: p.sizeBytes },
        remainingPackets: reorder.gapPackets,
        nominalMs,
        deadlineMs: nominalMs + (reorder.maxHoldMs ?? DEFAULT_REORDER_MAX_HOLD_MS),
        duplicate: twice,
      });
      return [{ kind: 'hold', packetId: p.id }];
    }

    const atMs = this.settings.jitterMayReorder ? nominalMs : Math.max(nominalMs, this.lastReleaseMs);
    this.lastReleaseMs = Math.max(this.lastReleaseMs, atMs);
    const actions: ImpairAction[] = this.releaseCopies(p, atMs, twice, false);
    return actions.concat(this.countDownHeld(atMs));
  }

  /** Release held packets whose maximum hold ended at or before `nowMs`. */
  onTimer(nowMs: number): ImpairAction[] {
    const actions: ImpairAction[] = [];
    for (let i = 0; i < this.held.length;) {
      const h = this.held[i];
      if (h !== undefined && h.deadlineMs <= nowMs) {
        this.held.splice(i, 1);
        actions.push(...this.releaseCopies(h.packet, h.deadlineMs, h.duplicate, true));
      } else {
        i++;
      }
    }
    return actions;
  }

  /** When onTimer must next be called, or null when nothing waits on time. */
  nextTimerMs(): number | null {
    let next: number | null = null;
    for (const h of this.held) if (next === null || h.deadlineMs < next) next = h.deadlineMs;
    return next;
  }

  /** Packets held back and not released yet (at stop they are never sent). */
  heldPacketIds(): number[] {
    return this.held.map((h) => h.packet.id);
  }

  private startConditionMet(p: ImpairPacket, index: number): boolean {
    const start = this.settings.startAfter;
    if (start === null) return true;
    if ('ms' in start) return p.arrivalMs - this.originMs >= start.ms;
    if ('packets' in start) return index >= start.packets;
    return p.probe === true;
  }

  private passThrough(p: ImpairPacket): ReleaseAction {
    this.lastReleaseMs = Math.max(this.lastReleaseMs, p.arrivalMs);
    return {
      kind: 'release',
      packetId: p.id,
      arrivalMs: p.arrivalMs,
      sizeBytes: p.sizeBytes,
      atMs: p.arrivalMs,
      copy: 'original',
      impaired: false,
      heldBack: false,
    };
  }

  private releaseCopies(p: PacketRef, atMs: number, twice: boolean, heldBack: boolean): ReleaseAction[] {
    const first: ReleaseAction = {
      kind: 'release',
      packetId: p.id,
      arrivalMs: p.arrivalMs,
      sizeBytes: p.sizeBytes,
      atMs,
      copy: 'original',
      impaired: true,
      heldBack,
    };
    if (!twice || this.settings.duplicate === null) return [first];
    return [first, { ...first, atMs: atMs + this.settings.duplicate.gapMs, copy: 'duplicate' }];
  }

  /** A non-held packet is released at `atMs`: packet-gap holds count it. */
  private countDownHeld(atMs: number): ReleaseAction[] {
    const out: ReleaseAction[] = [];
    for (let i = 0; i < this.held.length;) {
      const h = this.held[i];
      if (h === undefined) break;
      h.remainingPackets--;
      if (h.remainingPackets <= 0) {
        this.held.splice(i, 1);
        out.push(...this.releaseCopies(h.packet, Math.max(h.nominalMs, atMs), h.duplicate, true));
      } else {
        i++;
      }
    }
    return out;
  }
}
