/** A binary min-heap of timed items; ties leave in insertion order (FIFO). */

interface Entry<T> {
  atMs: number;
  seq: number;
  item: T;
}

export class TimedHeap<T> {
  private readonly entries: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.entries.length;
  }

  push(atMs: number, item: T): void {
    const entries = this.entries;
    entries.push({ atMs, seq: this.seq++, item });
    let i = entries.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Time of the earliest item, or null when empty. */
  peekTime(): number | null {
    return this.entries[0]?.atMs ?? null;
  }

  /** Remove and return the earliest item. */
  pop(): { atMs: number; item: T } | null {
    const entries = this.entries;
    const top = entries[0];
    if (top === undefined) return null;
    const last = entries.pop();
    if (last !== undefined && entries.length > 0) {
      entries[0] = last;
      this.siftDown(0);
    }
    return { atMs: top.atMs, item: top.item };
  }

  /** Empty the heap, returning what was left (in no particular order). */
  drain(): T[] {
    const items = this.entries.map((e) => e.item);
    this.entries.length = 0;
    return items;
  }

  private siftDown(start: number): void {
    const n = this.entries.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.less(left, smallest)) smallest = left;
      if (right < n && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.entries[a];
    const y = this.entries[b];
    if (x === undefined || y === undefined) return false;
    return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const x = this.entries[a];
    const y = this.entries[b];
    if (x === undefined || y === undefined) return;
    this.entries[a] = y;
    this.entries[b] = x;
  }
}
