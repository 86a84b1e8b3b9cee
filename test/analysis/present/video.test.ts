import { describe, expect, it } from 'vitest';
import { videoWords } from '../../../src/analysis/present/video.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import type { VideoResult } from '../../../src/analysis/schema/video-schema.js';
import type { LoadReport } from '../../../src/analysis/schema/load-schema.js';

const way = {
  arrivedKbps: 1503.6,
  cleanKbps: 958.4,
  lossPct: 5.3,
  worstLossPct: 31.2,
  sentKbps: 2407.6,
  packets: 683,
  plateauMs: 2000,
  limitedBy: 'network' as const,
};
const policed: VideoResult = {
  seconds: 6,
  upstream: way,
  downstream: { ...way, arrivedKbps: 4500, cleanKbps: 4500, lossPct: 0, limitedBy: 'test' },
  room: ['audio', 'screen-sharing', 'video-360p'],
  unknown: [],
};
const report = (video: VideoResult, upGoodputMbps: number | null = null): Report =>
  ({ video, ...(upGoodputMbps === null ? {} : { load: { up: { goodputMbps: upGoodputMbps }, down: null } as unknown as LoadReport }) }) as Report;

describe('the video phase in words', () => {
  it('says what fits, each way with its figures, and where the web and the UDP path disagree', () => {
    const w = videoWords(report(policed, 705.7));
    expect(w?.sentence).toBe('Room through the relay for audio, screen sharing and video up to 360p.');
    expect(w?.lines[0]).toBe(
      'You to the relay: 0.96 Mbit/s carried nearly whole (1.5 Mbit/s at most got through, 5.3% lost in all, 31.2% in the worst stretch), rising until 2 s; the network held it there.',
    );
    expect(w?.udpLimited).toBe("You to the relay: the web moved 706 Mbit/s but calls' UDP path only 0.96 Mbit/s: something limits UDP.");
    // No busy line, or a web path no faster: nothing to set against it.
    expect(videoWords(report(policed))?.udpLimited).toBeNull();
    expect(videoWords(report(policed, 1.5))?.udpLimited).toBeNull();
  });

  it('says what it could not tell, and whose that was, never as no room', () => {
    const cpu: VideoResult = { ...policed, upstream: { ...way, cleanKbps: 800, lossPct: 0, limitedBy: 'device' }, unknown: ['video-720p', 'video-1080p'] };
    expect(videoWords(report(cpu))?.sentence).toBe(
      'Room through the relay for audio, screen sharing and video up to 360p. Not measured far enough for video up to 1080p: this device could not encode faster (short of CPU), which is the device, not the network.',
    );
    expect(videoWords(report({ ...policed, room: [] }))?.sentence).toBe("Too little got through the relay for any of a call's uses.");
    expect(videoWords({} as Report)).toBeNull();
  });

  it('words it in another language from the same figures', async () => {
    const de = videoWords(report(policed, 705.7), await loadMessages('de'));
    expect(de?.sentence).toBe('Platz über das Relay für Audio, Bildschirmfreigabe und Video bis 360p.');
    expect(de?.udpLimited).toContain('0,96\u00a0Mbit/s');
  });
});
