import { describe, expect, it } from 'vitest';
import { UpstreamCount, scheduleBytes } from '../../../../server/reflector/video/leg.js';

describe("the video leg's counts", () => {
  it("counts the page's video: bytes per bin from the first arrival, loss by sequence number across the wrap, one SSRC", () => {
    const c = new UpstreamCount(250, 4);
    c.add(7, 0xfffe, 1000, 100);
    c.add(7, 0xffff, 1000, 200);
    c.add(7, 2, 1200, 400); // 0 and 1 lost
    c.add(9, 3, 5000, 450); // another SSRC: not the page's video
    c.add(7, 3, 800, 1200); // past the last bin: counted, not binned
    expect(c.packets).toBe(4);
    expect(c.bytes).toBe(4000);
    expect(c.expected).toBe(6);
    expect(c.bins).toEqual([2000, 1200]);
    expect(c.ssrcSeen).toBe(7);
  });

  it("owes the schedule's bytes: each step for its length, the last held", () => {
    // 300 kbit/s for 1 s = 37 500 bytes, then 600 kbit/s for half a second = 37 500.
    expect(scheduleBytes([300, 600, 1200], 1000, 1500)).toBe(75_000);
    // All three steps, then 1 s more at the last: 37 500 + 75 000 + 150 000 + 150 000.
    expect(scheduleBytes([300, 600, 1200], 1000, 4000)).toBe(412_500);
    expect(scheduleBytes([300], 1000, -5)).toBe(0);
  });
});
