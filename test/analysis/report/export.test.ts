/**
 * The export's CSV for people with a spreadsheet: every figure rounded as the page shows it
 * (the JSON keeps the raw value), and a `;`-separated form with a UTF-8 byte order mark for
 * spreadsheets whose list separator is `;`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvField, csvHeader, csvLine, EXPORT_COLUMNS, reportCsvRow, reportRow } from '../../../src/analysis/report/export.js';
import { keyFigures } from '../../../src/analysis/present/view.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { reflectorInput } from './inputs.js';

const who = { id: null, code: null, sampleId: null };
const golden = (name: string): Report => JSON.parse(readFileSync(join('test/analysis/report/golden', `${name}.json`), 'utf8')) as Report;
const clean = (): Report => JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 1500 })))) as Report;

describe("the CSV's figures", () => {
  it('are rounded as the page shows them; the JSON row keeps the raw values', () => {
    const r = clean();
    r.summary.lossPct = 1.2998219998298737;
    r.summary.rttMsP50 = 99.96; // against the 100 ms target: never "100"
    r.summary.rttMsP90 = 35.04;
    r.summary.burstLossPctMax200ms = 0.0049; // never "0"
    r.summary.mos = 4.4049;
    r.summary.packetsSent = 1500;
    expect(r.meta.targets.find((t) => t.target === 'latency-rtt')?.threshold).toBe(100);
    const csv = reportCsvRow(who, r);
    expect(csv).toMatchObject({ lossPct: 1.3, rttMsP50: 99.96, rttMsP90: 35, burstLossPctMax200ms: 0.005, mos: 4.4, packetsSent: 1500 });
    expect(reportRow(who, r)).toMatchObject({ lossPct: 1.2998219998298737, rttMsP50: 99.96, rttMsP90: 35.04, mos: 4.4049 });
    expect(csvLine(csv)).toContain(',1.3,');
    expect(csvLine(csv)).not.toContain('1.2998');
  });

  it("equal the page's key figures for every golden report", () => {
    const dir = 'test/analysis/report/golden';
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') && !x.startsWith('aggregate-'))) {
      const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Report;
      const csv = reportCsvRow(who, r);
      const shown = keyFigures(r)
        .flatMap((l) => l.parts.filter((p) => p.emphasis === true).map((p) => p.text))
        .join(' ');
      for (const column of ['rttMsP50', 'rttMsP90', 'mos', 'packetsSent', 'packetsReceived']) {
        const v = csv[column];
        if (typeof v !== 'number') continue;
        // The page prints "1,500" and "35.0 ms": the cell is the same number.
        const onPage = [...shown.matchAll(/-?\d[\d,]*(?:\.\d+)?/g)].map((m) => Number(m[0].replace(/,/g, '')));
        expect(onPage, `${f} ${column}`).toContain(v);
      }
    }
  });
});

describe("the export's outcome column", () => {
  it('tells a test that could not connect or lost its server apart from one that ran to its end', () => {
    const r = clean();
    expect(reportRow(who, r).outcome).toBe('complete');
    r.summary.verdict = 'insufficient';
    r.outcome = { reason: 'connection-lost', atMs: 5200, detail: 'the server closed the connection' };
    expect(reportRow(who, r)).toMatchObject({ verdict: 'insufficient', outcome: 'connection-lost' });
    r.outcome = { reason: 'could-not-connect', atMs: null, detail: 'no relay port connected' };
    expect(csvLine(reportCsvRow(who, r)).split(',')[EXPORT_COLUMNS.indexOf('outcome')]).toBe('could-not-connect');
  });
});

describe("the export's caution column", () => {
  it('names a pass only over a fallback path, and is empty for a plain pass and for a test told to use TCP', () => {
    const fallback = golden('fallback-tcp');
    expect(fallback.summary).toMatchObject({ verdict: 'pass', caution: 'fallback-path' });
    expect(reportRow(who, fallback)).toMatchObject({ verdict: 'pass', caution: 'fallback-path' });
    expect(csvLine(reportCsvRow(who, fallback)).split(',')[EXPORT_COLUMNS.indexOf('caution')]).toBe('fallback-path');
    expect(reportRow(who, clean()).caution).toBeNull();
    // Stored before the summary carried it: derived as the analysis derives it (UDP blocked, graded over TCP).
    const { caution: _dropped, ...olderSummary } = fallback.summary;
    expect(reportRow(who, { ...fallback, summary: olderSummary }).caution).toBe('fallback-path');
  });
});

describe("the export's cause columns", () => {
  it('say why there is no verdict, as a code and in the words the page uses, and are empty for a verdict', () => {
    const busy = golden('device-busy');
    const sentence = 'No verdict: this device was too busy to measure the network (its timer ran 150.0 ms late at the 99th percentile).';
    expect(reportRow(who, busy)).toMatchObject({ verdict: 'insufficient', insufficientCause: 'device-busy', insufficientCauseText: sentence });
    expect(reportCsvRow(who, busy).insufficientCauseText).toBe(sentence);
    expect(reportRow(who, clean())).toMatchObject({ insufficientCause: null, insufficientCauseText: null });
  });
});

describe("the export's video columns", () => {
  it('carry each way of the video phase and what fits, and are empty for a test without it', () => {
    const r = clean();
    const cols = (row: Record<string, unknown>): unknown[] => EXPORT_COLUMNS.filter((c) => c.startsWith('video.')).map((c) => row[c]);
    expect(cols(reportRow(who, r)).every((v) => v === null)).toBe(true);
    const way = {
      arrivedKbps: 1003.27,
      cleanKbps: 958.4,
      lossPct: 0.123,
      worstLossPct: 0.5,
      sentKbps: 1044,
      packets: 674,
      plateauMs: 2000,
      limitedBy: 'network' as const,
    };
    r.video = {
      seconds: 6,
      upstream: way,
      downstream: { ...way, cleanKbps: 4500, arrivedKbps: 4502.4, lossPct: 0, limitedBy: 'test' },
      room: ['audio', 'screen-sharing', 'video-360p'],
      unknown: [],
    };
    const line = csvLine(reportCsvRow(who, r)).trimEnd().split(',');
    const at = (c: string): string | undefined => line[EXPORT_COLUMNS.indexOf(c)];
    // Rates whole kbit/s, loss as the page shows it, the room as its codes.
    expect([at('video.upstream.cleanKbps'), at('video.upstream.arrivedKbps'), at('video.upstream.lossPct'), at('video.upstream.limitedBy')]).toEqual([
      '958',
      '1003',
      '0.12',
      'network',
    ]);
    expect([at('video.downstream.cleanKbps'), at('video.downstream.limitedBy'), at('video.room')]).toEqual(['4500', 'test', 'audio screen-sharing video-360p']);
  });
});

describe('the CSV for spreadsheets whose list separator is ;', () => {
  it('separates with ;, quotes a field that holds one, and starts with a byte order mark when asked', () => {
    const r = clean();
    r.meta.ticket = 'HD-1; HD-2, both';
    const o = { sep: ';', bom: true } as const;
    const header = csvHeader(o);
    expect(header.startsWith('\uFEFFid;code;kind;')).toBe(true);
    expect(header.slice(1)).toBe(`${EXPORT_COLUMNS.join(';')}\r\n`);
    const line = csvLine(reportCsvRow(who, r), o);
    expect(line).toContain(';"HD-1; HD-2, both";');
    expect(line.split(';').length).toBe(EXPORT_COLUMNS.length + 1); // the quoted ticket holds one ;
    expect(csvHeader().startsWith('id,code')).toBe(true);
    expect(csvField('a;b')).toBe('a;b');
    expect(csvField('a;b', ';')).toBe('"a;b"');
    expect(csvField(1.5, ';')).toBe('1.5');
  });
});
