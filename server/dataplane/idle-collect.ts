/**
 * A full garbage collection once the plane has had no session open for a moment, after a busy
 * period in which a data-channel leg opened.
 *
 * Why: @roamhq/wrtc's peer-connection factory (its signalling and network threads, and a fake
 * audio device that wakes every 10 ms, 2.5-2.9 ms of CPU a second) is made when a test's
 * data-channel leg opens with no other connection open, and let go when it closes; but its
 * threads run until its JavaScript object is collected. A busy plane collects its old objects
 * rarely, so the factories of tests already over went on waking beside the next tests (two of
 * them cost 5.8 ms a second beside a live test's 63). With no session open, nothing is being
 * measured, so a collection's pause (two passes of 15-20 ms here) spoils nothing; the next test
 * starts with one factory, its own. The plane waits CONSTANTS.dataPlane.idleCollectMs (10 s) for
 * that: a full collection also throws away the code V8 optimized for the tests (optimized code
 * that held an object of a closed session is deoptimized), so a test that came a second after
 * the last paid a new factory and its hot functions optimized again.
 *
 * Only after a data-channel leg: a test graded on RTP makes no wrtc factory, so it leaves nothing
 * a collection must end, and V8 collects the rest as it goes. Collecting after every test threw
 * away the optimized code each time, and the next test paid for it again, in the plane's helper
 * threads (compilation and marking; docs/benchmarks/load-cost.md).
 */
export class IdleCollector {
  private timer: NodeJS.Timeout | null = null;
  private collections = 0;

  /**
   * `activity()` counts what the plane carries besides its sessions (the relay's datagrams: a
   * test in loopback mode through our relay has no session here); while it moves, the collection
   * waits another `delayMs`, so its pause never holds a packet in flight.
   */
  /** Given back once the plane is idle, before the collection (`hold`'s release). */
  private release: (() => void) | null = null;
  /** A data-channel leg opened since the last collection: the next idle moment collects. */
  private owed = false;

  /**
   * `hold()`, when given, is taken when a session opens a data-channel leg and nothing is held
   * (`holdNow`: the wrtc factory, ../reflector/wrtc-factory.ts; a test graded on RTP makes none)
   * and given back when the plane is idle, just before it collects.
   */
  constructor(
    private readonly collect: () => void,
    private readonly delayMs: number,
    private readonly activity: () => number = () => 0,
    private readonly hold: (() => () => void) | null = null,
  ) {}

  /** Collections run so far. */
  get runs(): number {
    return this.collections;
  }

  /**
   * The plane has `open` sessions now: none for `delayMs`, and no activity over it, collects once
   * when a data-channel leg opened since the last collection; one opening meanwhile cancels it.
   */
  sessionsNow(open: number): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (open > 0 || !this.owed) return;
    this.wait(this.activity());
  }

  /** A session opened a data-channel leg: what `hold` holds is held from now until the plane is idle, and then collected. */
  holdNow(): void {
    this.owed = true;
    if (this.release === null && this.hold !== null) this.release = this.hold();
  }

  private wait(mark: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = this.activity();
      if (now !== mark) {
        this.wait(now);
        return;
      }
      this.collections++;
      this.owed = false;
      this.release?.();
      this.release = null;
      this.collect();
    }, this.delayMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.release?.();
    this.release = null;
  }
}
