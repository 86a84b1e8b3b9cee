/**
 * `callprobe run`'s save against a real server (the HTTP app on loopback, an SQLite store):
 * the ack and its absolute link, idempotent on its sampleId, refusals reported and never
 * thrown, and the --csv row equal to the export's row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveResult } from '../../client/save.js';
import { csvHeader, csvLine, reportCsvRow } from '../../src/analysis/report/export.js';
import type { ResultStore } from '../../server/store/types.js';
import { analyze } from '../../src/analysis/report/analyze.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import { reflectorInput } from '../analysis/report/inputs.js';
import { freeTcpPort } from '../kit/net.js';
import { startResultsServer, type ResultsServer } from './results-server.js';

const TOKEN = 'save-test-token-0123456789';

describe('run saves its result', () => {
  let results: ResultsServer;
  let store: ResultStore;
  let server: string;

  beforeAll(async () => {
    results = await startResultsServer('save', TOKEN, 3);
    ({ store, url: server } = results);
  });
  afterAll(async () => {
    await results.close();
  });

  const report = (): Report => JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 1500 })))) as Report;

  it('answers the code and an absolute link, once per sampleId', async () => {
    const r = report();
    const first = await saveResult(r, { server, adminToken: null, sampleId: 'run-sample-0001' });
    expect(first).toMatchObject({ ok: true, created: true });
    if (!first.ok) throw new Error('not saved');
    expect(first.link).toBe(`${server}/r/${first.ack.code}`);
    const again = await saveResult(r, { server, adminToken: null, sampleId: 'run-sample-0001' });
    expect(again).toMatchObject({ ok: true, created: false, ack: first.ack });
    expect((await store.results.list({ sinceMs: null, site: null, limit: 10 })).filter((x) => x.sampleId === 'run-sample-0001')).toHaveLength(1);
  });

  it('reports a refusal or an unreachable server instead of throwing', async () => {
    const siteReport = report();
    siteReport.meta.site = 'Paris';
    expect(await saveResult(siteReport, { server, adminToken: 'wrong-token-0123456789' })).toMatchObject({ ok: false, reason: 'bad-token' });
    // Without a token the site is kept as unverified, and the result saved all the same.
    expect(await saveResult(siteReport, { server, adminToken: null })).toMatchObject({ ok: true, created: true });
    expect(await saveResult(siteReport, { server, adminToken: TOKEN })).toMatchObject({ ok: true, created: true });
    const port = await freeTcpPort();
    expect(await saveResult(report(), { server: `http://127.0.0.1:${port}`, adminToken: null })).toMatchObject({ ok: false, reason: 'unreachable' });
  });

  it('prints the same CSV row as the export', async () => {
    const r = report();
    r.meta.ticket = 'HD-1, "quoted"';
    const saved = await saveResult(r, { server, adminToken: null });
    if (!saved.ok) throw new Error(saved.message);
    const cli = csvHeader() + csvLine(reportCsvRow({ id: saved.ack.id, code: saved.ack.code, sampleId: saved.sampleId }, r));
    const res = await fetch(`${server}/api/results?format=csv`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const exported = (await res.text()).split('\r\n');
    const [header, row] = cli.split('\r\n');
    expect(exported[0]).toBe(header);
    expect(exported).toContain(row);
    expect(row).toContain('"HD-1, ""quoted"""');
  });
});
