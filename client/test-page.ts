/** The test page one headless test opens: its URL (the test as page parameters) and how long it may take. */
import { isIP } from 'node:net';
import { CONSTANTS, DEFAULTS } from '../src/protocol/defaults.js';
import { defaultPageParams, parseTurnPick, writePageParams, type LocateRotation, type PageParams } from '../src/protocol/page-url.js';
import type { RunCommandOptions } from './options.js';

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

/** How long one headless test of `o` may take before it is abandoned (ms). */
export function testTimeoutMs(o: RunCommandOptions): number {
  const durationS = o.duration ?? DEFAULTS.testDurationS;
  // Compare mode adds one short stream per rung (at most 6 standard rungs, plus connecting).
  // The busy-line phase adds at most phaseMaxMs, and its queues drain before the last echoes come back.
  const busyS = o.load ? DEFAULTS.load.phaseMaxMs / 1000 + 10 : 0;
  // The device check: 5 s of microphone, a 1 s tone, 2 s of camera, and their permissions. The
  // network context: one 3 s gathering, and each address family measured within its budget.
  const devicesS = (o.devices === true ? 20 : 0) + (o.network === true ? 5 + DEFAULTS.families.budgetMs / 1000 : 0);
  // Graded against an Azure row, a hub may run a second test on the edge in that row's region (the region leg).
  const regionLegS = o.profile === 'azure-region' ? durationS + 30 : 0;
  // The RTP leg waits for the reflector's word that it carries the audio, and is opened once more when it carries none (src/session/connect.ts).
  const rtpRetryS = ((CONSTANTS.rtp.legAttempts - 1) * CONSTANTS.rtp.connectGraceMs + CONSTANTS.rtp.legAttempts * CONSTANTS.rtp.liveWaitMs) / 1000;
  return (
    (durationS + 60 + rtpRetryS + busyS + devicesS + regionLegS + (o.compare ? 6 * ((o.compareSeconds ?? DEFAULTS.compareSecondsPerRung) + 10) : 0)) * 1000
  );
}

export function isLoopbackUrl(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}
