/**
 * docs/assess-a-site.md run as written: its site-token line, then its systemd unit and its cron
 * line (`callprobe run --every` for a week) against the worker's server, a week swapped for one
 * sample of 3 s and each recipe given a spool of its own. The longest functional test: in a file of its
 * own it starts first, beside the others, rather than last.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCallprobe } from '../test/kit/callprobe.js';
import { lines, storedSamples } from './fixtures/schedule.js';
import { expect, test } from './fixtures/test.js';

/** Splits a command line into words the way sh (and systemd's ExecStart) do for plain words and double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

/** docs/assess-a-site.md's weekly recipe: the systemd unit's ExecStart and the cron line's command, as words. */
function recipeCommands(): { name: string; args: string[] }[] {
  const page = readFileSync('docs/assess-a-site.md', 'utf8');
  // The unit shipped (scripts/systemd) is the one the page shows.
  expect(page, 'docs/assess-a-site.md shows scripts/systemd/callprobe-site@.service as it is').toContain(
    readFileSync('scripts/systemd/callprobe-site@.service', 'utf8'),
  );
  const exec = /^ExecStart=(.+)$/m.exec(page)?.[1];
  const cron = /^\*\/10 \* \* \* \* (.+?) >> /m.exec(page)?.[1];
  expect(exec, 'docs/assess-a-site.md has a systemd unit with ExecStart=').toBeDefined();
  expect(cron, 'docs/assess-a-site.md has a cron line').toBeDefined();
  return [
    { name: 'systemd ExecStart', args: words(exec ?? '') },
    { name: 'cron', args: words(cron ?? '') },
  ];
}

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callprobe-assess-'));
});
test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test("docs/assess-a-site.md's site token, systemd unit and cron line run as written (server, spool, one sample of 3 s swapped in)", async ({ server: E2E }) => {
  test.setTimeout(170_000);
  // The page's site-token line: the token alone on the last line of stdout.
  const page = readFileSync('docs/assess-a-site.md', 'utf8');
  const create = /^(callprobe site-token create .+?) \| tail -n 1$/m.exec(page)?.[1];
  expect(create, 'docs/assess-a-site.md has a site-token create line').toBeDefined();
  const made = spawnCallprobe(
    words(create ?? '')
      .slice(1)
      .map((a) => (a === 'https://callprobe.example.org' ? E2E.baseUrl : a === '$OPERATOR_TOKEN' ? E2E.adminToken : a)),
    { deadlineMs: 30_000 },
  );
  expect((await made.exited).code, made.stderr()).toBe(0);
  const siteToken = made.stdout().trimEnd().split('\n').at(-1) ?? '';
  expect(siteToken).toMatch(/^cpsite_/);
  for (const { name, args: written } of recipeCommands()) {
    // The unit starts callprobe through /usr/bin/env (wherever npm put it): the command is what follows.
    const args = written[0] === '/usr/bin/env' ? written.slice(1) : written;
    expect(args[0], name).toMatch(/(^|\/)callprobe$/);
    expect(args.slice(1, 2), name).toEqual(['run']);
    const spoolAt = args.indexOf('--spool');
    expect(spoolAt, `${name} names its spool`).toBeGreaterThan(0);
    // Each recipe its own spool: the same command in the same folder would resume the other's grid.
    const swapped = args
      .slice(1)
      .map((a, i) =>
        a === 'https://callprobe.example.org' ? E2E.baseUrl : i + 1 === spoolAt + 1 ? join(dir, name.replace(/\W+/g, '-')) : a === '%I' ? 'Paris office' : a,
      );
    // A week becomes one sample, of 3 s (what is checked is that the recipe runs and stores, not the test's length).
    const forAt = swapped.indexOf('--for');
    if (forAt >= 0) swapped.splice(forAt, 2, '--count', '1');
    expect(swapped, `${name} leaves the test's length to the default`).not.toContain('--duration');
    swapped.push('--duration', '3');
    expect(swapped, name).toContain(E2E.baseUrl);
    expect(swapped.slice(swapped.indexOf('--count'), swapped.indexOf('--count') + 2), name).toEqual(['--count', '1']);
    const r = spawnCallprobe(swapped, {
      deadlineMs: 70_000,
      // The site's upload-only token, as the unit's EnvironmentFile and the crontab hold it.
      env: { ...process.env, CALLPROBE_TOKEN: siteToken },
    });
    const status = await r.exited;
    expect(status.code, `${name}: ${r.stderr()}`).toBe(0);
    const out = lines(r);
    expect(out, name).toHaveLength(1);
    expect(out[0], name).toMatchObject({ site: 'Paris office', upload: 'stored' });
    const stored = await storedSamples(E2E.baseUrl, E2E.adminToken, 'Paris office');
    expect(
      stored.filter((x) => x.sampleId === out[0]?.sampleId),
      name,
    ).toHaveLength(1);
  }
});
