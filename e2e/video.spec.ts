import { expect, test } from '@playwright/test';
import { openVideoTestbed, type VideoTestbed } from '../bench/video/testbed.js';
import { needCommand, needRoot, skipReason } from '../test/kit/requires.js';
import { videoWords } from '../src/analysis/present/video.js';
import type { Report } from '../src/analysis/schema/report-schema.js';

/**
 * Video through the relay on real queues: namespaces the test makes, `callprobe serve` on one
 * side, `callprobe run --video` (headless Chromium) on the other, and between them the router's
 * tc-tbf (a line's rate) or an nftables policer on UDP (a firewall). The rates are the path's,
 * so this runs in the measurement project, alone on the machine. One testbed for the three:
 * each test puts its own queue and policer first.
 */
test.describe('video through the relay, on real queues', { tag: '@measure' }, () => {
  const why = skipReason('video through real queues', [needRoot(), needCommand('iproute2', 'tc', ['-V']), needCommand('nftables', 'nft', ['--version'])]);
  test.skip(why !== null, `needs root, tc and nft: ${why ?? ''}`);
  test.describe.configure({ mode: 'serial', timeout: 90_000 });
  let bed: VideoTestbed | null = null;
  test.beforeAll(async () => {
    bed = await openVideoTestbed('video', 18511);
  });
  test.afterAll(async () => {
    await bed?.close();
  });
  const testbed = (): VideoTestbed => {
    if (bed === null) throw new Error('the video testbed did not open');
    return bed;
  };

  test('a clean path: room for 1080p-class video both ways', async () => {
    const r = await testbed().run({ spec: { up: null, down: null }, durationS: 1 });
    const v = r.report.video;
    expect(v?.room, JSON.stringify(v)).toContain('video-1080p');
    expect(v?.upstream.cleanKbps ?? 0, JSON.stringify(v)).toBeGreaterThan(1500);
    expect(v?.downstream.cleanKbps ?? 0, JSON.stringify(v)).toBeGreaterThan(1500);
  });

  test('a 1 Mbit/s uplink: under 1.1 Mbit/s arrived, no room for HD video, and the voice verdict is not failed by it', async () => {
    const r = await testbed().run({ spec: { up: { rateKbit: 1000, limitBytes: 30_000 }, down: null }, durationS: 1 });
    const v = r.report.video;
    const facts = JSON.stringify({ video: v, queue: r.queue.up });
    expect(v?.upstream.arrivedKbps ?? Number.NaN, facts).toBeLessThan(1100);
    expect(v?.upstream.limitedBy, facts).toBe('network');
    expect(v?.room, facts).not.toContain('video-720p');
    expect(v?.room, facts).not.toContain('video-1080p');
    // The phase runs after the probes: the voice answer is theirs alone (160 kbit/s of probes fit a 1 Mbit/s line).
    expect(r.report.summary.verdict, JSON.stringify(r.report.summary)).not.toBe('fail');
  });

  test('UDP policed at 1 Mbit/s, TCP free: beside the busy line the report says something limits UDP', async () => {
    const r = await testbed().run({ spec: { up: null, down: null }, durationS: 1, policeUdpUpKbit: 1000, load: true });
    const v = r.report.video;
    const facts = JSON.stringify({ video: v, load: r.report.load?.up?.goodputMbps });
    // A policer lets a burst through first (nearly 3 Mbit/s for half a second once): what arrived whole is the rate it holds.
    expect(v?.upstream.cleanKbps ?? Number.NaN, facts).toBeLessThan(1100);
    expect(v?.room, facts).not.toContain('video-720p');
    expect(r.report.load?.up?.goodputMbps ?? 0, facts).toBeGreaterThan(5);
    expect(udpLimitedText(r.report), facts).toMatch(
      /^You to the relay: the web moved [\d.]+ Mbit\/s but calls' UDP path only [\d.]+ Mbit\/s: something limits UDP\.$/,
    );
  });
});

/** The sentence the page and `run` say when the web and the UDP path disagree. */
function udpLimitedText(r: Report): string | null {
  return videoWords(r)?.udpLimited ?? null;
}
