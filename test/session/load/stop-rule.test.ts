import { describe, expect, it } from 'vitest';
import { median, StopRule } from '../../../src/session/load/stop-rule.js';

const rule = (): StopRule => new StopRule({ intervals: 4, spreadPct: 5, delayFloorMs: 5 });

describe('the stop rule (moving averages of 4, spread within 5 %)', () => {
  it('is never stable before 7 readings, and is once goodput and delay hold still', () => {
    const r = rule();
    for (let i = 0; i < 6; i++) {
      r.add(4_800_000, 900);
      expect(r.stable()).toBe(false);
    }
    r.add(4_800_000, 900);
    expect(r.stable()).toBe(true);
  });

  it('waits while goodput still ramps (slow start), and while the queue still fills', () => {
    const ramp = rule();
    for (const g of [1e6, 2e6, 3e6, 4e6, 4.8e6, 4.8e6, 4.8e6]) ramp.add(g, 900);
    expect(ramp.stable()).toBe(false);
    const filling = rule();
    for (const d of [100, 250, 400, 550, 700, 850, 1000]) filling.add(4.8e6, d);
    expect(filling.stable()).toBe(false);
  });

  it('takes a few ms of delay spread as stable, and a reading without echoes as not', () => {
    const r = rule();
    for (const d of [10, 14, 9, 13, 10, 15, 11]) r.add(4.8e6, d);
    expect(r.stable()).toBe(true);
    r.add(4.8e6, null);
    expect(r.stable()).toBe(false);
  });

  it('medians', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
