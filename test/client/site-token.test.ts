/**
 * `callprobe site-token` against a real server (the HTTP app on loopback, an SQLite store): create
 * prints the token alone as the last line of stdout; run's save (`run --token`) with it stores a
 * sample of its site and is refused for another; list shows it without the token; revoke by site
 * ends it; a wrong operator token is a usage error (exit 3).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { saveResult } from '../../client/save.js';
import { siteTokenCommand, type SiteTokenCommandOptions } from '../../client/commands/site-token.js';
import { analyze } from '../../src/analysis/report/analyze.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { reflectorInput } from '../analysis/report/inputs.js';
import { startResultsServer, type ResultsServer } from './results-server.js';

const TOKEN = 'site-token-cli-test-0123456789';

describe('callprobe site-token', () => {
  let results: ResultsServer;
  let server: string;

  beforeAll(async () => {
    results = await startResultsServer('site-token', TOKEN, 5);
    server = results.url;
  });
  afterAll(async () => {
    await results.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Runs the command with stdout and stderr captured. */
  async function run(o: Omit<SiteTokenCommandOptions, 'server'>): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
    try {
      return { code: await siteTokenCommand({ ...o, server }), out, err };
    } finally {
      vi.restoreAllMocks();
    }
  }

  const sample = (site: string): Report => {
    const r = JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 1500 })))) as Report;
    r.meta.site = site;
    return r;
  };

  it('creates, uses, lists and revokes a site token', async () => {
    const created = await run({ action: 'create', site: 'Paris office', token: TOKEN });
    expect(created.code).toBe(0);
    const siteToken = created.out.trimEnd().split('\n').at(-1) ?? '';
    expect(siteToken).toMatch(/^cpsite_/);
    expect(created.err).toMatch(/^site token [0-9a-f]{16} for Paris office: it uploads samples of this site only/);

    // run --token with the site token: its own site stored, another refused.
    expect(await saveResult(sample('paris office'), { server, adminToken: siteToken, sampleId: 'cli-site-token-0001' })).toMatchObject({
      ok: true,
      created: true,
    });
    expect(await saveResult(sample('Lyon'), { server, adminToken: siteToken })).toMatchObject({ ok: false, reason: 'wrong-site', status: 403 });

    const listed = await run({ action: 'list', site: 'PARIS OFFICE', token: TOKEN });
    expect(listed.out).toMatch(/^[0-9a-f]{16} {2}Paris office {2}created \S+ {2}live\n$/);
    expect(listed.out).not.toContain(siteToken);

    const revoked = await run({ action: 'revoke', site: 'Paris office', token: TOKEN });
    expect(revoked.out).toMatch(/^revoked [0-9a-f]{16}\n$/);
    expect(await saveResult(sample('Paris office'), { server, adminToken: siteToken })).toMatchObject({ ok: false, status: 403 });
    expect((await run({ action: 'list', token: TOKEN })).out).toMatch(/ {2}revoked \S+\n$/);
  });

  it('refuses a wrong operator token, and a site token in its place, as usage errors', async () => {
    await expect(run({ action: 'list', token: 'not-the-operator-token' })).rejects.toThrow(ConfigError);
    await expect(run({ action: 'create', token: TOKEN })).rejects.toThrow(/needs --site NAME/);
    await expect(run({ action: 'list' })).rejects.toThrow(/need the operator token/);
    const nice = (await run({ action: 'create', site: 'Nice', token: TOKEN })).out.trimEnd().split('\n').at(-1) ?? '';
    await expect(run({ action: 'list', token: nice })).rejects.toThrow(/the server refused \(403 bad-token\)/);
  });
});
