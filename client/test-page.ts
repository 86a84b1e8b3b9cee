/** The test page one headless test opens: its URL (the test as page parameters) and how long it may take. */
import { isIP } from 'node:net';
import { DEFAULTS } from '../src/protocol/defaults.js';
import type { RunCommandOptions } from './options.js';

/** Whether a host name or address is this machine (Chromium then needs --allow-loopback-in-peer-connection). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** The test page's URL for one headless test of `o` against `base` (the page runs with save=0: run saves). */
export function testPageUrl(o: RunCommandOptions, base: string): URL {
  const url = new URL(base);
  const q = url.searchParams;
  q.set('autostart', '1');
  q.set('audio', 'fake-device');
  if (o.duration !== undefined) q.set('duration', String(o.duration));
  if (o.profile !== 'client-to-edge') q.set('profile', o.profile);
  if (o.azureRegion) q.set('azureRegion', o.azureRegion);
  if (o.profile === 'azure-region') q.set('from', o.from);
  if (o.relay) q.set('turn', o.relay);
  if (o.turn) q.set('mode', 'loopback');
  if (o.compare) q.set('compare', '1');
  if (o.compareSeconds !== undefined) q.set('compareSeconds', String(o.compareSeconds));
  if (o.load) q.set('load', '1');
  // The page must not save: run saves once, itself.
  q.set('save', '0');
  if (o.site !== undefined) q.set('site', o.site);
  if (o.ticket !== undefined) q.set('ticket', o.ticket);
  return url;
}

/** How long one headless test of `o` may take before it is abandoned (ms). */
export function testTimeoutMs(o: RunCommandOptions): number {
  const durationS = o.duration ?? DEFAULTS.testDurationS;
  // Compare mode adds one short stream per rung (at most 6 standard rungs, plus connecting).
  // The busy-line phase adds at most phaseMaxMs, and its queues drain before the last echoes come back.
  const busyS = o.load ? DEFAULTS.load.phaseMaxMs / 1000 + 10 : 0;
  return (durationS + 60 + busyS + (o.compare ? 6 * ((o.compareSeconds ?? DEFAULTS.compareSecondsPerRung) + 10) : 0)) * 1000;
}

export function isLoopbackUrl(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}
