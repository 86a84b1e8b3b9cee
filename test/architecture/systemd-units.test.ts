/**
 * The systemd units the docs ship pass `systemd-analyze verify` (Debian's systemd): the site
 * template (scripts/systemd/callprobe-site@.service, the one docs/assess-a-site.md shows),
 * instantiated for a name `systemd-escape` escapes, docs/operate.md's unit for serve and
 * docs/regions.md's for an edge, each with the `useradd` line of the user it runs as. Their
 * ExecStart finds its program wherever npm put it (`/usr/bin/env`): a hard-coded path that is not
 * there fails verify ("Command ... is not executable").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../kit/paths.js';
import { needCommand, skipReason } from '../kit/requires.js';

const run = skipReason('the systemd units', [needCommand('systemd', 'systemd-analyze', ['--version'])]) === null ? describe : describe.skip;

/** `systemd-analyze verify` of one unit file: its exit code and what it said about that unit (other units' warnings left out). */
function verify(file: string): { code: number | null; about: string[] } {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', timeout: 30_000 });
  const name = file.split('/').at(-1) ?? file;
  return { code: r.status, about: `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes(name)) };
}

run('the systemd units', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-units-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('the site template verifies for an instance named by systemd-escape, and finds callprobe through /usr/bin/env', () => {
    const unit = readFileSync(join(repoRoot, 'scripts/systemd/callprobe-site@.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/env callprobe run /m);
    const instance = execFileSync('systemd-escape', ['Paris office'], { encoding: 'utf8' }).trim();
    // The env file docs/assess-a-site.md names: the escaped instance, backslash and all.
    expect(instance).toBe('Paris\\x20office');
    expect(unit).toContain('EnvironmentFile=/etc/callprobe/%i.env');
    const file = join(dir, `callprobe-site@${instance}.service`);
    copyFileSync(join(repoRoot, 'scripts/systemd/callprobe-site@.service'), file);
    expect(verify(file)).toEqual({ code: 0, about: [] });
  });

  it("docs/operate.md's unit for serve verifies", () => {
    const page = readFileSync(join(repoRoot, 'docs/operate.md'), 'utf8');
    const unit = /```ini\n(# \/etc\/systemd\/system\/callprobe\.service[\s\S]*?)```/.exec(page)?.[1];
    expect(unit, 'docs/operate.md has the serve unit').toBeDefined();
    const file = join(dir, 'callprobe.service');
    writeFileSync(file, unit ?? '');
    expect(verify(file)).toEqual({ code: 0, about: [] });
  });

  it("docs/regions.md's unit for an edge verifies, and runs callprobe where the hub's does", () => {
    const page = readFileSync(join(repoRoot, 'docs/regions.md'), 'utf8');
    const unit = /```ini\n(# \/etc\/systemd\/system\/callprobe-edge\.service[\s\S]*?)```/.exec(page)?.[1] ?? '';
    expect(unit, 'docs/regions.md has the edge unit').toMatch(/^ExecStart=\/usr\/bin\/env node .* \/opt\/callprobe\/dist\/cli\/callprobe\.js serve /m);
    expect(unit).toMatch(/^RestartPreventExitStatus=3$/m);
    const file = join(dir, 'callprobe-edge.service');
    writeFileSync(file, unit);
    expect(verify(file)).toEqual({ code: 0, about: [] });
  });

  it('each unit names the system user it runs as and how to make it', () => {
    const units = [
      readFileSync(join(repoRoot, 'scripts/systemd/callprobe-site@.service'), 'utf8'),
      ...['docs/operate.md', 'docs/regions.md'].flatMap((doc) =>
        [...readFileSync(join(repoRoot, doc), 'utf8').matchAll(/```ini\n(# \/etc\/systemd\/system\/[\s\S]*?)```/g)].map((m) => m[1] ?? ''),
      ),
    ];
    expect(units).toHaveLength(3);
    for (const unit of units) {
      expect(unit).toMatch(/^User=callprobe$/m);
      expect(unit.split('\n')[0]).toMatch(/\(useradd --system .*callprobe\)$/);
    }
  });

  it('a hard-coded path that is not there fails verify (so the checks above can fail)', () => {
    const file = join(dir, 'callprobe-site@Lyon.service');
    writeFileSync(
      file,
      readFileSync(join(repoRoot, 'scripts/systemd/callprobe-site@.service'), 'utf8').replace('/usr/bin/env callprobe', '/nonexistent/bin/callprobe'),
    );
    const r = verify(file);
    expect(r.code).not.toBe(0);
    expect(r.about.join('\n')).toContain('/nonexistent/bin/callprobe is not executable');
  });
});
