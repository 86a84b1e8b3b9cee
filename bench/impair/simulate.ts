/**
 * Run one direction on a virtual clock, no sockets: every release is "sent" exactly at its
 * release time. Used by the unit tests and to preview a scenario offline.
 */
import { DirectionPath } from './direction-path.js';
import { TimedHeap } from './heap.js';
import type { ImpairAction, ReleaseAction } from './impairer.js';
import type { Seed } from './prng.js';
import type { JitterOracle } from './recorder.js';
import type { DirectionSettings } from './scenario.js';
import type { DirectionTruth } from './truth-types.js';

export interface SimPacket {
  sizeBytes: number;
  arrivalMs: number;
}

export interface SimOptions {
  /** Stop the clock here: later releases stay unsent (pendingAtStop). Default: run to the end. */
  stopAtMs?: number;
  jitter?: JitterOracle;
  streamPrefix?: string;
}

export interface SimResult {
  /** Every action, in the order the core decided them. */
  actions: ImpairAction[];
  /** Every copy sent, in sending order. */
  sends: ReleaseAction[];
  truth: DirectionTruth;
}

/** packets must be in arrival order. */
export function simulateDirection(settings: DirectionSettings, seed: Seed, packets: readonly SimPacket[], options: SimOptions = {}): SimResult {
  const path = new DirectionPath(settings, seed, options.streamPrefix ?? 'sim/up', packets[0]?.arrivalMs ?? 0);
  const heap = new TimedHeap<ReleaseAction>();
  const actions: ImpairAction[] = [];
  const sends: ReleaseAction[] = [];

  const take = (decided: ImpairAction[]): void => {
    for (const a of decided) {
      actions.push(a);
      if (a.kind === 'release') heap.push(a.atMs, a);
    }
  };
  const runUntil = (nowMs: number): void => {
    for (;;) {
      const releaseMs = heap.peekTime();
      const timerMs = path.nextTimerMs();
      if (timerMs !== null && timerMs <= nowMs && (releaseMs === null || timerMs < releaseMs)) {
        take(path.onTimer(timerMs));
        continue;
      }
      if (releaseMs === null || releaseMs > nowMs) return;
      const next = heap.pop();
      if (next === null) return;
      path.sent(next.item, next.atMs);
      sends.push(next.item);
    }
  };

  for (const p of packets) {
    if (options.stopAtMs !== undefined && p.arrivalMs > options.stopAtMs) break;
    runUntil(p.arrivalMs);
    take(path.onDatagram(p.sizeBytes, p.arrivalMs).actions);
  }
  runUntil(options.stopAtMs ?? Infinity);
  const unsent = heap
    .drain()
    .filter((r) => r.copy === 'original')
    .map((r) => r.packetId);
  return { actions, sends, truth: path.finish(unsent, options.jitter ?? null) };
}

/** Evenly spaced packets: n of sizeBytes, every intervalMs from startMs. */
export function periodicPackets(n: number, intervalMs: number, sizeBytes: number, startMs = 0): SimPacket[] {
  return Array.from({ length: n }, (_, i) => ({ sizeBytes, arrivalMs: startMs + i * intervalMs }));
}
