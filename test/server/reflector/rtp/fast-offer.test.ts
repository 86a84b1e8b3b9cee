/**
 * The RTP leg's side of the relay's fast path (server/reflector/rtp/fast-offer.ts), against a
 * relay, a core and a short path that record what they are told: the offer's bounds, what each
 * drain counts, the withdrawal when werift may no longer send to the pair the offer named (once,
 * outside the relay's drain), and the short path told it may offer again.
 */
import { describe, expect, it } from 'vitest';
import { CONSTANTS } from '../../../../src/protocol/defaults.js';
import { LegFastOffer } from '../../../../server/reflector/rtp/fast-offer.js';
import type { FastTaken } from '../../../../server/reflector/rtp/native-core.js';
import type { FastOffer } from '../../../../server/turn/transport/fast-path.js';
import type { FastPeer } from '../../../../server/turn/transport/native-udp.js';

const SSRC = 0x1234_5678;
const PT = 111;
const PAIR = ['127.0.0.1', 40_000] as const;
/** The addon's handle is opaque: the offer only carries it to the relay. */
const PEER = { functions: {}, state: {} } as unknown as FastPeer;

function taken(kind: FastTaken['kind'], downSeq: number): FastTaken {
  return {
    kind,
    recvMs: 1000 + downSeq,
    fields: { seq: downSeq, timestamp: 480 * downSeq, payloadBytes: 160, headerBytes: 12 },
    notProbe: null,
    downSeq,
    echoBytes: 200,
    echoSeq: downSeq,
    echoTimestamp: 480 * downSeq,
    sendMs: 1000 + downSeq,
    sealFailed: null,
  };
}

function stage() {
  const offers: (FastOffer | null)[] = [];
  const pending: FastTaken[] = [];
  const counted: { downSeq: number; ssrc: number }[] = [];
  const leg: number[] = [];
  const state = { pair: PAIR as readonly [string, number] | null, withdrawn: 0 };
  const fast = new LegFastOffer(
    { offerFast: (o) => offers.push(o) },
    {
      fastPeer: () => PEER,
      drainTaken: (each) => {
        const n = pending.length;
        for (const t of pending.splice(0)) each(t);
        return n;
      },
    },
    {
      countFastTaken: (t, ssrc) => counted.push({ downSeq: t.downSeq, ssrc }),
      nominatedSendable: () => state.pair,
      fastWithdrawn: () => state.withdrawn++,
    },
    (t) => leg.push(t.downSeq),
  );
  return { fast, offers, pending, counted, leg, state };
}

/** The relay's drain of the offer in force (what the relay calls after counting its own records). */
function drain(offers: readonly (FastOffer | null)[]): void {
  const o = offers.at(-1);
  if (o === undefined || o === null) throw new Error('no offer in force');
  o.onDrain();
}

describe("the leg's offer of the relay's fast path", () => {
  it("offers the page's stream (its SSRC and payload type, wherever it comes through), bounded at four times the probe rate and a second of it at once", () => {
    const s = stage();
    s.fast.offer(SSRC, PT, PAIR);
    expect(s.offers).toHaveLength(1);
    expect(s.offers[0]).toMatchObject({ peer: PEER, ssrc: SSRC, payloadType: PT });
    expect(s.offers[0]).not.toHaveProperty('answerTo');
    expect(CONSTANTS.rtp.ptimeMs).toBe(10);
    expect(s.offers[0]).toMatchObject({ perSecond: 400, burst: 100 });
  });

  it('counts what the core took at each drain, in the short path and in the leg, with the stream offered', () => {
    const s = stage();
    s.fast.offer(SSRC, PT, PAIR);
    s.pending.push(taken('echo', 0), taken('padding', 1), taken('echo', 2));
    drain(s.offers);
    expect(s.counted).toEqual([0, 1, 2].map((downSeq) => ({ downSeq, ssrc: SSRC })));
    expect(s.leg).toEqual([0, 1, 2]);
    s.pending.push(taken('echo', 3));
    drain(s.offers);
    expect(s.fast.takenCount).toBe(4);
    // The pair is still the one the offer named: nothing withdrawn.
    expect(s.offers).toHaveLength(1);
  });

  it('withdraws once, after the drain, when werift may no longer send to the pair (consent gone, or another pair), and lets the short path offer again', async () => {
    const s = stage();
    s.fast.offer(SSRC, PT, PAIR);
    s.state.pair = null;
    s.pending.push(taken('echo', 0));
    drain(s.offers);
    drain(s.offers);
    // Not from inside the relay's drain: still in force until the next microtask.
    expect(s.offers).toHaveLength(1);
    await Promise.resolve();
    expect(s.offers).toEqual([expect.objectContaining({ ssrc: SSRC }), null]);
    expect(s.state.withdrawn).toBe(1);
    expect(s.fast.takenCount).toBe(1);

    // Offered again on another pair: a change of pair withdraws it too.
    s.state.pair = ['127.0.0.1', 40_002];
    s.fast.offer(SSRC, PT, ['127.0.0.1', 40_002]);
    drain(s.offers);
    await Promise.resolve();
    expect(s.offers).toHaveLength(3);
    s.state.pair = ['127.0.0.1', 40_004];
    drain(s.offers);
    await Promise.resolve();
    expect(s.offers.at(-1)).toBeNull();
    expect(s.state.withdrawn).toBe(2);
  });

  it('withdraws nothing that is not offered (the leg closing twice, or before any offer)', () => {
    const s = stage();
    s.fast.withdraw();
    expect(s.offers).toEqual([]);
    s.fast.offer(SSRC, PT, PAIR);
    s.fast.withdraw();
    s.fast.withdraw();
    expect(s.offers).toEqual([expect.objectContaining({ ssrc: SSRC }), null]);
    expect(s.state.withdrawn).toBe(1);
  });
});
