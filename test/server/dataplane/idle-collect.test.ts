/** The plane's idle collection (server/dataplane/idle-collect.ts): once, `delayMs` after the last session closed, after a data-channel leg only, and never while a session is open. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleCollector } from '../../../server/dataplane/idle-collect.js';

describe('IdleCollector', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects once when no session has been open for the delay', () => {
    const collect = vi.fn();
    const c = new IdleCollector(collect, 1_000);
    c.sessionsNow(2);
    c.holdNow();
    c.sessionsNow(1);
    vi.advanceTimersByTime(5_000);
    expect(collect).not.toHaveBeenCalled();
    c.sessionsNow(0);
    vi.advanceTimersByTime(999);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(c.runs).toBe(1);
  });

  it('a session opening within the delay cancels it; stop cancels it too', () => {
    const collect = vi.fn();
    const c = new IdleCollector(collect, 1_000);
    c.holdNow();
    c.sessionsNow(0);
    vi.advanceTimersByTime(500);
    c.sessionsNow(1);
    vi.advanceTimersByTime(5_000);
    expect(collect).not.toHaveBeenCalled();
    c.sessionsNow(0);
    c.stop();
    vi.advanceTimersByTime(5_000);
    expect(collect).not.toHaveBeenCalled();
  });

  it('waits while the relay carries datagrams (a test with no session here), and collects once they stop', () => {
    const collect = vi.fn();
    let relayed = 0;
    const c = new IdleCollector(collect, 1_000, () => relayed);
    c.holdNow();
    c.sessionsNow(0);
    relayed += 100; // traffic during the first second
    vi.advanceTimersByTime(1_000);
    expect(collect).not.toHaveBeenCalled();
    relayed += 5; // and the next
    vi.advanceTimersByTime(1_000);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000); // a quiet second
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('collects nothing after busy periods with no data-channel leg (tests graded on RTP): the code V8 optimized for them stays', () => {
    const collect = vi.fn();
    const c = new IdleCollector(
      collect,
      1_000,
      () => 0,
      () => () => undefined,
    );
    for (let i = 0; i < 3; i++) {
      c.sessionsNow(1);
      c.sessionsNow(0);
      vi.advanceTimersByTime(5_000);
    }
    expect(collect).not.toHaveBeenCalled();
    c.sessionsNow(1);
    c.holdNow(); // a fallback's data-channel leg: the next idle moment collects, once
    c.sessionsNow(0);
    vi.advanceTimersByTime(1_000);
    c.sessionsNow(1);
    c.sessionsNow(0);
    vi.advanceTimersByTime(5_000);
    expect(collect).toHaveBeenCalledTimes(1);
    expect(c.runs).toBe(1);
  });

  it('holds once a data-channel leg opens, while sessions come and go, and gives the hold back just before it collects', () => {
    const order: string[] = [];
    let holds = 0;
    const c = new IdleCollector(
      () => order.push('collect'),
      1_000,
      () => 0,
      () => {
        holds++;
        order.push('hold');
        return () => order.push('release');
      },
    );
    c.sessionsNow(1); // a test graded on RTP: no data-channel leg, nothing held
    expect(holds).toBe(0);
    c.holdNow(); // its fallback opens one
    c.sessionsNow(0);
    vi.advanceTimersByTime(500);
    c.sessionsNow(1); // back to back: the same hold
    c.holdNow();
    c.sessionsNow(2);
    c.holdNow();
    c.sessionsNow(0);
    expect(holds).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(order).toEqual(['hold', 'release', 'collect']);
    c.sessionsNow(1);
    c.holdNow(); // a new busy period holds again; stop gives it back
    c.stop();
    expect(order).toEqual(['hold', 'release', 'collect', 'hold', 'release']);
  });
});
