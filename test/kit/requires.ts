/**
 * Suites that need something a machine may lack (root, nftables, PostgreSQL, irtt, the built
 * CLI) skip visibly on a developer's machine and fail in CI: a check skipped for a missing tool
 * is a check that did not run. `.ci/run` sets CALLPROBE_REQUIRE_ALL=1 (and a CI service sets
 * CI); then a missing tool fails the suite with its name and the reason.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TestKitError } from './errors.js';

/** One thing a suite needs: its name (an apt package, "root", "the build") and why it is missing here, or null when present. */
export interface Need {
  tool: string;
  missing: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;

const set = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/** Whether this run must have every tool: CALLPROBE_REQUIRE_ALL or CI set (and not "0" or "false"). */
export function requireAll(env: Env = process.env): boolean {
  return set(env['CALLPROBE_REQUIRE_ALL']) || set(env['CI']);
}

/**
 * Why `suite` must skip here (each missing need with its reason), or null when it can run.
 * When the run requires every tool, a missing need throws a TestKitError('missing-tool')
 * naming it instead: the suite fails rather than skips.
 */
export function skipReason(suite: string, needs: readonly Need[], env: Env = process.env, warn: (line: string) => void = console.warn): string | null {
  const missing = needs.filter((n) => n.missing !== null);
  if (missing.length === 0) return null;
  const why = missing.map((n) => `${n.tool}: ${n.missing}`).join('; ');
  if (requireAll(env)) {
    throw new TestKitError(
      'missing-tool',
      `${suite} needs ${missing.map((n) => n.tool).join(', ')}, missing here (${why}); this run requires every tool (CI or CALLPROBE_REQUIRE_ALL), and .ci/run installs them all`,
    );
  }
  warn(`[${suite}] skipped: ${why}`);
  return why;
}

/** The built file `path` (relative to the repository root or absolute): missing until `npm run build`. */
export function needBuilt(path: string): Need {
  return { tool: 'the build', missing: existsSync(path) ? null : `${path} is not built (run npm run build first)` };
}

/** A command that must run (`cmd args` exits 0), from the apt package `pkg`. */
export function needCommand(pkg: string, cmd: string, args: readonly string[] = ['--version']): Need {
  try {
    // A minute: a missing command fails at once (ENOENT), but an installed one may be slow to
    // answer on a loaded machine (Chromium's `--version` took over 10 s once in CI, beside the
    // unit files on 2 cores, and the suite was failed as if Chromium were missing).
    execFileSync(cmd, [...args], { stdio: 'ignore', timeout: 60_000 });
    return { tool: pkg, missing: null };
  } catch (err) {
    return { tool: pkg, missing: `\`${[cmd, ...args].join(' ')}\` did not run (${(err as Error).message.split('\n')[0]})` };
  }
}

/** Root, which network namespaces (`ip netns add`) and runuser need. */
export function needRoot(): Need {
  return { tool: 'root', missing: process.getuid?.() === 0 ? null : 'not running as root' };
}

/** What a test needs to make network namespaces with nftables rules: root, iproute2's `ip netns`, nftables. */
export function netnsNeeds(): Need[] {
  return [needRoot(), needCommand('iproute2', 'ip', ['netns', 'list']), needCommand('nftables', 'nft', ['--version'])];
}
