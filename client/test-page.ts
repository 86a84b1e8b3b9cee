/** The test page one headless test opens: its URL (the test as page parameters) and how long it may take. */
import { isIP } from 'node:net';
import { DEFAULTS } from '../src/protocol/defaults.js';
import { defaultPageParams, parseTurnPick, writePageParams, type LocateRotation, type PageParams } from '../src/protocol/page-url.js';
import type { RunCommandOptions } from './options.js';
import { testBudgetMs } from '../src/protocol/headless.js';

/** Whether a host name or address is this machine (Chromium then needs --allow-loopback-in-peer-connection). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * The page parameters of one headless test of `o`: autostarted, the fake audio device, and
 * save=0 (the page must not save: run saves once, itself).
 */
export function testPageParams(o: RunCommandOptions): PageParams {
  const relay = o.relay === undefined ? null : parseTurnPick(o.relay);
  if (relay === null && o.relay !== undefined) throw new Error(`--relay ${o.relay} is not a relay pick (parseRelayPick lets none through)`);
  return {
    ...defaultPageParams(),
    autostart: true,
    audio: 'fake-device',
    profile: o.profile === 'azure-region' ? { id: o.profile, azureRegion: o.azureRegion ?? '', from: o.from } : { id: o.profile },
    durationS: o.duration ?? DEFAULTS.testDurationS,
    turnPick: relay,
    mode: o.turn ? 'loopback' : 'auto',
    compare: o.compare ? { secondsPerRung: o.compareSeconds ?? DEFAULTS.compareSecondsPerRung } : null,
    load: o.load,
    video: o.video === true,
    devices: o.devices === true,
    network: o.network === true,
    save: false,
    site: o.site ?? null,
    ticket: o.ticket ?? null,
  };
}

/**
 * The test page's URL for one headless test of `o` against `base` (testPageParams, written by the
 * page URL's one writer); a scheduled sample adds its turn among a hub's edges (its slot, and the
 * edge the site's last sample found nearest), so that over a week every edge of a hub with more
 * than the locate measures at once is measured from the site (src/session/plan/edges.ts locateSet).
 */
export function testPageUrl(o: RunCommandOptions, base: string, locate: LocateRotation | null = null): URL {
  const url = new URL(base);
  for (const [name, value] of writePageParams({ ...testPageParams(o), locate })) url.searchParams.set(name, value);
  return url;
}

/** How long one headless test of `o` may take before it is abandoned (ms): the budget of the page's test with its parameters. */
export function testTimeoutMs(o: RunCommandOptions): number {
  return testBudgetMs(testPageParams(o));
}

export function isLoopbackUrl(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}
