/**
 * A site token checked before a test (the built CLI, `npm run build` first, against the HTTP app
 * on loopback over SQLite): `run --site X --every 10s` with a revoked site token exits 3 in
 * seconds, naming the site token and the site, without starting a browser (the one given writes
 * a marker when started); the sample waiting in its spool stays there and is sent once a good
 * token of the same site is given, by the scheduler and by `callprobe spool send`; a server
 * that cannot be reached leaves the token unknown and the schedule starts. A single `run --site`
 * checks its token the same way.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spool, type SpoolEntry } from '../../../client/schedule/spool.js';
import { siteTokenHash } from '../../../server/http/access.js';
import { runCallprobe } from '../../kit/callprobe.js';
import { freeTcpPort } from '../../kit/net.js';
import { cliPath } from '../../kit/paths.js';
import { needBuilt, skipReason } from '../../kit/requires.js';
import { startResultsServer, type ResultsServer } from '../results-server.js';

const OPERATOR = 'token-test-operator-0123456789';
const run = skipReason('the token check before a test', [needBuilt(cliPath)]) === null ? describe : describe.skip;

run('a site token checked before a test', () => {
  let dir: string;
  let server: ResultsServer;
  /** A browser that only says it was started. */
  let browser: string;
  const marker = (): string => join(dir, 'browser-started');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-token-'));
    server = await startResultsServer('token', OPERATOR, 91);
    browser = join(dir, 'fake-chromium');
    writeFileSync(browser, `#!/bin/sh\ntouch '${marker()}'\nexit 1\n`);
    chmodSync(browser, 0o755);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A site token of `site` in the store (as `site-token create` makes one); revoke it with `revoke`. */
  const siteToken = async (site: string): Promise<{ token: string; revoke: () => Promise<boolean> }> => {
    const token = `cpsite_${randomBytes(32).toString('base64url')}`;
    const id = randomBytes(8).toString('hex');
    await server.store.siteTokens.create({ id, siteKey: site.toLowerCase(), display: site, tokenHash: siteTokenHash(token), createdAtMs: Date.now() });
    return { token, revoke: () => server.store.siteTokens.revoke(id, Date.now()) };
  };
  /** A could-not-test sample of `site` waiting in `spool` (one an earlier run could not send). */
  const spooled = async (spool: string, site: string, sampleId: string): Promise<void> => {
    const s = new Spool(spool);
    await s.open();
    const startedAtMs = Date.now() - 60_000;
    const entry: SpoolEntry = {
      v: 1,
      server: new URL(server.url).origin,
      sampleId,
      startedAtMs,
      record: {
        kind: 'could-not-test',
        reason: 'server-unreachable',
        message: 'cannot reach the server',
        atMs: startedAtMs,
        meta: { callprobeVersion: '0.1.0', startedAt: new Date(startedAtMs).toISOString(), site, ticket: null },
      },
    };
    await s.put(entry);
  };
  const env = (token: string): NodeJS.ProcessEnv => {
    const { CALLPROBE_ADMIN_TOKEN: _operator, ...rest } = process.env;
    return { ...rest, CALLPROBE_TOKEN: token };
  };

  it('run --every with a revoked site token: exit 3 in seconds, no browser, the spooled sample kept; sent once a good token is given', async () => {
    const spool = join(dir, 'spool-every');
    await spooled(spool, 'Paris office', 'waiting-sample-0001');
    const old = await siteToken('Paris office');
    expect(await old.revoke()).toBe(true);
    const args = ['run', '--server', server.url, '--site', 'Paris office', '--every', '10s', '--count', '1', '--spool', spool, '--browser', browser];

    const t0 = Date.now();
    const refused = await runCallprobe(args, 30_000, { env: env(old.token) });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain('the server refused the site token for the site "Paris office" (403 bad-site-token)');
    // The server's words say how to make a live token; the CLI adds only where to give it.
    expect(refused.stderr.match(/site-token create/g), refused.stderr).toHaveLength(1);
    expect(refused.stderr).toContain('; give it in --token or CALLPROBE_TOKEN');
    expect(existsSync(marker()), 'no browser was started').toBe(false);
    expect(await new Spool(spool).files()).toHaveLength(1);
    expect(await server.store.results.getBySampleId('waiting-sample-0001')).toBeNull();

    // A live token of the same site: the spool goes first, then the schedule's one sample (the browser fails: could not test, stored).
    const good = await siteToken('Paris office');
    const sent = await runCallprobe(args, 60_000, { env: env(good.token) });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain('sent 1 spooled sample(s)');
    expect(await server.store.results.getBySampleId('waiting-sample-0001')).toMatchObject({ site: 'Paris office', kind: 'could-not-test' });
    expect(await new Spool(spool).files()).toEqual([]);
  }, 90_000);

  it('callprobe spool send sends a spool left behind with a live token, and keeps it for a refused one (exit 3)', async () => {
    const spool = join(dir, 'spool-left');
    await spooled(spool, 'Lyon', 'left-sample-0001');
    const lyon = await siteToken('Lyon');
    const other = await siteToken('Nice');
    const wrong = await runCallprobe(['spool', 'send', '--spool', spool], 30_000, { env: env(other.token) });
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(wrong.stderr).toContain('the site token was refused');
    expect(await new Spool(spool).files()).toHaveLength(1);
    const ok = await runCallprobe(['spool', 'send', '--spool', spool], 30_000, { env: env(lyon.token) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(await server.store.results.getBySampleId('left-sample-0001')).toMatchObject({ site: 'Lyon' });
  }, 60_000);

  it('a server that cannot be reached leaves the token unknown: said, and the schedule starts (its sample waits in the spool)', async () => {
    const port = await freeTcpPort('127.0.0.1');
    const spool = join(dir, 'spool-unreachable');
    const good = await siteToken('Rennes');
    const args = ['run', '--server', `http://127.0.0.1:${port}`, '--site', 'Rennes', '--every', '10s', '--count', '1', '--spool', spool, '--browser', browser];
    const r = await runCallprobe(args, 60_000, { env: env(good.token) });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('could not check the site token for "Rennes" before the test');
    expect(r.stdout).toContain('"upload":"spooled"');
    expect(await new Spool(spool).files()).toHaveLength(1);
  }, 60_000);

  it('a single run --site checks its token first too', async () => {
    rmSync(marker(), { force: true });
    const gone = await siteToken('Brest');
    await gone.revoke();
    const r = await runCallprobe(['run', '--server', server.url, '--site', 'Brest', '--browser', browser], 30_000, { env: env(gone.token) });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('the server refused the site token for the site "Brest"');
    expect(existsSync(marker())).toBe(false);
  }, 60_000);
});
