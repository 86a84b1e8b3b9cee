/**
 * The soak's results: everything it measured (raw, in bench/results/raw/) and the figures
 * docs/benchmarks/load.md quotes (the tracked summary). Pure: the summary is computed from the raw
 * results alone, so an older raw file gives the same summary the bench would have written.
 */
import { median } from '../lib/median.js';
import type { ClientResult } from './load-kit.js';

/** What the abusive clients got back over the soak. */
export interface AbuseTally {
  cycles: number;
  junkAnswers: number;
  floodRefusals: number;
  /** LF offers refused with a signalling error, and answered (the reflector took them); absent in soaks run before the LF offer joined the cycle. */
  lfOfferRefused?: number;
  lfOfferAnswered?: number;
  idleClosedByServer: number;
  idleRefused: number;
  config429: number;
  configOk: number;
  bindingOnlyClosedByServer: number;
  unauthAnswers: number;
  stalledDatagrams: number;
  /** Allocations the IPv6 /64 flood got in each cycle (the relay's per-source quota, at most); absent in soaks run before it joined. */
  floodGranted?: number[];
  /** Allocations the flood from 4 /64s of one IPv6 /48 got in each cycle (the relay's per-network bound, at most); absent in soaks run before it joined. */
  flood48Granted?: number[];
  /** The trickling uploads from 4 /64s of one /48: flows opened, how they ended, and the legitimate phases beside them served or not; absent in soaks run before it joined. */
  trickle?: { opened: number; ended: Record<string, number>; legitServed: number; legitNotServed: number };
  /** The peer-reflexive attack (bench/lib/abuse.ts prflxChecks): sockets checked, datagrams back but the relay's answer; absent in soaks run before it joined. */
  prflx?: { targets: number; answered: number };
  /** Answers to the console spray, by HTTP status, and the user's own logins from elsewhere; absent in soaks run before it joined. */
  sprayStatus?: Record<string, number>;
  legitLogins?: { ok: number; refused: number };
  /** The busy-line abuser's grants and refusals by reason; absent in soaks run before it joined. */
  loadAbuse?: { grants: number; refusals: Record<string, number> };
  /** The HTTP connection flood (bench/lib/http-flood.ts): refused at the door, closed for sending nothing, still open at its end. */
  httpFlood?: { refused: number; closedIdle: number; heldToEnd: number; failed: number };
  errors: string[];
}

/** One RSS sample of the server, broken down from its /metrics (server/metrics/registry.ts registerProcessMemory). */
export interface SoakSample {
  tS: number;
  rssMiB: number;
  cpuS: number;
  heapTotalMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  /** RSS beyond V8 heap total and external: the native WebRTC stacks, their threads' malloc arenas, code. */
  nativeRestMiB: number;
  /** Open file descriptors (sockets, files, pipes); absent in soaks run before it was counted. */
  fds?: number;
}

/** One valid test during the soak, with why it was outside tolerance (null: within). */
export type SoakValidTest = ClientResult & { startS: number; failure: string | null };

export interface SoakRaw {
  command: string;
  machine: Record<string, string | number>;
  durationS: number;
  parallelValidSessions: number;
  testS: number;
  tolerance: string;
  rssToleranceRatio: number;
  baseline: ClientResult;
  rssAfterFirstMinuteMiB: number;
  rssAtEndMiB: number;
  rssChangeRatio: number;
  rssWithinTolerance: boolean;
  /**
   * Open file descriptors before the load (the first sample) and at the end (every client
   * gone): flat when the end holds at most FD_SLACK more; absent in soaks run before they were counted.
   */
  fds?: { atStart: number; max: number; atEnd: number; flat: boolean };
  serverCpuPct: number;
  validTests: number;
  validWithinTolerance: number;
  abuse: AbuseTally;
  samples: SoakSample[];
  valid: SoakValidTest[];
}

export type SoakSummary = Omit<SoakRaw, 'samples' | 'valid'> & {
  /** The memory table's two rows: the first sample at 60 s or later, and the last. */
  memory: { afterFirstMinute: SoakSample; atEnd: SoakSample };
  /** Medians over the valid tests (null when none measured the figure). */
  validMedian: { rttMsP50: number | null; jitterMs: number | null; lossPct: number | null };
  /** The valid tests outside tolerance, when each started and why. */
  validFailures: { startS: number; failure: string }[];
};

/** The sample after the first minute and the last one: what the RSS criterion compares. Throws when there are none. */
export function soakEnds(samples: readonly SoakSample[]): { afterFirstMinute: SoakSample; atEnd: SoakSample } {
  const afterFirstMinute = samples.find((s) => s.tS >= 60) ?? samples[0];
  const atEnd = samples.at(-1);
  if (!afterFirstMinute || !atEnd) throw new RangeError('the soak has no RSS samples');
  return { afterFirstMinute, atEnd };
}

/** Descriptors the end may hold beyond the start and still be flat: the bench's own /metrics connection and timing of closes. */
export const FD_SLACK = 5;

/** The descriptor counts of the samples that have one: start, largest, end, and whether the end is flat. */
export function fdFacts(samples: readonly SoakSample[]): SoakRaw['fds'] {
  const counted = samples.flatMap((s) => (s.fds === undefined ? [] : [s.fds]));
  const atStart = counted[0];
  const atEnd = counted.at(-1);
  if (atStart === undefined || atEnd === undefined) return undefined;
  return { atStart, max: Math.max(...counted), atEnd, flat: atEnd <= atStart + FD_SLACK };
}

export function soakSummary(raw: SoakRaw): SoakSummary {
  const { samples, valid, ...rest } = raw;
  const med = (pick: (v: SoakValidTest) => number | null): number | null => median(valid.map(pick).filter((x): x is number => x !== null));
  return {
    ...rest,
    memory: soakEnds(samples),
    validMedian: { rttMsP50: med((v) => v.rttMsP50), jitterMs: med((v) => v.jitterMs), lossPct: med((v) => v.lossPct) },
    validFailures: valid.flatMap((v) => (v.failure === null ? [] : [{ startS: v.startS, failure: v.failure }])),
  };
}
