/**
 * Which data path `serve` runs (`--data-path`, ServeOptions.dataPath): what a test's packets run
 * on in the data plane, and the event-loop samplers of every process.
 *
 * - `native`: our two C addons, built by `npm run build` where a C compiler is (Linux: they use
 *   recvmmsg and SO_TIMESTAMPNS): the relay's UDP sockets with their fast path and the event-loop
 *   sampler (server/turn/transport/native/udp.c), and the RTP leg's SRTP and probe core
 *   (server/reflector/rtp/native/srtp.c, echo.c). About a third of the portable path's CPU per
 *   test (docs/benchmarks/load-cost.md).
 * - `portable`: what runs wherever Node 20 runs: Node's dgram sockets, our SRTP over node:crypto
 *   and the probe core in JavaScript, the samplers on a JavaScript timer.
 * - `auto` (the default): native when both addons load, else portable.
 *
 * `serve` chooses once, before anything starts, says so in its log, tells the data plane
 * (server/common/data-plane.ts PlaneStart) and /metrics (`callprobe_data_path`).
 */
import type { Registry } from 'prom-client';
import { ConfigError } from '../src/protocol/config-error.js';
import type { DataPath } from './common/data-plane.js';
import { nativeSrtp, NativeSrtpError } from './reflector/rtp/srtp-crypto.js';
import { loadNativeUdp, NativeUdpError } from './turn/transport/native-udp.js';
import { readGauge } from './metrics/registry.js';

/** `serve --data-path`: a path, or `auto`. */
export type DataPathChoice = DataPath | 'auto';

/** Why the native path cannot run here (the first addon that did not load, in its own words), or null when both load. */
export function nativeAddonsMissing(): string | null {
  for (const load of [loadNativeUdp, nativeSrtp]) {
    try {
      load();
    } catch (err) {
      if (err instanceof NativeUdpError || err instanceof NativeSrtpError) return err.message;
      throw err;
    }
  }
  return null;
}

const PORTABLE_WORDS = "Node's dgram sockets, SRTP and the probe core in JavaScript";
const NATIVE_WORDS = "our C addons: the relay's UDP sockets, SRTP and the probe core";

/**
 * The path `serve` runs for `asked`, and the one line its log says it in: `auto` is native when
 * both addons load (`missing` says why not), else portable. `native` asked where they do not
 * load is a usage error (ConfigError) saying why.
 */
export function chooseDataPath(asked: DataPathChoice, missing: () => string | null = nativeAddonsMissing): { path: DataPath; line: string } {
  if (asked === 'portable') return { path: 'portable', line: `data path: portable, as asked (${PORTABLE_WORDS})` };
  const why = missing();
  if (asked === 'native') {
    if (why !== null) throw new ConfigError('bad-value', `--data-path native: ${why}; or start with --data-path portable`);
    return { path: 'native', line: `data path: native, as asked (${NATIVE_WORDS})` };
  }
  if (why === null) return { path: 'native', line: `data path: native (${NATIVE_WORDS})` };
  return { path: 'portable', line: `data path: portable (${PORTABLE_WORDS}), since the native one cannot run: ${why}` };
}

/** /metrics' gauge of the path `serve` runs: 1 for it, 0 for the other. */
export function registerDataPath(registry: Registry, path: DataPath): void {
  const paths: readonly DataPath[] = ['native', 'portable'];
  readGauge(registry, {
    name: 'callprobe_data_path',
    help: `The data path this server runs (serve --data-path), 1 for it: native (${NATIVE_WORDS}) or portable (${PORTABLE_WORDS}).`,
    labelNames: ['path'],
    read: () => paths.map((p) => [{ path: p }, p === path ? 1 : 0] as const),
  });
}
