/** What both engines' retention purge shares: the cut-offs and the fleet's rows past retention. */
import type { Placeholder } from './common.js';
import { DAY_MS, type StoreOptions } from './types.js';

export function cutoffs(opts: StoreOptions, nowMs: number): { addressesBefore: number; resultsBefore: number } {
  return { addressesBefore: nowMs - opts.retainIpDays * DAY_MS, resultsBefore: nowMs - opts.retainDays * DAY_MS };
}

/** Rows of the fleet's tables past retention (run by the retention purge): finished posts and old heartbeats. Value: the cut-off. */
export const purgeFleetSql = (p: Placeholder): string[] => [
  `DELETE FROM alert_posts WHERE state <> 'pending' AND done_at < ${p(1)}`,
  `DELETE FROM heartbeats WHERE beat_at < ${p(1)}`,
];
