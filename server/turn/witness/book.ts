/**
 * The relay as an independent witness: the RTP headers of what it relays, per
 * allocation and peer endpoint, read in clear (RFC 7983 demux, RFC 3550 §5.1) and never
 * decrypted. The one place where network duplicates on the upstream are visible (SRTP replay
 * protection drops them before any receiver sees them). And the one place where the page's
 * QoS marks are read: each upstream packet's DSCP as it reached the relay (RFC 2474 §3), when
 * the relay's socket reads its traffic class.
 *
 * Pure: no sockets; arrival times come from an injected clock, read only for RTP packets, and
 * the retirement clock is the core's `nowMs`. Memory is bounded: at most
 * `maxStreamsPerAllocation` streams (SSRC x direction, each a fixed ring) per allocation, and a
 * deleted allocation's witnesses stay readable for `graceMs`.
 */
import type { RelayWitness, WitnessStream } from '../../../src/protocol/wire.js';
import { parseRtpHeader } from './rtp.js';
import { RtpStreamWitness } from './stream.js';

/** 'up': client -> peer (ChannelData, Send indication); 'down': peer -> client. */
export type WitnessDirection = 'up' | 'down';

/** Sized in src/protocol/defaults.ts (CONSTANTS.relayWitness). */
export interface WitnessLimits {
  readonly maxStreamsPerAllocation: number;
  readonly windowPackets: number;
  readonly graceMs: number;
  readonly clockRateHz: number;
}

/** The RTP one allocation carried to and from one peer endpoint (`${ip}|${port}`). */
class PeerWitness {
  readonly up = new Map<number, RtpStreamWitness>();
  readonly down = new Map<number, RtpStreamWitness>();
  retiredAtMs = Number.NaN;

  constructor(readonly peerKey: string) {}

  /** Packets seen upstream, then downstream (to choose among allocations that talked to the same peer). */
  get weight(): number {
    let n = 0;
    for (const s of this.up.values()) n += s.packets;
    return n;
  }

  report(): RelayWitness | null {
    const up = main(this.up);
    const down = main(this.down);
    if (up === null && down === null) return null;
    const dscp = up?.dscpCounts() ?? null;
    return {
      source: 'relay',
      upstream: up?.summary(this.up.size) ?? emptyStream(),
      downstream: down?.summary(this.down.size) ?? null,
      ...(dscp === null ? {} : { upstreamDscp: dscp }),
    };
  }
}

/** The stream with the most packets (the probe stream). */
function main(streams: ReadonlyMap<number, RtpStreamWitness>): RtpStreamWitness | null {
  let best: RtpStreamWitness | null = null;
  for (const s of streams.values()) if (best === null || s.packets > best.packets) best = s;
  return best;
}

function emptyStream(): WitnessStream {
  return {
    ssrc: null,
    packets: 0,
    paddingPackets: 0,
    expected: 0,
    lost: 0,
    lossPct: null,
    duplicates: 0,
    reordered: 0,
    jitterMs: null,
    ipdvMeanAbsMs: null,
    maxIpdvMs: null,
    ssrcs: 0,
  };
}

/** One live allocation's witnesses. */
class AllocationWitnesses {
  streams = 0;
  readonly peers = new Map<string, PeerWitness>();
}

/** How much the book holds (tests check it is bounded and released). */
export interface WitnessCensus {
  readonly allocations: number;
  readonly peers: number;
  readonly retired: number;
  /** RTP packets not witnessed because their allocation already had its maximum of streams. */
  readonly unwatchedPackets: number;
}

export class WitnessBook {
  private readonly byAllocation = new Map<number, AllocationWitnesses>();
  private readonly byPeer = new Map<string, PeerWitness[]>();
  /** Witnesses of deleted allocations, oldest first. */
  private readonly retired: PeerWitness[] = [];
  private unwatched = 0;

  constructor(
    private readonly limits: WitnessLimits,
    /** Monotonic arrival clock, ms, read only for RTP packets; null: the core's `nowMs`. */
    private readonly arrivalClock: (() => number) | null,
  ) {}

