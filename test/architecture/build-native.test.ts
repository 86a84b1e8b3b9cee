/**
 * scripts/build-native.js where the C compiler fails (CC=/bin/false, as on a machine without
 * one): it warns, removes an addon older than its sources (so `serve --data-path auto` never
 * loads a stale one), and exits 0 so `npm run build` goes on to the portable data path; with
 * CALLPROBE_REQUIRE_ALL=1 (.ci/run) it fails, so CI always builds the native path. It runs on a
 * copy of the script and the C sources in a directory of its own: this tree's dist/ is untouched.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../kit/process.js';
import { repoRoot } from '../kit/paths.js';

let root: string;
const NATIVE_DIRS = [join('server', 'turn', 'transport', 'native'), join('server', 'reflector', 'rtp', 'native')];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'callprobe-build-native-'));
  mkdirSync(join(root, 'scripts'));
  cpSync(join(repoRoot, 'scripts', 'build-native.js'), join(root, 'scripts', 'build-native.js'));
  for (const dir of NATIVE_DIRS) cpSync(join(repoRoot, dir), join(root, dir), { recursive: true });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The copy's build-native.js with the C compiler `/bin/false` and `env` beside it (neither CI variable unless given). */
function buildNative(env: Record<string, string>): ReturnType<typeof runProcess> {
  return runProcess(process.execPath, [join(root, 'scripts', 'build-native.js')], {
    timeoutMs: 15_000,
    env: { ...process.env, CC: '/bin/false', CI: '', CALLPROBE_REQUIRE_ALL: '', ...env },
  });
}

describe('scripts/build-native.js without a working C compiler', () => {
  it('warns and exits 0, leaving no stale addon behind', async () => {
    const stale = join(root, 'dist', 'native', 'callprobe-udp.node');
    mkdirSync(join(root, 'dist', 'native'), { recursive: true });
    writeFileSync(stale, 'an addon of an older build');
    utimesSync(stale, 0, 0);
    const r = await buildNative({});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('build-native: warning: our native addons are not built, and the build goes on without them:');
    expect(r.stderr).toContain('callprobe-udp.node: /bin/false could not build');
    expect(r.stderr).toContain('callprobe-srtp.node: /bin/false could not build');
    expect(r.stderr).toContain('runs on the portable data path');
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(root, 'dist', 'native', 'callprobe-srtp.node'))).toBe(false);
  });

  it('fails with CALLPROBE_REQUIRE_ALL=1 or CI set, as CI runs it', async () => {
    const runs: Record<string, string>[] = [{ CALLPROBE_REQUIRE_ALL: '1' }, { CI: 'true' }];
    for (const env of runs) {
      const r = await buildNative(env);
      expect(r.code, JSON.stringify(env)).toBe(1);
      expect(r.stderr).toMatch(
        /^build-native: \/bin\/false could not build .*udp\.c.*; CALLPROBE_REQUIRE_ALL or CI is set, so the native data path must build$/m,
      );
    }
  });
});
