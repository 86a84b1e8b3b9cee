/** The fleet repository: every `serve` instance's heartbeats (table heartbeats) and the leases one of them holds (table leases). */

/** One `serve` instance's run as its heartbeats left it (table heartbeats). */
export interface HeartbeatRow {
  instance: string;
  startedAtMs: number;
  lastBeatMs: number;
  /** Set by a clean stop; null while it runs or when it died. */
  stoppedAtMs: number | null;
}

export interface FleetRepository {
  /** Records that an instance runs (its row inserted or its beat moved), or stopped cleanly. */
  beat(instance: string, startedAtMs: number, nowMs: number, stopped: boolean): Promise<void>;
  /** The runs still up at or after `sinceMs` (their last beat or stop at or after it), and every one that began after. */
  heartbeats(sinceMs: number): Promise<HeartbeatRow[]>;
  /** Takes or renews the lease `name` for `holder` until nowMs + ttlMs; false while another holder's lease runs. */
  tryLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean>;
}
