/**
 * Chromium through our relay, for real: two relay-only peer connections in headless Chromium
 * open a data channel over TURN/UDP, TURN/TCP and TURN/TLS. Runs inside a fresh loopback-only
 * network namespace (scripts/netns-run.sh), so the browser can reach nothing but 127.0.0.1.
 * The driver is bench/relay/capture-chromium.ts, compiled here with the server build.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { runProcess } from '../../kit/process.js';
import { needCommand, needRoot, skipReason } from '../../kit/requires.js';

const usable =
  skipReason('Chromium interop', [
    needRoot(),
    needCommand('iproute2', 'ip', ['netns', 'list']),
    needCommand('chromium', '/usr/bin/chromium', ['--version']),
  ]) === null;

describe.skipIf(!usable)('Chromium interop (needs root for a network namespace, and /usr/bin/chromium)', () => {
  beforeAll(async () => {
    const build = await runProcess('npx', ['tsc', '-b', 'bench'], { timeoutMs: 60_000 });
    expect(build.code, build.output).toBe(0);
  }, 70_000);

  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    it(`opens a data channel over a relay/relay candidate pair with TURN over ${transport.toUpperCase()}`, async () => {
      const r = await runProcess('scripts/netns-run.sh', ['node', 'dist/bench/relay/capture-chromium.js', transport], { timeoutMs: 40_000 });
      expect(r.code, r.output.slice(-1000)).toBe(0);
      const json = JSON.parse(r.output.slice(r.output.indexOf('{'))) as {
        got: string;
        localType: string;
        remoteType: string;
        captured?: Record<string, string>;
      };
      expect(json.got).toBe('hello through callprobe');
      expect([json.localType, json.remoteType]).toEqual(['relay', 'relay']);
      if (transport === 'udp') {
        // Chromium used channels and permissions, not only indications.
        expect(Object.keys(json.captured ?? {})).toEqual(expect.arrayContaining(['method-9-class-0-auth', 'method-8-class-0-auth', 'channel-data']));
      }
    }, 45_000);
  }
});
