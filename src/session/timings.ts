import type { SetupTimings } from '../analysis/schema/report-schema.js';

/** The moments of a session, each marked once, in ms from the start of the test (click or autostart). */
export type SessionMark = keyof SetupTimings | 'lastProbe' | 'verdict';

/** Marks each moment the first time it is reached, on the session's clock. */
export class SessionTimeline {
  private readonly at = new Map<SessionMark, number>();

  constructor(
    private readonly now: () => number,
    private readonly t0: number = now(),
  ) {}

  mark(step: SessionMark): void {
    if (!this.at.has(step)) this.at.set(step, this.now() - this.t0);
  }

  get(step: SessionMark): number | null {
    return this.at.get(step) ?? null;
  }

  /** The start of the test on the session's clock. */
  get startMs(): number {
    return this.t0;
  }

  /** ms since the start of the test. */
  elapsed(): number {
    return this.now() - this.t0;
  }

  setup(): SetupTimings {
    return {
      config: this.get('config'),
      allocation: this.get('allocation'),
      iceConnected: this.get('iceConnected'),
      dtls: this.get('dtls'),
      channelOpen: this.get('channelOpen'),
      firstEcho: this.get('firstEcho'),
    };
  }
}
