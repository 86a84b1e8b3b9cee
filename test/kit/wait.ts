/**
 * Waiting on a state, never on the clock: a test waits until something it can observe holds
 * (a counter, a message, an event), bounded by a deadline that fails with what was awaited.
 * A fixed sleep either wastes time or races; a quiet period ("nothing happened for 300 ms")
 * asserts nothing. Use these instead.
 */
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as pause } from 'node:timers/promises';
import { TestKitError } from './errors.js';

export interface WaitOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** What is awaited, for the failure message ("the echo of probe 7"). */
  what: string;
  /** How often a polled state is read again (ms, default 5). Not a wait for an outcome. */
  pollMs?: number;
  /** The observed state, appended to the failure message ("got 3 of 5 echoes"). */
  state?: () => string;
}

/** A value that counts as "there": anything but undefined, null and false. */
export type Present<T> = Exclude<T, undefined | null | false>;

function timeoutError(opts: WaitOptions): TestKitError {
  const state = opts.state ? ` (state: ${opts.state()})` : '';
  return new TestKitError('timeout', `timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${state}`);
}

/**
 * Polls `probe` until it returns a value other than undefined, null or false, and resolves
 * with that value; rejects with a TestKitError('timeout') after `timeoutMs`. An error thrown
 * by the probe fails the wait at once.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, opts: WaitOptions): Promise<Present<T>> {
  const deadline = performance.now() + opts.timeoutMs;
  const pollMs = opts.pollMs ?? 5;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as Present<T>;
    const left = deadline - performance.now();
    if (left <= 0) throw timeoutError(opts);
    await pause(Math.min(pollMs, left));
  }
}

/** Settles like `promise`, or rejects with a TestKitError('timeout') after `timeoutMs`. */
export async function withDeadline<T>(promise: Promise<T>, opts: Omit<WaitOptions, 'pollMs'>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(opts)), opts.timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The arguments of the next `event` from `emitter` that `accept` takes (all by default);
 * rejects after `timeoutMs`, or at once when the emitter emits 'error' first.
 */
export function nextEvent<A extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string,
  opts: Omit<WaitOptions, 'pollMs'> & { accept?: (...args: A) => boolean },
): Promise<A> {
  return new Promise<A>((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      if (opts.accept && !opts.accept(...(args as A))) return;
      cleanup();
      resolve(args as A);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(timeoutError(opts));
    }, opts.timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      if (event !== 'error') emitter.off('error', onError);
    };
    emitter.on(event, onEvent);
    if (event !== 'error') emitter.on('error', onError);
  });
}

/**
 * Items pushed by a callback, awaited by count: `const got = collector<Buffer>(); socket.on('message', got.push);
 * await got.atLeast(3, { timeoutMs: 2000, what: 'three replies' })`.
 */
export interface Collector<T> {
  readonly items: readonly T[];
  push(item: T): void;
  /** Resolves with the items once there are at least `n` of them. */
  atLeast(n: number, opts: Omit<WaitOptions, 'state'>): Promise<T[]>;
}

export function collector<T>(): Collector<T> {
  const items: T[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    items,
    push: (item: T): void => {
      items.push(item);
      for (const w of [...waiters]) {
        if (items.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    atLeast: async (n, opts) => {
      if (items.length < n) {
        const reached = new Promise<void>((resolve) => waiters.push({ n, resolve }));
        await withDeadline(reached, { ...opts, state: () => `got ${items.length} of ${n}` });
      }
      return [...items];
    },
  };
}
