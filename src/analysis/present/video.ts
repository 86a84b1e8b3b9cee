/**
 * The video phase in words (the page, `run`'s summary, the console): one sentence of what fits
 * through the relay, one line per direction with its figures, and where the busy line ran too,
 * whether the web path and the calls' UDP path disagree. Pure; every word from the catalogue.
 */
import { TEAMS_SCENARIO_SOURCE } from '../grade/video.js';
import type { Report } from '../schema/report-schema.js';
import type { VideoDirection, VideoResult, VideoUse } from '../schema/video-schema.js';
import { EN, type Messages } from './catalogue.js';

export interface VideoWords {
  title: string;
  sentence: string;
  /** One line a direction: what arrived, its loss, when it stopped rising, what held it. */
  lines: string[];
  /** The web path carried far more than the UDP path in a direction: something limits UDP (null: no busy line, or they agree). */
  udpLimited: string | null;
  source: string;
}

/** The web moved at least this multiple of what the UDP path carried, and the UDP path was held by the path: they disagree. */
const DISAGREE_RATIO = 2;

const VIDEO_USES_ORDER: readonly VideoUse[] = ['video-360p', 'video-720p', 'video-1080p'];

/** "audio, screen sharing and video up to 720p": the uses, the video ones as the highest. */
function usesText(uses: readonly VideoUse[], m: Messages): string {
  const plain = uses.filter((u) => u === 'audio' || u === 'screen-sharing').map((u) => m.t(`video.use.${u}`));
  const videos = VIDEO_USES_ORDER.filter((u) => uses.includes(u));
  const top = videos[videos.length - 1];
  return m.fmt.andList(top === undefined ? plain : [...plain, m.t('video.use.upTo', { resolution: top.slice('video-'.length) })]);
}

function rate(kbps: number | null, m: Messages): string {
  return kbps === null ? m.t('video.none') : m.t('video.mbps', { value: m.fmt.num(kbps / 1000) });
}

function directionLine(d: VideoDirection, direction: 'up' | 'down', m: Messages): string {
  return m.t('video.line', {
    direction: m.t(`video.direction.${direction}`),
    clean: rate(d.cleanKbps, m),
    arrived: rate(d.arrivedKbps, m),
    loss: d.lossPct === null ? m.t('video.none') : m.fmt.pct(d.lossPct),
    worst: d.worstLossPct === null ? m.t('video.none') : m.fmt.pct(d.worstLossPct),
    plateau: d.plateauMs === null ? m.t('video.none') : m.fmt.seconds(d.plateauMs),
    held: m.t(`video.held.${d.limitedBy}`),
  });
}

/** The sentence of what fits: the uses both ways, and what the phase could not tell and why. */
function videoSentence(v: VideoResult, m: Messages = EN): string {
  const room = v.room.length > 0 ? m.t('video.room', { uses: usesText(v.room, m) }) : m.t('video.room.none');
  if (v.unknown.length === 0) return room;
  const held = [v.upstream, v.downstream].some((d) => d.limitedBy === 'device') ? 'device' : 'test';
  return `${room} ${m.t(`video.unknown.${held}`, { uses: usesText(v.unknown, m) })}`;
}

/** Where the busy line ran too: a direction whose web goodput is far above what the UDP path carried while the path held it. */
function udpLimited(r: Report, v: VideoResult, m: Messages): string | null {
  const load = r.load;
  if (!load) return null;
  for (const direction of ['up', 'down'] as const) {
    const web = load[direction]?.goodputMbps ?? null;
    const d = direction === 'up' ? v.upstream : v.downstream;
    const udp = d.cleanKbps ?? d.arrivedKbps;
    if (web === null || udp === null || d.limitedBy !== 'network') continue;
    if (web * 1000 >= DISAGREE_RATIO * udp) {
      return m.t('video.udpLimited', { web: rate(web * 1000, m), udp: rate(udp, m), direction: m.t(`video.direction.${direction}`) });
    }
  }
  return null;
}

/** The video section's words, or null when the report has none. */
export function videoWords(r: Report, m: Messages = EN): VideoWords | null {
  const v = r.video;
  if (!v) return null;
  return {
    title: m.t('video.title'),
    sentence: videoSentence(v, m),
    lines: [directionLine(v.upstream, 'up', m), directionLine(v.downstream, 'down', m)],
    udpLimited: udpLimited(r, v, m),
    source: m.t('video.source', { source: TEAMS_SCENARIO_SOURCE }),
  };
}
