import { describe, expect, it } from 'vitest';
import { siteVideoFacts, type SiteVideoFields } from '../../../src/analysis/site/video.js';
import { siteVideoSentence } from '../../../src/analysis/present/site-text.js';

const video = (up: number | null, down: number | null, upBy: SiteVideoFields['upstream']['limitedBy'] = 'network'): SiteVideoFields => ({
  upstream: { cleanKbps: up, limitedBy: upBy },
  downstream: { cleanKbps: down, limitedBy: 'test' },
});

describe("a site's video through the relay", () => {
  it('takes the 10th percentile of each way (nearest rank), leaves out what the device held, and says what fits at both', () => {
    // Up: 10 samples of 900..4500 kbit/s and one a starved device held at 200 (left out).
    const ups = [900, 1300, 1400, 2000, 2500, 3000, 3500, 4000, 4200, 4500];
    const rs = [
      ...ups.map((up, i) => ({ sample: `S${String(i).padStart(2, '0')}`, video: video(up, 4500) })),
      { sample: 'DEV', video: video(200, 4500, 'device') },
    ];
    const f = siteVideoFacts(rs);
    // Nearest rank of 10 % of 10 values is the first: 900 up; of 11 down values (all 4 500), 4 500.
    expect(f?.upstream).toEqual({ measured: 10, deviceHeld: 1, p10CleanKbps: 900, p10Sample: 'S00' });
    expect(f?.downstream).toMatchObject({ measured: 11, deviceHeld: 0, p10CleanKbps: 4500 });
    expect(f?.room).toEqual(['audio', 'screen-sharing', 'video-360p']);
    expect(f && siteVideoSentence(f)).toBe(
      'Video through the relay (not part of the verdict, 11 samples): you to the relay, 9 samples in 10 carried at least 0.9 Mbit/s nearly whole (1 sample left out: the device, not the path, held the rate); the relay to you, 9 samples in 10 carried at least 4.5 Mbit/s nearly whole. Room most of the time for audio, screen sharing and video up to 360p.',
    );
  });

  it('says nothing when no sample sent video, and counts a sample that carried nothing whole as 0', () => {
    expect(siteVideoFacts([])).toBeNull();
    const f = siteVideoFacts([{ sample: 'A', video: video(null, 4500) }]);
    expect(f?.upstream.p10CleanKbps).toBe(0);
    expect(f?.room).toEqual([]);
  });
});
