/**
 * `callprobe run` (the compiled CLI, `npx tsc -b` first) refuses what it cannot test before a
 * browser starts: a --relay the server does not offer is a usage error (exit 3, one line naming
 * what the server offers), not a page that times out 15 s later. The browser path given does
 * not exist, so any attempt to start it would end as "could not test" (exit 4) instead.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';
import { runProcess } from '../../kit/process.js';

const CLI = 'dist/cli/callprobe.js';
const built = existsSync(CLI);
if (!built) console.warn(`[run] CLI test skipped: ${CLI} not built (run npx tsc -b first)`);

describe.skipIf(!built)('callprobe run --relay (compiled CLI)', () => {
  let webRoot: string;
  let app: FastifyInstance;
  let server: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-run-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
    app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      turn: [3478, 3479].map((port) => ({ url: `turn:127.0.0.1:${port}?transport=udp`, transport: 'udp' as const, port })),
    });
    server = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const run = (relay: string) =>
    runProcess(process.execPath, [CLI, 'run', '--server', server, '--no-save', '--relay', relay, '--browser', '/nonexistent/chromium'], { timeoutMs: 30_000 });

  it('a relay the server does not offer: exit 3, one line naming what it offers, no browser started', async () => {
    const r = await run('udp:9999');
    expect(r.code).toBe(3);
    expect(
      r.stderr
        .trimEnd()
        .split('\n')
        .filter((l) => !l.startsWith('callprobe: testing')),
    ).toEqual(['callprobe: --relay udp:9999: the server does not offer it (it offers udp:3478, udp:3479)']);
    expect(r.stderr).not.toContain('nonexistent');
  });

  it('a malformed relay: exit 3 before the server is asked', async () => {
    const r = await run('udp:70000');
    expect(r.code).toBe(3);
    expect(r.stderr.trimEnd()).toMatch(/^callprobe: .*--relay must be udp, tcp or tls, optionally with a port 1\.\.65535/);
  });

  it('a relay it offers goes on to start the browser (here one that does not exist: could not test, 4)', async () => {
    const r = await run('udp:3479');
    expect(r.code).toBe(4);
    // Found missing before Playwright is asked (which would leave its profile and artifacts folders in the temporary directory).
    expect(r.stderr).toContain('no Chromium to start at /nonexistent/chromium');
  });
});
