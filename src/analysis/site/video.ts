/**
 * A site's video through the relay: over the pooled samples that sent video (`run --video`, the
 * report's `video` section), the 10th percentile of each direction's rate carried nearly whole
 * (nearest rank): what 9 samples in 10 carried at least, so what fits at that rate is what the
 * site has room for most of the time. A sample whose device held the rate (its encoder short of
 * CPU) says nothing of the path: it is counted apart, never pooled. Beside the targets, never in
 * the verdict.
 */
import { VIDEO_USES } from '../grade/video.js';
import { nearestRankIndex } from '../measure/percentile.js';
import type { VideoLimit, VideoUse } from '../schema/video-schema.js';

/** What a site report reads of a report's `video` section (a full one is one). */
export interface SiteVideoFields {
  upstream: { cleanKbps: number | null; limitedBy: VideoLimit };
  downstream: { cleanKbps: number | null; limitedBy: VideoLimit };
}

/** Only the fields a site report reads. */
export function siteVideoFields(v: SiteVideoFields): SiteVideoFields {
  return {
    upstream: { cleanKbps: v.upstream.cleanKbps, limitedBy: v.upstream.limitedBy },
    downstream: { cleanKbps: v.downstream.cleanKbps, limitedBy: v.downstream.limitedBy },
  };
}

export interface SiteVideoDirection {
  /** Samples whose rate in this direction was the path's (or a floor of it: the test's own cap). */
  measured: number;
  /** Samples whose device held the rate: left out. */
  deviceHeld: number;
  /** The 10th percentile of the rate carried nearly whole, kbit/s (null: none measured). */
  p10CleanKbps: number | null;
  /** The sample at it. */
  p10Sample: string | null;
}

export interface SiteVideoFacts {
  /** Pooled samples with a video section. */
  samples: number;
  upstream: SiteVideoDirection;
  downstream: SiteVideoDirection;
  /** What fits both ways at the two P10s (Microsoft's per-scenario bitrates, ../grade/video.ts). */
  room: VideoUse[];
}

function directionFacts(rs: ReadonlyArray<{ sample: string; video: SiteVideoFields }>, direction: 'upstream' | 'downstream'): SiteVideoDirection {
  const kept = rs.filter((r) => r.video[direction].limitedBy !== 'device');
  const values = kept
    .map((r) => ({ sample: r.sample, kbps: r.video[direction].cleanKbps ?? 0 }))
    .sort((a, b) => a.kbps - b.kbps || a.sample.localeCompare(b.sample));
  const at = values.length === 0 ? null : (values[nearestRankIndex(values.length, 10)] ?? null);
  return { measured: values.length, deviceHeld: rs.length - kept.length, p10CleanKbps: at?.kbps ?? null, p10Sample: at?.sample ?? null };
}

/** The pooled samples' video, or null when none sent video. */
export function siteVideoFacts(rs: ReadonlyArray<{ sample: string; video: SiteVideoFields }>): SiteVideoFacts | null {
  if (rs.length === 0) return null;
  const upstream = directionFacts(rs, 'upstream');
  const downstream = directionFacts(rs, 'downstream');
  const up = upstream.p10CleanKbps;
  const down = downstream.p10CleanKbps;
  const room = up === null || down === null ? [] : VIDEO_USES.filter((u) => up >= u.kbps && down >= u.kbps).map((u) => u.use);
  return { samples: rs.length, upstream, downstream, room };
}
