import { describe, expect, it } from 'vitest';
import { TestKitError } from './errors.js';
import { needBuilt, needCommand, requireAll, skipReason, type Need } from './requires.js';

const present: Need = { tool: 'coturn', missing: null };
const noNft: Need = { tool: 'nftables', missing: '`nft --version` did not run' };
const notRoot: Need = { tool: 'root', missing: 'not running as root' };

describe('requireAll', () => {
  it('is on with CALLPROBE_REQUIRE_ALL or CI set, off when unset, empty, 0 or false', () => {
    expect(requireAll({})).toBe(false);
    expect(requireAll({ CALLPROBE_REQUIRE_ALL: '1' })).toBe(true);
    expect(requireAll({ CI: 'true' })).toBe(true);
    expect(requireAll({ CI: '1', CALLPROBE_REQUIRE_ALL: '0' })).toBe(true);
    for (const off of ['', '0', 'false', 'FALSE']) expect(requireAll({ CI: off, CALLPROBE_REQUIRE_ALL: off }), `"${off}"`).toBe(false);
  });
});

describe('skipReason', () => {
  it('is null when every need is present, in CI or not, and warns nothing', () => {
    const warned: string[] = [];
    expect(skipReason('suite', [present], {}, (l) => warned.push(l))).toBeNull();
    expect(skipReason('suite', [present], { CI: 'true' }, (l) => warned.push(l))).toBeNull();
    expect(skipReason('suite', [], { CALLPROBE_REQUIRE_ALL: '1' }, (l) => warned.push(l))).toBeNull();
    expect(warned).toEqual([]);
  });

  it('outside CI: the reason to skip, naming each missing tool, and one warning line', () => {
    const warned: string[] = [];
    const why = skipReason('ladder', [present, noNft, notRoot], {}, (l) => warned.push(l));
    expect(why).toBe('nftables: `nft --version` did not run; root: not running as root');
    expect(warned).toEqual([`[ladder] skipped: ${why}`]);
  });

  it('in CI: throws a missing-tool error naming the suite, the tools and why, instead of skipping', () => {
    const warned: string[] = [];
    for (const env of [{ CI: 'true' }, { CALLPROBE_REQUIRE_ALL: '1' }]) {
      let thrown: unknown;
      try {
        skipReason('ladder', [present, noNft, notRoot], env, (l) => warned.push(l));
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(TestKitError);
      expect(thrown).toMatchObject({ reason: 'missing-tool' });
      const message = (thrown as Error).message;
      expect(message).toMatch(/^ladder needs nftables, root, missing here \(nftables: `nft --version` did not run; root: not running as root\)/);
      expect(message).toContain('.ci/run');
      expect(message).not.toContain('coturn');
    }
    expect(warned).toEqual([]);
  });
});

describe('needs', () => {
  it('needBuilt: present for a file that exists, missing with the path otherwise', () => {
    expect(needBuilt('package.json')).toEqual({ tool: 'the build', missing: null });
    expect(needBuilt('dist/no/such/file.js').missing).toBe('dist/no/such/file.js is not built (run npm run build first)');
  });

  it('needCommand: present when the command runs, missing with the command line when it cannot start or fails', () => {
    expect(needCommand('nodejs', process.execPath, ['--version'])).toEqual({ tool: 'nodejs', missing: null });
    expect(needCommand('nosuch', 'callprobe-no-such-command').missing).toMatch(/^`callprobe-no-such-command --version` did not run \(.*ENOENT/);
    expect(needCommand('nodejs', process.execPath, ['-e', 'process.exit(3)']).missing).toMatch(/^`.* -e process\.exit\(3\)` did not run/);
  });
});
