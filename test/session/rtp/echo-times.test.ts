/**
 * An RTP echo's arrival stamp and the receiveTime kept for its receive lag
 * (src/session/rtp/echo-times.ts), on hand-picked worker-clock times.
 */
import { describe, expect, it } from 'vitest';
import { echoTimes } from '../../../src/session/rtp/echo-times.js';

describe('echo times', () => {
  it('stamps the arrival with a plausible receiveTime and keeps it for the lag', () => {
    expect(echoTimes(995, 1000, true)).toEqual({ arrivalMs: 995, fromNow: false, receiveTimeMs: 995 });
  });

  it("keeps the receiveTime for the lag when arrivals are the worker's clock", () => {
    expect(echoTimes(995, 1000, false)).toEqual({ arrivalMs: 1000, fromNow: true, receiveTimeMs: 995 });
  });

  it('keeps a lag of seconds (a starved device) though the arrival is then the worker clock', () => {
    expect(echoTimes(1000, 8000, true)).toEqual({ arrivalMs: 8000, fromNow: true, receiveTimeMs: 1000 });
  });

  it('has no receiveTime when the browser gives none, one in the future, or one a minute old', () => {
    expect(echoTimes(undefined, 1000, true)).toEqual({ arrivalMs: 1000, fromNow: true, receiveTimeMs: null });
    expect(echoTimes(1001, 1000, true)).toEqual({ arrivalMs: 1000, fromNow: true, receiveTimeMs: null });
    expect(echoTimes(0, 60_000, true)).toEqual({ arrivalMs: 60_000, fromNow: true, receiveTimeMs: null });
  });
});
