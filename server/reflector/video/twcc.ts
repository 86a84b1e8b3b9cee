/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1) for the video leg: the arrival time of every packet of the page's video, by its
 * transport-wide sequence number, so the page's browser runs its congestion control (GCC,
 * draft-ietf-rmcat-gcc-02) on what the path did. werift's own feedback rounds its reference time
 * to 64 ms while its deltas keep the exact time, so the browser saw delay jump between feedback
 * packets and backed off on a clean path: the leg sends this one instead.
 *
 * Pure: arrivals in, RTCP bytes out. Each feedback covers the sequence numbers from the one after
 * the last reported up to the highest arrived; those that did not arrive are reported as not
 * received, and a packet arriving after its number was reported is left out.
 */

/** One tick of a receive delta: 250 µs (§3.1.5). */
const TICK_MS = 0.25;
/** The reference time's unit: 64 ms (§3.1). */
const REFERENCE_MS = 64;
/** At most this many sequence numbers in one feedback packet (a burst beyond it waits for the next). */
const MAX_STATUS = 1_000;

const enum Status {
  NotReceived = 0,
  SmallDelta = 1,
  LargeDelta = 2,
}

export class TwccFeedback {
  /** Arrival ms by extended sequence number, since the last feedback. */
  private readonly arrivals = new Map<number, number>();
  private highest: number | null = null;
  /** The next extended sequence number to report; null before the first arrival. */
  private nextBase: number | null = null;
  private fbCount = 0;

  /** One packet's transport-wide sequence number (16 bits) and its arrival time, ms. */
  record(seq: number, arrivalMs: number): void {
    const ext = this.extend(seq & 0xffff);
    if (this.nextBase === null) this.nextBase = ext;
    if (ext < this.nextBase || this.arrivals.has(ext)) return;
    this.arrivals.set(ext, arrivalMs);
    if (this.highest === null || ext > this.highest) this.highest = ext;
  }

  /** The next feedback packet (RTCP RTPFB, FMT 15), or null when nothing arrived since the last. */
  build(senderSsrc: number, mediaSsrc: number): Buffer | null {
    if (this.nextBase === null || this.highest === null || this.arrivals.size === 0) return null;
    const base = this.nextBase;
    const last = Math.min(this.highest, base + MAX_STATUS - 1);
    const count = last - base + 1;
    let firstArrival: number | null = null;
    for (let s = base; s <= last; s++) {
      const t = this.arrivals.get(s);
      if (t !== undefined) {
        firstArrival = t;
        break;
      }
    }
    if (firstArrival === null) {
      // Only numbers past the cap arrived: move the base on and report them next time.
      this.nextBase = last + 1;
      return null;
    }
    const reference = Math.floor(firstArrival / REFERENCE_MS);
    let previous = reference * REFERENCE_MS;
    const statuses: Status[] = [];
    const deltas: number[] = [];
    for (let s = base; s <= last; s++) {
      const t = this.arrivals.get(s);
      if (t === undefined) {
        statuses.push(Status.NotReceived);
        continue;
      }
      const ticks = Math.max(-32_768, Math.min(32_767, Math.round((t - previous) / TICK_MS)));
      // Each delta is from the previous packet's time as the receiver will rebuild it (rounded), so errors do not add up.
      previous += ticks * TICK_MS;
      statuses.push(ticks >= 0 && ticks <= 255 ? Status.SmallDelta : Status.LargeDelta);
      deltas.push(ticks);
      this.arrivals.delete(s);
    }
    this.nextBase = last + 1;
    const chunks = runLengthChunks(statuses);
    const deltaBytes = statuses.reduce((n, st) => n + (st === Status.SmallDelta ? 1 : st === Status.LargeDelta ? 2 : 0), 0);
    const unpadded = 20 + 2 * chunks.length + deltaBytes;
    const padding = (4 - (unpadded % 4)) % 4;
    const out = Buffer.alloc(unpadded + padding);
    out[0] = 0x80 | (padding > 0 ? 0x20 : 0) | 15; // V=2, P, FMT=15
    out[1] = 205; // RTPFB (RFC 4585 §6.1)
    out.writeUInt16BE(out.length / 4 - 1, 2);
    out.writeUInt32BE(senderSsrc >>> 0, 4);
    out.writeUInt32BE(mediaSsrc >>> 0, 8);
    out.writeUInt16BE(base & 0xffff, 12);
    out.writeUInt16BE(count, 14);
    out.writeUIntBE(reference & 0xffffff, 16, 3);
    out[19] = this.fbCount;
    this.fbCount = (this.fbCount + 1) & 0xff;
    let at = 20;
    for (const c of chunks) at = out.writeUInt16BE(c, at);
    let d = 0;
    for (const st of statuses) {
      if (st === Status.NotReceived) continue;
      const ticks = deltas[d++] ?? 0;
      at = st === Status.SmallDelta ? out.writeUInt8(ticks, at) : out.writeInt16BE(ticks, at);
    }
    if (padding > 0) out[out.length - 1] = padding;
    // Arrivals older than the base (a reordered packet already reported missing) are dropped with it.
    for (const s of this.arrivals.keys()) if (s < this.nextBase) this.arrivals.delete(s);
    return out;
  }

  /** The extended sequence number nearest the highest so far (RFC 3550 §A.1's wrap rule). */
  private extend(seq: number): number {
    const h = this.highest ?? this.nextBase;
    if (h === null) return seq + 0x10000; // room below the first for a reordered earlier one
    let ext = h - (h & 0xffff) + seq;
    if (ext - h > 0x8000) ext -= 0x10000;
    else if (h - ext > 0x8000) ext += 0x10000;
    return ext;
  }
}

/** Run-length chunks (§3.1.3): T=0, two bits of status, 13 bits of run length. */
function runLengthChunks(statuses: readonly Status[]): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < statuses.length) {
    const st = statuses[i] as Status;
    let run = 1;
    while (i + run < statuses.length && statuses[i + run] === st && run < 0x1fff) run++;
    out.push((st << 13) | run);
    i += run;
  }
  return out;
}
