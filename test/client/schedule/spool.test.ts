import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, SpoolError, type SendOutcome, type SpoolEntry } from '../../../client/schedule/spool.js';

const SERVER = 'http://127.0.0.1:18181';
const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

function entry(i: number, server = SERVER): SpoolEntry {
  return {
    v: 1,
    server,
    sampleId: `sample-${String(i).padStart(4, '0')}`,
    startedAtMs: T0 + i * 5_000,
    record: { kind: 'could-not-test', reason: 'server-unreachable', n: i },
  };
}

describe('spool (a real temp folder)', () => {
  let dir: string;
  let spool: Spool;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-spool-'));
    spool = new Spool(join(dir, 'spool'));
    await spool.open();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes each entry whole (temp file, then rename) and reads it back as written', async () => {
    await spool.put(entry(1));
    const names = readdirSync(spool.dir);
    expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    const files = await spool.files();
    expect(files).toEqual([`${String(T0 + 5_000).padStart(15, '0')}-sample-0001.json`]);
    expect(await spool.read(files[0] ?? '')).toEqual(entry(1));
    expect(await spool.has(entry(1))).toBe(true);
    // The same sample twice is a bug upstream, not a second entry.
    await expect(spool.put(entry(1))).rejects.toThrow(SpoolError);
    expect(readdirSync(spool.dir).sort()).toEqual([files[0], 'refused']);
  });

  it('sends oldest first, stops at the first "retry" so nothing overtakes, and sends the rest on the next pass: none lost, none twice', async () => {
    // Written out of order: the spool orders by start time.
    for (const i of [3, 1, 4, 2, 5]) await spool.put(entry(i));
    const sent: string[] = [];
    let up = false;
    const send = (e: SpoolEntry): Promise<SendOutcome> => {
      sent.push(e.sampleId);
      return Promise.resolve(up || e.sampleId < 'sample-0003' ? { kind: 'stored' } : { kind: 'retry', why: 'ECONNREFUSED' });
    };
    const first = await spool.drain(SERVER, 20, send);
    expect(first).toEqual({
      stored: ['sample-0001', 'sample-0002'],
      refused: [],
      stoppedBy: 'ECONNREFUSED',
      capped: false,
      tokenRefused: null,
      left: 3,
      otherServers: 0,
      otherSites: 0,
    });
    expect(sent).toEqual(['sample-0001', 'sample-0002', 'sample-0003']);
    up = true;
    const second = await spool.drain(SERVER, 20, send);
    expect(second.stored).toEqual(['sample-0003', 'sample-0004', 'sample-0005']);
    expect(second.left).toBe(0);
    expect(await spool.files()).toEqual([]);
    // Each sample stored once; only the one that met the outage was offered twice (the server dedups by sampleId).
    expect(sent).toEqual(['sample-0001', 'sample-0002', 'sample-0003', 'sample-0003', 'sample-0004', 'sample-0005']);
  });

  it("sends at most `max` a pass, leaves other servers' entries alone, moves refused and unreadable entries to refused/", async () => {
    for (const i of [1, 2, 3]) await spool.put(entry(i));
    await spool.put(entry(4, 'http://elsewhere.example:8080'));
    const capped = await spool.drain(SERVER, 2, () => Promise.resolve({ kind: 'stored' }));
    expect(capped).toMatchObject({ stored: ['sample-0001', 'sample-0002'], left: 1, otherServers: 1, stoppedBy: 'at most 2 a pass', capped: true });
    writeFileSync(join(spool.dir, '000000000000000-garbage.json'), '{"v": 1, "server": ');
    const r = await spool.drain(SERVER, 20, () => Promise.resolve({ kind: 'refused', why: 'HTTP 400: schema' }));
    expect(r.refused).toEqual([
      { sampleId: '000000000000000-garbage.json', why: expect.stringMatching(/not JSON/) as string },
      { sampleId: 'sample-0003', why: 'HTTP 400: schema' },
    ]);
    // Each with its reason beside it.
    const three = `${String(T0 + 15_000).padStart(15, '0')}-sample-0003.json`;
    expect(readdirSync(join(spool.dir, 'refused')).sort()).toEqual([
      '000000000000000-garbage.json',
      '000000000000000-garbage.json.reason',
      three,
      `${three}.reason`,
    ]);
    expect(readFileSync(join(spool.dir, 'refused', `${three}.reason`), 'utf8')).toBe('HTTP 400: schema\n');
    expect(JSON.parse(readFileSync(join(spool.dir, 'refused', `${String(T0 + 15_000).padStart(15, '0')}-sample-0003.json`), 'utf8'))).toEqual(entry(3));
    // The other server's entry is still there.
    expect((await spool.files()).length).toBe(1);
  });

  it('an entry refused for its token stays, stops the pass, and is sent once a good token is given', async () => {
    for (const i of [1, 2]) await spool.put(entry(i));
    const revoked = await spool.drain(SERVER, 20, () => Promise.resolve({ kind: 'token', why: 'the site token was refused: HTTP 403 (bad-site-token)' }));
    expect(revoked).toMatchObject({ stored: [], refused: [], left: 2, tokenRefused: 'the site token was refused: HTTP 403 (bad-site-token)' });
    expect(await spool.files()).toHaveLength(2);
    expect(readdirSync(join(spool.dir, 'refused'))).toEqual([]);
    expect((await spool.drain(SERVER, 20, () => Promise.resolve({ kind: 'stored' }))).stored).toEqual(['sample-0001', 'sample-0002']);
  });

  it("a pass for one site leaves another site's entries for that site's token", async () => {
    const of = (i: number, site: string | null): SpoolEntry => ({ ...entry(i), record: { ...entry(i).record, meta: { site } } });
    await spool.put(of(1, 'Paris office'));
    await spool.put(of(2, 'Lyon'));
    await spool.put(of(3, ' PARIS  office'));
    expect(await spool.groups()).toEqual([
      { server: SERVER, siteKey: 'paris office' },
      { server: SERVER, siteKey: 'lyon' },
    ]);
    const r = await spool.drain(SERVER, 20, () => Promise.resolve({ kind: 'stored' }), 'paris office');
    expect(r).toMatchObject({ stored: ['sample-0001', 'sample-0003'], otherSites: 1, left: 0 });
    expect(await spool.groups()).toEqual([{ server: SERVER, siteKey: 'lyon' }]);
  });

  it('takes back entries an older callprobe parked in refused/ without a reason, and leaves those with one', async () => {
    const old = `${String(T0).padStart(15, '0')}-sample-0007.json`;
    const explained = `${String(T0).padStart(15, '0')}-sample-0008.json`;
    writeFileSync(join(spool.dir, 'refused', old), JSON.stringify({ ...entry(7), startedAtMs: T0 }));
    writeFileSync(join(spool.dir, 'refused', explained), JSON.stringify({ ...entry(8), startedAtMs: T0 }));
    writeFileSync(join(spool.dir, 'refused', `${explained}.reason`), 'HTTP 400: schema\n');
    expect(await spool.takeBackUnexplained()).toBe(1);
    expect(await spool.files()).toEqual([old]);
    expect(readdirSync(join(spool.dir, 'refused')).sort()).toEqual([explained, `${explained}.reason`]);
  });

  it('ignores the temp file of a write that never finished', async () => {
    writeFileSync(join(spool.dir, `.tmp-${String(T0).padStart(15, '0')}-sample-0009.json`), '{"v":1');
    await spool.put(entry(1));
    expect(await spool.files()).toHaveLength(1);
    expect((await spool.drain(SERVER, 20, () => Promise.resolve({ kind: 'stored' }))).stored).toEqual(['sample-0001']);
  });

  it('an entry another process sent and removed meanwhile is skipped, not an error', async () => {
    await spool.put(entry(1));
    await spool.put(entry(2));
    const [, second] = await spool.files();
    const r = await spool.drain(SERVER, 20, (e) => {
      // The other process sends sample 2 while this one sends sample 1.
      if (e.sampleId === 'sample-0001') rmSync(join(spool.dir, second ?? ''));
      return Promise.resolve({ kind: 'stored' });
    });
    expect(r).toEqual({ stored: ['sample-0001'], refused: [], stoppedBy: null, capped: false, tokenRefused: null, left: 0, otherServers: 0, otherSites: 0 });
    expect(await spool.files()).toEqual([]);
  });
});
