/**
 * The headless contract: what the page publishes when a test ends, read by `callprobe run`
 * (Playwright) and by anyone driving the page (`window.__callprobeResult`, and the
 * `callprobe:result` DOM event with the same detail). Generic in the report type, which the
 * analysis unit defines; and how long a driver waits for it (testBudgetMs).
 */
import { CONSTANTS, DEFAULTS } from './defaults.js';
import type { PageParams } from './page-url.js';

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

/**
 * How long one test the page is given by `p` may take before a driver abandons it (ms): the
 * stream and a minute to set up and grade; the RTP leg's waits for the reflector's word, and its
 * second opening (src/session/connect.ts); the busy-line phase (at most phaseMaxMs, then its
 * queues drain before the last echoes come back); the device check (5 s of microphone, a 1 s tone,
 * 2 s of camera, and their permissions); the network context (one 3 s gathering, and each address
 * family measured within its budget); the region leg a hub may run on the edge of an Azure row's
 * region; compare mode's short stream per rung (at most 6 standard rungs, plus connecting); and
 * the video phase (its connection at most connectTimeoutMs, its seconds, the reflector's tally).
 */
export function testBudgetMs(p: Pick<PageParams, 'durationS' | 'load' | 'devices' | 'network' | 'profile' | 'compare' | 'video'>): number {
  const rtpRetryS = ((CONSTANTS.rtp.legAttempts - 1) * CONSTANTS.rtp.connectGraceMs + CONSTANTS.rtp.legAttempts * CONSTANTS.rtp.liveWaitMs) / 1000;
  const busyS = p.load ? DEFAULTS.load.phaseMaxMs / 1000 + 10 : 0;
  const devicesS = (p.devices ? 20 : 0) + (p.network ? 5 + DEFAULTS.families.budgetMs / 1000 : 0);
  const regionLegS = p.profile.id === 'azure-region' ? p.durationS + 30 : 0;
  const compareS = p.compare ? 6 * (p.compare.secondsPerRung + 10) : 0;
  const videoS = p.video ? (DEFAULTS.connectTimeoutMs + CONSTANTS.video.tallyWaitMs) / 1000 + CONSTANTS.video.seconds : 0;
  return (p.durationS + 60 + rtpRetryS + busyS + devicesS + regionLegS + compareS + videoS) * 1000;
}
