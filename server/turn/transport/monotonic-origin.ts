/**
 * CLOCK_MONOTONIC in ms where performance.now() reads 0, for this process: the one origin every
 * addon of ours turns its clock readings with (the UDP sockets' read times and sampler, the fast
 * path's records, the probe core's send times), so a time read in C and one read in JavaScript
 * are on one clock. Both count libuv's uv_hrtime (Node's performance.now() is process.hrtime less
 * its time origin). Read once, bracketed by two performance.now() calls, the closest of five
 * tries: microseconds. Turning one C reading into an origin against a performance.now() read
 * before the call is late by any wait between the two (a preempted thread on a busy machine:
 * milliseconds), and every later C time would run that much behind JavaScript's.
 */
import { performance } from 'node:perf_hooks';

export const monotonicOriginMs = ((): number => {
  let gapMs = Infinity;
  let origin = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const monotonicMs = Number(process.hrtime.bigint() / 1000n) / 1000;
    const after = performance.now();
    if (after - before < gapMs) {
      gapMs = after - before;
      origin = monotonicMs - (before + after) / 2;
    }
  }
  return origin;
})();
