/**
 * The RTP leg's side of the relay's fast path (server/turn/transport/fast-path.ts): the offer of
 * the page's stream to the relay, which then answers it in C with the addon's probe core before
 * any JavaScript; the core's records of what it took, counted after each of the relay's drains as
 * the short path counts its own packets; and the withdrawal when werift may no longer send to the
 * pair the offer named (no consent, another pair), the stream then back on the short path until
 * its next echo sealed to a pair offers it again.
 */
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import type { FastOffer } from '../../turn/transport/fast-path.js';
import type { FastTaken, NativeRtpCore } from './native-core.js';
import type { RtpShortPath } from './short-path.js';

/** The relay in this process as the fast path's offers reach it (the relay's `LocalPeerHandle.offerFast`). */
export interface FastOfferLink {
  offerFast(offer: FastOffer | null): void;
}

export class LegFastOffer {
  /** The page's stream offered (its SSRC), or null (not offered, or withdrawn); the pair's remote address the offer named; a withdrawal under way. */
  private ssrc: number | null = null;
  private answerTo: readonly [string, number] | null = null;
  private withdrawing = false;
  /** Packets of the page's stream the relay's fast path took. */
  private taken = 0;

  constructor(
    private readonly link: FastOfferLink,
    private readonly core: Pick<NativeRtpCore, 'fastPeer' | 'drainTaken'>,
    private readonly short: Pick<RtpShortPath, 'countFastTaken' | 'nominatedSendable' | 'fastWithdrawn'>,
    /** A packet the fast path took, counted by the leg as it counts one the short path takes. */
    private readonly onTaken: (t: Readonly<FastTaken>) => void,
  ) {}

  /** Packets of the page's stream the relay's fast path took so far. */
  get takenCount(): number {
    return this.taken;
  }

  /**
   * Offers the page's stream `ssrc` (payload type `payloadType`). `answerTo` is the nominated pair's
   * remote address werift's own echoes go to: the offer is withdrawn when werift's pair changes or
   * loses consent (the relay answers in the channel the stream comes through, whichever it is).
   */
  offer(ssrc: number, payloadType: number, answerTo: readonly [string, number]): void {
    this.ssrc = ssrc;
    this.answerTo = answerTo;
    this.link.offerFast({
      peer: this.core.fastPeer(),
      ssrc,
      payloadType,
      // Four times the probe rate, a second of it at once: a page's stream never meets it; a flood goes to JavaScript's quotas.
      perSecond: (4 * 1000) / CONSTANTS.rtp.ptimeMs,
      burst: 1000 / CONSTANTS.rtp.ptimeMs,
      onDrain: () => this.drained(ssrc),
    });
  }

  /**
   * After the relay counted what its fast path took: the packets the core took, counted as the
   * short path counts its own; and when werift may no longer send to the pair the offer named,
   * the offer is withdrawn.
   */
  private drained(ssrc: number): void {
    this.taken += this.core.drainTaken((t) => {
      this.short.countFastTaken(t, ssrc);
      this.onTaken(t);
    });
    const pair = this.short.nominatedSendable();
    const to = this.answerTo;
    if (!this.withdrawing && this.ssrc !== null && (pair === null || to === null || pair[0] !== to[0] || pair[1] !== to[1])) {
      this.withdrawing = true;
      // Not from inside the relay's drain: at the next turn.
      queueMicrotask(() => this.withdraw());
    }
  }

  /** Withdraws the offer: the relay counts what its fast path took, and the page's stream goes through the short path again, until its next sealed echo offers it again. */
  withdraw(): void {
    if (this.ssrc === null) return;
    this.ssrc = null;
    this.answerTo = null;
    this.link.offerFast(null);
    this.withdrawing = false;
    this.short.fastWithdrawn();
  }
}
