/**
 * When a loaded direction is saturated: the stop rule of the IETF draft "Responsiveness under
 * Working Conditions" (draft-ietf-ippm-responsiveness, §4.4), on goodput and on probe delay at
 * once. Every interval gives one goodput and one probe delay (the median round trip of the
 * echoes that came back in it); each series keeps the moving average of its last `intervals`
 * values, and is stable when the last `intervals` moving averages have a standard deviation
 * within `spreadPct` of their mean (the draft's MAD = 4, SDT = 5 %). Probe delay also counts as
 * stable within `delayFloorMs`: a few milliseconds of spread is no trend. Pure: fed readings.
 */
export interface StopRuleSettings {
  intervals: number;
  spreadPct: number;
  delayFloorMs: number;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function stdev(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}

/** Whether the last `n` moving averages (each over `n` values) of `series` are within the spread. */
function settled(series: ReadonlyArray<number | null>, n: number, spreadPct: number, floor: number): boolean {
  if (series.length < 2 * n - 1) return false;
  const averages: number[] = [];
  for (let end = series.length - n + 1; end <= series.length; end++) {
    const window = series.slice(end - n, end);
    if (window.some((v) => v === null)) return false;
    averages.push(mean(window as number[]));
  }
  const m = mean(averages);
  return stdev(averages) <= Math.max((spreadPct / 100) * Math.abs(m), floor);
}

export class StopRule {
  private readonly goodput: number[] = [];
  private readonly delay: Array<number | null> = [];

  constructor(private readonly s: StopRuleSettings) {}

  /** One interval: the bits per second moved in it, and its probe delay (null when no echo came back in it). */
  add(goodputBitsPerS: number, delayMs: number | null): void {
    this.goodput.push(goodputBitsPerS);
    this.delay.push(delayMs);
  }

  /** Goodput and probe delay both stable (never before 2 x intervals - 1 readings). */
  stable(): boolean {
    const g = settled(this.goodput, this.s.intervals, this.s.spreadPct, 0);
    return g && (this.goodput.at(-1) ?? 0) > 0 && settled(this.delay, this.s.intervals, this.s.spreadPct, this.s.delayFloorMs);
  }
}

/** Median of a set of values (the mean of the middle two for an even count), or null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
