/**
 * What a browser must have to run the test at all, checked before anything is tried. A browser
 * that lacks one of these gets a could-not-test with the reason `browser-unsupported` and a
 * sentence naming what it lacks, never an internal error. What only narrows the test has a
 * fallback elsewhere and is not listed here (RTCRtpScriptTransform: the data channel carries
 * the probes; AudioContext: no audio track; cross-origin isolation: timer pacing and a coarser
 * clock). docs/browsers.md lists every API the page uses, with each browser's support.
 */

/** One API the test cannot run without: the name a person can look up, and what the test needs it for. */
interface RequiredApi {
  name: string;
  purpose: string;
  present(g: Record<string, unknown>): boolean;
}

const isFunction = (v: unknown): boolean => typeof v === 'function';

const REQUIRED: readonly RequiredApi[] = [
  { name: 'RTCPeerConnection', purpose: 'WebRTC, which carries the probes', present: (g) => isFunction(g['RTCPeerConnection']) },
  {
    name: 'RTCDataChannel',
    purpose: 'WebRTC data channels, which carry the probes where the audio stream cannot',
    present: (g) =>
      isFunction(g['RTCPeerConnection']) &&
      isFunction((g['RTCPeerConnection'] as { prototype?: { createDataChannel?: unknown } }).prototype?.createDataChannel),
  },
  { name: 'WebSocket', purpose: "the connection to the test server's reflector", present: (g) => isFunction(g['WebSocket']) },
  { name: 'Worker', purpose: 'the background thread that paces the probes', present: (g) => isFunction(g['Worker']) },
  {
    name: 'performance.now',
    purpose: 'the clock every probe is timed with',
    present: (g) => isFunction((g['performance'] as { now?: unknown } | undefined)?.now),
  },
  {
    name: 'crypto.getRandomValues',
    purpose: 'the random identity of each result',
    present: (g) => isFunction((g['crypto'] as { getRandomValues?: unknown } | undefined)?.getRandomValues),
  },
];

/** The required APIs `g` (the page's globalThis) lacks, by name; empty when the test can run. */
export function missingApis(g: Record<string, unknown>): string[] {
  return REQUIRED.filter((api) => !api.present(g)).map((api) => api.name);
}

/** What the page says to a browser that lacks `missing` (names from missingApis). */
export function unsupportedMessage(missing: readonly string[]): string {
  const named = missing.map((name) => {
    const api = REQUIRED.find((a) => a.name === name);
    return api ? `${name} (${api.purpose})` : name;
  });
  return `This browser cannot run the test: it lacks ${named.join(', ')}. Use a current version of Chrome, Edge, Firefox or Safari.`;
}
