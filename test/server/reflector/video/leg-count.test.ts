import { describe, expect, it } from 'vitest';
import { UpstreamCount } from '../../../../server/reflector/video/leg.js';
import { DownSchedule } from '../../../../server/reflector/video/schedule.js';

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

  it("sends the schedule's bytes, each step for its length, never bursting to catch up, and holds the step below one the page lost", () => {
    // 1 000-byte packets from t = 0: 300 kbit/s is 37.5 bytes a ms.
    const s = new DownSchedule([300, 600, 1200], 1000, 0, 1000);
    expect(s.packetsDue(100, 0)).toBe(3); // 3 750 bytes owed
    // 1 s later the 600 step runs; a tick this late owes 37 500 + ... bytes but sends at most 8 packets' worth.
    expect(s.packetsDue(1100, 3000)).toBe(8);
    expect(s.rateKbps(1100)).toBe(600);
    expect(s.rateKbps(60_000)).toBe(1200); // the last step held
    // Loss at 1 200: the 600 step for good.
    s.hold(2500);
    expect(s.held).toBe(600);
    expect(s.rateKbps(9000)).toBe(600);
    s.hold(9000); // once
    expect(s.held).toBe(600);
    // Loss at the first step holds the first step.
    const first = new DownSchedule([300, 600], 1000, 0, 1000);
    first.hold(10);
    expect(first.held).toBe(300);
  });
});
