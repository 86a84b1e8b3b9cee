/**
 * Which of the relay's own relayed addresses may exchange data with each other. RFC 8656 §9 lets
 * a server restrict the peers a permission may name, and a relayed address of ours is a peer like
 * any other: without this, any allocation could send into any other (a running test's downlink
 * among them) from the relay's own address, by one CreatePermission for the relay's IP.
 *
 * Relay to relay flows only where the server made the pair:
 * - between the allocations of one credential (the page's loopback mode: its own allocations,
 *   one credential per page load);
 * - between a reflector session's allocation (its data-channel leg, under the credential the
 *   server mints for that session, isReflectorUsername) and a relayed address that session's page
 *   signalled as its candidate, registered by the session (`allow`) as the RTP leg's endpoint is.
 * Anything else to or from a relayed address of ours is dropped and counted (`peer-other-test`),
 * and a ChannelBind that can never carry data (two pages' allocations of different credentials)
 * is refused (403).
 */
import { isReflectorUsername } from '../credentials.js';

/** An allocation as the rule reads it: its credential and its relayed address (`ip|port`). */
export interface PairEnd {
  readonly username: string;
  readonly relayKey: string;
}

export class RelayPairs {
  private gen = 0;
  /** Reflector username -> the page's relayed addresses (`ip|port`) it may exchange data with, counted (a session may register one twice). */
  private readonly pairs = new Map<string, Map<string, number>>();
  /** Moves whenever a decision may change. */
  get generation(): number {
    return this.gen;
  }

  /** The reflector allocations of `reflectorUsername` may exchange data with relayed address `peerKey`; returns an idempotent undo. */
  allow(reflectorUsername: string, peerKey: string): () => void {
    let keys = this.pairs.get(reflectorUsername);
    if (keys === undefined) {
      keys = new Map();
      this.pairs.set(reflectorUsername, keys);
    }
    keys.set(peerKey, (keys.get(peerKey) ?? 0) + 1);
    this.gen++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = this.pairs.get(reflectorUsername);
      if (left === undefined) return;
      const n = (left.get(peerKey) ?? 1) - 1;
      if (n > 0) left.set(peerKey, n);
      else left.delete(peerKey);
      if (left.size === 0) this.pairs.delete(reflectorUsername);
      this.gen++;
    };
  }

  /** Registered pairs held (tests check that a session's end releases its pairs). */
  get size(): number {
    let pairs = 0;
    for (const keys of this.pairs.values()) pairs += keys.size;
    return pairs;
  }

  private paired(reflector: string, peerKey: string): boolean {
    return isReflectorUsername(reflector) && this.pairs.get(reflector)?.has(peerKey) === true;
  }

  /** Whether allocation `a` may exchange data with relayed address `peerKey`, where allocation `b` is. */
  allowed(a: PairEnd, peerKey: string, b: PairEnd): boolean {
    return a.username === b.username || this.paired(a.username, peerKey) || this.paired(b.username, a.relayKey);
  }

  /**
   * Whether a ChannelBind of `a` to `b`'s relayed address could ever carry data: one credential,
   * or a reflector's allocation on either side (whose session may register the pair a moment
   * later: the page's candidate and its permission race on two paths).
   */
  static bindable(a: PairEnd, b: PairEnd): boolean {
    return a.username === b.username || isReflectorUsername(a.username) || isReflectorUsername(b.username);
  }
}