  /**
   * Hot path: one relayed payload (`length` bytes of `buf` from `offset`) between allocation
   * `allocationId` and peer `peerKey`, with the traffic class its datagram arrived with (-1: not
   * read). Anything but RTP (STUN, DTLS, RTCP, other) costs a first-byte check and is ignored.
   */
  observe(allocationId: number, peerKey: string, direction: WitnessDirection, buf: Uint8Array, offset: number, length: number, nowMs: number, tos = -1): void {
    const b0 = buf[offset];
    if (b0 === undefined || b0 < 128 || b0 > 191) return;
    const h = parseRtpHeader(buf, offset, length);
    if (h === null) return;
    this.observeRtp(allocationId, peerKey, direction, h.ssrc, h.seq, h.timestamp, h.padding, this.arrivalClock === null ? nowMs : this.arrivalClock(), tos);
  }

  /**
   * One RTP packet already read (the relay's fast path keeps each packet's header, its arrival
   * and its traffic class, and the relay hands them here in batches): `arrivalMs` on the book's
   * arrival clock (the core's clock when it has none), `tos` -1 when not read.
   */
  observeRtp(
    allocationId: number,
    peerKey: string,
    direction: WitnessDirection,
    ssrc: number,
    seq: number,
    timestamp: number,
    padding: boolean,
    arrivalMs: number,
    tos = -1,
  ): void {
    let aw = this.byAllocation.get(allocationId);
    let pw = aw?.peers.get(peerKey);
    let s = pw === undefined ? undefined : (direction === 'up' ? pw.up : pw.down).get(ssrc);
    if (s === undefined) {
      aw ??= this.addAllocation(allocationId);
      if (aw.streams >= this.limits.maxStreamsPerAllocation) {
        this.unwatched++;
        return;
      }
      if (pw === undefined) {
        pw = new PeerWitness(peerKey);
        aw.peers.set(peerKey, pw);
        const list = this.byPeer.get(peerKey);
        if (list === undefined) this.byPeer.set(peerKey, [pw]);
        else list.push(pw);
      }
      s = new RtpStreamWitness(ssrc, this.limits.windowPackets, this.limits.clockRateHz);
      (direction === 'up' ? pw.up : pw.down).set(ssrc, s);
      aw.streams++;
    }
    s.observe(seq, timestamp, padding, arrivalMs, tos);
  }

  /** Whether arrivals are read on a clock of the book's own (then `observeRtp`'s arrivals are on it), or on the core's. */
  get ownClock(): boolean {
    return this.arrivalClock !== null;
  }

  private addAllocation(allocationId: number): AllocationWitnesses {
    const aw = new AllocationWitnesses();
    this.byAllocation.set(allocationId, aw);
    return aw;
  }

  /** The allocation was deleted: its witnesses stay readable for `graceMs` from `nowMs`. */
  retire(allocationId: number, nowMs: number): void {
    const aw = this.byAllocation.get(allocationId);
    if (aw !== undefined) {
      this.byAllocation.delete(allocationId);
      for (const pw of aw.peers.values()) {
        pw.retiredAtMs = nowMs;
        this.retired.push(pw);
      }
    }
    this.purge(nowMs);
  }

  private purge(nowMs: number): void {
    let n = 0;
    while (n < this.retired.length && (this.retired[n]?.retiredAtMs ?? 0) + this.limits.graceMs <= nowMs) n++;
    if (n === 0) return;
    for (const pw of this.retired.splice(0, n)) {
      const list = this.byPeer.get(pw.peerKey);
      if (list === undefined) continue;
      const rest = list.filter((x) => x !== pw);
      if (rest.length === 0) this.byPeer.delete(pw.peerKey);
      else this.byPeer.set(pw.peerKey, rest);
    }
  }

  /**
   * What the relay saw between any of its allocations and peer `peerKey` (`${ip}|${port}`,
   * the IP as the core formats it): the allocation that sent the most RTP upstream to it
   * (ICE may open several; one carries the media). Null when no RTP went either way.
   */
  forPeer(peerKey: string, nowMs: number): RelayWitness | null {
    this.purge(nowMs);
    let best: PeerWitness | null = null;
    for (const pw of this.byPeer.get(peerKey) ?? []) if (best === null || pw.weight > best.weight) best = pw;
    return best?.report() ?? null;
  }

  census(): WitnessCensus {
    let peers = 0;
    for (const list of this.byPeer.values()) peers += list.length;
    return { allocations: this.byAllocation.size, peers, retired: this.retired.length, unwatchedPackets: this.unwatched };
  }
}
