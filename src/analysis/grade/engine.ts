/**
 * Which browser engine ran a test, from its user agent (the report's `meta.browser`): what a
 * browser refuses or cannot report differs by engine, and the page says so per engine.
 * Chromium covers Chrome, Edge and the other Blink browsers; every browser on iOS is WebKit
 * (Chrome "CriOS", Firefox "FxiOS"), as is Safari on macOS and WebKitGTK.
 */
export type BrowserEngine = 'chromium' | 'firefox' | 'webkit' | 'other';

export function browserEngine(userAgent: string): BrowserEngine {
  if (/\b(?:Chrome|Chromium|HeadlessChrome)\/\d/.test(userAgent)) return 'chromium';
  if (/\bFirefox\/\d/.test(userAgent) && !/\bAppleWebKit\//.test(userAgent)) return 'firefox';
  if (/\bAppleWebKit\//.test(userAgent)) return 'webkit';
  return 'other';
}

/**
 * What an engine does with a TURN relay on a loopback address (127.0.0.0/8, ::1), as seen here:
 * Chromium gathers no candidate there unless started with --allow-loopback-in-peer-connection;
 * Firefox ESR refused it even with its loopback preference set ("ICE failed, your TURN server
 * appears to be broken"); WebKit was not tried (Debian's WebKitGTK has no WebRTC).
 */
export type LoopbackRelayPolicy = 'refused-unless-flag' | 'refused' | 'unknown';

export function loopbackRelayPolicy(engine: BrowserEngine): LoopbackRelayPolicy {
  return engine === 'chromium' ? 'refused-unless-flag' : engine === 'firefox' ? 'refused' : 'unknown';
}
