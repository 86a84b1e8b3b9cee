/**
 * The headless contract: what the page publishes when a test ends, read by `callprobe run`
 * (Playwright) and by anyone driving the page (`window.__callprobeResult`, and the
 * `callprobe:result` DOM event with the same detail). Generic in the report type, which the
 * analysis unit defines.
 */
export type HeadlessResult<TReport> =
  | { ok: true; report: TReport }
  | {
      ok: false;
      reason: string;
      message: string;
      /** Whose side, when evidence decided it (./could-not-finish.ts Side: a hub's edges); absent: the reason's own. */
      side?: string;
      /** The hub's edge the test could not run on (its id); absent: the server asked. */
      edge?: string;
    };
