/**
 * The video phase's books (CONSTANTS.video): how many run at once on the server (maxOpen), and
 * (phasesPerHour*) how many video sessions each
 * source (IPv4 address, IPv6 /64), each network (IPv6 /48; an IPv4 address is its own network)
 * and the whole server started in the last hour. Each phase moves a bounded number of bytes
 * (the reflector's schedule, the page's capped encoder, CONSTANTS.video.maxSessionMs), so these
 * counts bound the bytes per source, per network and per hour. Memory: one list of start times
 * per source and network active in the last hour, swept as they expire.
 */
import { networkKey, sourceKey } from '../common/source-key.js';

export interface VideoLimits {
  phasesPerHourPerSource: number;
  phasesPerHourPerNetwork: number;
  phasesPerHour: number;
  /** Phases open at once on the server (their CPU on the data plane). */
  maxOpen: number;
}

/** Why a video phase was refused: its source's, its network's or the server's hour is spent, or the server runs its most at once. */
export type VideoRefusal = 'video-source-hour' | 'video-network-hour' | 'video-hour' | 'video-busy';

const HOUR_MS = 3_600_000;

export class VideoBook {
  private readonly bySource = new Map<string, number[]>();
  private readonly byNetwork = new Map<string, number[]>();
  private all: number[] = [];
  private open = 0;

  constructor(
    private readonly limits: VideoLimits,
    private readonly nowMs: () => number,
  ) {}

  /** Takes one phase for `ip` now, or says which hour is spent (nothing is taken then). */
  tryStart(ip: string | undefined): VideoRefusal | null {
    const now = this.nowMs();
    const since = now - HOUR_MS;
    this.all = this.all.filter((t) => t > since);
    const source = sourceKey(ip);
    const network = networkKey(ip);
    const s = recent(this.bySource, source, since);
    const n = recent(this.byNetwork, network, since);
    if (this.open >= this.limits.maxOpen) return 'video-busy';
    if (this.all.length >= this.limits.phasesPerHour) return 'video-hour';
    if (n.length >= this.limits.phasesPerHourPerNetwork) return 'video-network-hour';
    if (s.length >= this.limits.phasesPerHourPerSource) return 'video-source-hour';
    this.all.push(now);
    this.open++;
    this.bySource.set(source, [...s, now]);
    this.byNetwork.set(network, [...n, now]);
    this.sweep(since);
    return null;
  }

  /** A phase taken by tryStart ended: its place at once is free (its hour's count stays). */
  release(): void {
    this.open = Math.max(0, this.open - 1);
  }

  /** Sources and networks with a phase in the last hour (for tests of the sweep). */
  get keys(): number {
    return this.bySource.size + this.byNetwork.size;
  }

  private sweep(since: number): void {
    for (const m of [this.bySource, this.byNetwork]) {
      for (const [k, times] of m) if (!times.some((t) => t > since)) m.delete(k);
    }
  }
}

function recent(m: Map<string, number[]>, key: string, since: number): number[] {
  const kept = (m.get(key) ?? []).filter((t) => t > since);
  if (kept.length === 0) m.delete(key);
  else m.set(key, kept);
  return kept;
}

/** The sentence the page shows for a video refusal; null for any other refusal. */
export function videoRefusalWords(reason: string): string | null {
  return (VIDEO_REFUSAL_WORDS as Record<string, string | undefined>)[reason] ?? null;
}

const VIDEO_REFUSAL_WORDS: Record<VideoRefusal, string> = {
  'video-source-hour': 'This address has run its video tests for this hour. Try again later.',
  'video-network-hour': 'Your network has run its video tests for this hour. Try again later.',
  'video-hour': 'The test server has run its video tests for this hour. Try again later.',
  'video-busy': 'The test server is running as many video tests as it can. Try again in a minute.',
};
