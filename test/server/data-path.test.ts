/**
 * `serve --data-path` (server/data-path.ts): `auto` runs the native path when both addons load and
 * the portable one otherwise, saying why; `native` asked where they do not load is a usage error;
 * /metrics names the path. The addons' loading is injected: nothing here is removed from dist/.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseDataPath, dataPathMetrics, nativeAddonsMissing } from '../../server/data-path.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { needBuilt, skipReason } from '../kit/requires.js';
import { repoRoot } from '../kit/paths.js';

const NOT_BUILT = "the relay's UDP socket addon is not built (/x/dist/native/callprobe-udp.node): run npm run build with a C compiler (Debian's gcc)";
const loaded = (): string | null => null;
const notBuilt = (): string => NOT_BUILT;

describe('chooseDataPath', () => {
  it('auto: native when both addons load, portable with the reason when one does not', () => {
    const native = chooseDataPath('auto', loaded);
    expect(native.path).toBe('native');
    expect(native.line).toMatch(/^data path: native \(our C addons: /);
    const portable = chooseDataPath('auto', notBuilt);
    expect(portable.path).toBe('portable');
    expect(portable.line).toMatch(/^data path: portable \(Node's dgram sockets, SRTP and the probe core in JavaScript\), since the native one cannot run: /);
    expect(portable.line).toContain(NOT_BUILT);
  });

  it('native: runs where the addons load, and is a usage error saying why where they do not', () => {
    expect(chooseDataPath('native', loaded).path).toBe('native');
    expect(() => chooseDataPath('native', notBuilt)).toThrow(ConfigError);
    expect(() => chooseDataPath('native', notBuilt)).toThrow(`--data-path native: ${NOT_BUILT}; or start with --data-path portable`);
  });

  it('portable: runs without asking the addons', () => {
    const asked: string[] = [];
    const r = chooseDataPath('portable', () => {
      asked.push('asked');
      return null;
    });
    expect(r.path).toBe('portable');
    expect(asked).toEqual([]);
  });
});

describe('nativeAddonsMissing', () => {
  const why = skipReason('the native addons (built)', [
    needBuilt(join(repoRoot, 'dist', 'native', 'callprobe-udp.node')),
    needBuilt(join(repoRoot, 'dist', 'native', 'callprobe-srtp.node')),
  ]);
  it.skipIf(why !== null)('is null where both addons are built', () => {
    expect(nativeAddonsMissing()).toBeNull();
  });
});

describe('dataPathMetrics', () => {
  it('says 1 for the path it runs and 0 for the other, as a gauge', () => {
    const text = dataPathMetrics('portable');
    expect(text).toContain('# TYPE callprobe_data_path gauge\n');
    expect(text).toContain('callprobe_data_path{path="native"} 0\n');
    expect(text).toContain('callprobe_data_path{path="portable"} 1\n');
    expect(dataPathMetrics('native')).toContain('callprobe_data_path{path="native"} 1\n');
  });
});
