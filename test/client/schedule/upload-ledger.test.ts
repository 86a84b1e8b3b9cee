/**
 * The scheduler's uploads on their own (UploadLedger): a real spool in a temp folder and the HTTP
 * app on loopback over SQLite. A sample is spooled and sent with its code; one the server cannot
 * take yet waits and goes first next time; a malformed one is refused and kept in refused/; a
 * refused token stops the run with the sample waiting; a sample the disk refuses is sent
 * directly, and is lost (and said so) when that fails too.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type SpoolEntry } from '../../../client/schedule/spool.js';
import { UploadLedger, type UploadTarget } from '../../../client/schedule/upload-ledger.js';
import { freeTcpPort } from '../../kit/net.js';
import { startResultsServer, type ResultsServer } from '../results-server.js';

const OPERATOR = 'ledger-test-operator-0123456789';
const SITE = 'Paris office';

describe('UploadLedger (a real spool, a real server on loopback)', () => {
  let server: ResultsServer;
  let dir: string;
  let spool: Spool;
  let said: string[];
  let n = 0;

  beforeAll(async () => {
    server = await startResultsServer('ledger', OPERATOR, 57);
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-ledger-'));
    spool = new Spool(join(dir, 'spool'));
    await spool.open();
    said = [];
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const target = (over: Partial<UploadTarget> = {}): UploadTarget => {
    const url = over.server ?? server.url;
    return { origin: new URL(url).origin, server: url, token: OPERATOR, siteKey: SITE.toLowerCase(), site: SITE, ...over };
  };
  const ledger = (over: Partial<UploadTarget> = {}): UploadLedger => new UploadLedger(spool, target(over), (line) => said.push(line));
  /** A could-not-test sample of the site for `to`'s server (`bad`: one the server refuses as malformed). */
  const sample = (to: UploadTarget, bad = false): SpoolEntry => {
    const startedAtMs = Date.now() - 60_000 + n;
    const sampleId = `ledger-${++n}-${randomBytes(4).toString('hex')}`;
    const meta = { callprobeVersion: '0.1.0', startedAt: new Date(startedAtMs).toISOString(), site: SITE, ticket: null };
    const record = bad
      ? { kind: 'could-not-test', reason: 'server-unreachable', meta }
      : { kind: 'could-not-test', reason: 'server-unreachable', message: 'cannot reach the server', atMs: startedAtMs, meta };
    return { v: 1, server: to.origin, sampleId, startedAtMs, record };
  };
  const down = async (): Promise<string> => `http://127.0.0.1:${await freeTcpPort()}`;

  it('spools a sample and sends it: stored, with the code the server gave it; the run ends with all stored', async () => {
    const l = ledger();
    const e = sample(target());
    const up = await l.put(e);
    const stored = await server.store.results.getBySampleId(e.sampleId);
    expect(stored).not.toBeNull();
    expect(up).toEqual({ upload: 'stored', code: stored?.code, waiting: null });
    expect(await spool.files()).toEqual([]);
    expect(l.allStored).toBe(true);
    await l.finish(1);
    expect(said).toEqual([`1 sample(s): 1 stored, 0 waiting in ${spool.dir}, 0 refused, 0 lost`]);
  });

  it('a server that does not answer: the sample waits in the spool, and the next run sends it first', async () => {
    const gone = target({ server: await down() });
    const l = ledger(gone);
    const e = sample(gone);
    const up = await l.put(e);
    expect(up.upload).toBe('spooled');
    expect(up.code).toBeNull();
    expect(up.waiting).toMatch(/^1 waiting: /);
    expect(await spool.files()).toHaveLength(1);
    await l.finish(1);
    expect(l.allStored).toBe(false);
    expect(said.at(-1)).toBe(`1 sample(s): 0 stored, 1 waiting in ${spool.dir}, 0 refused, 0 lost (the next run sends the waiting ones first)`);
    // The server back at that address is another run's: its first pass sends the waiting sample.
    const back = new UploadLedger(spool, target({ server: server.url }), (line) => said.push(line));
    const moved: SpoolEntry = { ...e, server: new URL(server.url).origin };
    rmSync(join(spool.dir, (await spool.files())[0] ?? ''));
    await spool.put(moved);
    said = [];
    expect(await back.flush(null)).toBeNull();
    expect(said).toEqual([`sent 1 spooled sample(s) from ${spool.dir}`]);
    expect(await server.store.results.getBySampleId(e.sampleId)).not.toBeNull();
  });

  it('a sample the server refuses as malformed is kept in refused/ and counted refused', async () => {
    const l = ledger();
    const up = await l.put(sample(target(), true));
    expect(up.upload).toBe('refused');
    expect(said.some((line) => line.startsWith('the server refused sample ') && line.includes('refused/'))).toBe(true);
    expect(readdirSync(join(spool.dir, 'refused')).length).toBe(2);
    expect(l.allStored).toBe(false);
    await l.finish(1);
    expect(said.at(-1)).toBe(`1 sample(s): 0 stored, 0 waiting in ${spool.dir}, 1 refused, 0 lost`);
  });

  it('a refused token: the sample waits, the run is told to stop, and the end offers nothing more', async () => {
    const l = ledger({ token: 'not-the-operator-token-0123456789' });
    const up = await l.put(sample(target()));
    expect(up.upload).toBe('spooled');
    expect(l.tokenRefused).not.toBeNull();
    expect(said.some((line) => line.endsWith(`for "${SITE}": the samples wait in ${spool.dir}; this run stops`))).toBe(true);
    said = [];
    await l.finish(1);
    expect(said).toEqual([`1 sample(s): 0 stored, 1 waiting in ${spool.dir}, 0 refused, 0 lost (the next run sends the waiting ones first)`]);
    expect(await spool.files()).toHaveLength(1);
  });

  it('a spool the disk refuses: the sample is sent directly, and lost (said so) when the server does not answer either', async () => {
    rmSync(spool.dir, { recursive: true });
    const l = ledger();
    const e = sample(target());
    const up = await l.put(e);
    expect(up.upload).toBe('stored');
    expect(up.code).toBe((await server.store.results.getBySampleId(e.sampleId))?.code);
    expect(said[0]).toMatch(new RegExp(`^could not spool sample ${e.sampleId} in .*; sending it directly$`));

    const gone = target({ server: await down() });
    const lost = new UploadLedger(spool, gone, (line) => said.push(line));
    const f = sample(gone);
    said = [];
    expect((await lost.put(f)).upload).toBe('lost');
    expect(said.at(-1)).toMatch(new RegExp(`^sample ${f.sampleId} is lost: `));
    expect(existsSync(spool.dir)).toBe(false);
    await lost.finish(1);
    expect(said.at(-1)).toBe(`1 sample(s): 0 stored, 0 waiting in ${spool.dir}, 0 refused, 1 lost`);
    expect(lost.allStored).toBe(false);
  });
});
