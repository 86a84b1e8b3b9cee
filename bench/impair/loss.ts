/**
 * Loss models of one direction. Each model draws from its own PRNG stream on every impaired
 * packet, dropped or not, so a packet's fate under one model never depends on another.
 * Precedence of the recorded cause when several models drop the same packet: burst, then
 * Gilbert-Elliott, then Bernoulli ("random").
 */
import { bernoulli, type Random } from './prng.js';
import type { Burst, GilbertElliott } from './scenario.js';

export type LossCause = 'burst' | 'gilbertElliott' | 'random';

/**
 * Gilbert-Elliott two-state Markov loss, stepped once per packet: the packet is lost with
 * the loss probability of the current state, then the state moves (good -> bad with p,
 * bad -> good with r). Stationary bad share p / (p + r); with lossInBad 1 and lossInGood 0
 * the loss rate is p / (p + r) and the mean burst length 1 / r.
 */
export class GilbertElliottLoss {
  private bad = false;

  constructor(
    private readonly params: Required<GilbertElliott>,
    private readonly random: Random,
  ) {}

  /** True when this packet is lost. Exactly two draws per call. */
  step(): boolean {
    const lossP = this.bad ? this.params.lossInBad : this.params.lossInGood;
    const lost = bernoulli(this.random, lossP);
    const moveP = this.bad ? this.params.pBadToGood : this.params.pGoodToBad;
    if (bernoulli(this.random, moveP)) this.bad = !this.bad;
    return lost;
  }
}

/**
 * Deterministic bursts. `every`: impaired packets with index i >= offset and
 * (i - offset) mod every < length are dropped. `at`: the first impaired packet that
 * arrives at or after each time (ms after the first impaired packet) starts a run of
 * `length` dropped packets; overlapping runs merge.
 */
export class FixedBursts {
  private readonly atQueues: { times: number[]; next: number; length: number }[];
  private dropRemaining = 0;

  constructor(private readonly bursts: readonly Burst[]) {
    this.atQueues = bursts.filter((b) => b.kind === 'at').map((b) => ({ times: [...b.atMs].sort((x, y) => x - y), next: 0, length: b.lengthPackets }));
  }

  /** index: 0-based impaired-packet index; sinceStartMs: arrival time after the first impaired packet. */
  check(index: number, sinceStartMs: number): boolean {
    let dropped = false;
    for (const b of this.bursts) {
      if (b.kind !== 'every') continue;
      const offset = b.offsetPackets ?? 0;
      if (index >= offset && (index - offset) % b.everyPackets < b.lengthPackets) dropped = true;
    }
    for (const q of this.atQueues) {
      while (q.next < q.times.length && (q.times[q.next] ?? Infinity) <= sinceStartMs) {
        q.next++;
        this.dropRemaining = Math.max(this.dropRemaining, q.length);
      }
    }
    if (this.dropRemaining > 0) {
      this.dropRemaining--;
      dropped = true;
    }
    return dropped;
  }
}

/** All loss models of a direction, evaluated together in the documented precedence. */
export class LossStage {
  private readonly bursts: FixedBursts;
  private readonly ge: GilbertElliottLoss | null;

  constructor(
    bursts: readonly Burst[],
    ge: Required<GilbertElliott> | null,
    private readonly lossProbability: number,
    randomGe: Random,
    private readonly randomLoss: Random,
  ) {
    this.bursts = new FixedBursts(bursts);
    this.ge = ge ? new GilbertElliottLoss(ge, randomGe) : null;
  }

  /** The cause that drops this packet, or null when it survives. */
  decide(index: number, sinceStartMs: number): LossCause | null {
    const burst = this.bursts.check(index, sinceStartMs);
    const ge = this.ge ? this.ge.step() : false;
    const random = bernoulli(this.randomLoss, this.lossProbability);
    if (burst) return 'burst';
    if (ge) return 'gilbertElliott';
    if (random) return 'random';
    return null;
  }
}
