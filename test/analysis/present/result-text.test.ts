import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { couldNotTestLines, couldNotTestSide, couldNotTestText, failureWords, sideWords } from '../../../src/analysis/present/could-not-test-text.js';
import { reportSummaryText } from '../../../src/analysis/present/result-text.js';
import { verdictRows } from '../../../src/analysis/present/view.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { repoRoot } from '../../kit/paths.js';

const golden = (name: string): Report => JSON.parse(readFileSync(join(repoRoot, 'test/analysis/report/golden', name), 'utf8')) as Report;

describe('a result as text for a help desk', () => {
  it('summarises a report: verdict, explanation, when and where, figures, each target', () => {
    const r = golden('clean-15s.json');
    const text = reportSummaryText({ ...r, meta: { ...r.meta, site: 'Berlin', ticket: 'INC-42' } });
    const lines = text.split('\n');
    expect(lines[0]).toBe('callprobe result: Pass');
    expect(text).toContain('Started 2025-01-01T00:00:00.000Z against relay.example.test');
    expect(text).toContain('Site: Berlin\nTicket: INC-42');
    expect(text).toMatch(/round trip p50 \d+\.\d ms/);
    const rows = verdictRows(r);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(lines).toContain(`${row.status.toUpperCase()}: ${row.sentence}`);
    expect(reportSummaryText(r)).not.toContain('Site:');
    // The same title as the page: a pass only over a fallback path, a test that could not finish.
    expect(reportSummaryText(golden('fallback-tcp.json')).split('\n')[0]).toBe('callprobe result: Pass, only over a fallback path');
    expect(reportSummaryText(golden('connection-lost.json')).split('\n')[0]).toBe('callprobe result: No verdict: the test could not finish');
  });

  it('says what failed for a test that could not run, in words, with the detail', () => {
    const record = {
      reason: 'relay-unreachable',
      message: 'no relay port answered within 4000 ms',
      atMs: Date.UTC(2026, 10, 23, 7, 0),
      meta: { server: 'http://127.0.0.1:8080', ticket: 'T-9' },
    };
    const lines = couldNotTestLines(record);
    expect(lines[0]).toBe('The test could not run.');
    expect(lines[1]).toMatch(/No relay port answered/);
    expect(lines).toContain('Detail: no relay port answered within 4000 ms (reason: relay-unreachable)');
    expect(lines).toContain('Started 2026-11-23T07:00:00.000Z against http://127.0.0.1:8080');
    expect(lines).toContain('Ticket: T-9');
    expect(couldNotTestText(record)).toBe(lines.join('\n'));
  });

  it('names the browser, not the network, when the browser cannot run the test', () => {
    const lines = couldNotTestLines({
      reason: 'browser-unsupported',
      message: 'This browser cannot run the test: it lacks RTCPeerConnection (WebRTC, which carries the probes).',
      atMs: Date.UTC(2026, 10, 23, 7, 0),
      meta: {},
    });
    expect(lines.slice(0, 2)).toEqual([
      'This browser cannot run the test.',
      'This browser lacks something the test needs, so nothing was measured: this says nothing about the network.',
    ]);
  });

  it('has words for every reason the session gives, and a general sentence for an unknown one', () => {
    for (const reason of [
      'config-unavailable',
      'signaling-failed',
      'relay-unreachable',
      'relay-refused',
      'ice-failed',
      'channel-not-lossy',
      'reflector-error',
      'version-mismatch',
      'server-busy',
      'browser-unsupported',
      'internal-error',
    ]) {
      expect(failureWords(reason)).not.toContain(reason);
    }
    expect(failureWords('warp-core-breach')).toBe('The test could not run (warp-core-breach).');
  });

  it('says where to look, and never puts a failure of the browser or the server on the network alone', () => {
    expect(couldNotTestSide('browser-unsupported')).toBe('browser');
    expect(couldNotTestSide('channel-not-lossy')).toBe('browser');
    expect(couldNotTestSide('version-mismatch')).toBe('server');
    expect(couldNotTestSide('server-busy')).toBe('server');
    expect(failureWords('server-busy')).toBe('The test server is busy. Try again in a minute.');
    expect(couldNotTestSide('config-unavailable')).toBe('server');
    expect(couldNotTestSide('relay-refused')).toBe('server');
    expect(couldNotTestSide('relay-unreachable')).toBe('network-or-server');
    expect(couldNotTestSide('could-not-connect')).toBe('network-or-server');
    expect(couldNotTestSide('bad-parameters')).toBe('link');
    expect(couldNotTestSide('warp-core-breach')).toBe('unknown');
    expect(sideWords(couldNotTestSide('browser-unsupported'))).toMatch(/^Where to look: this browser, not the network\./);
    expect(sideWords(couldNotTestSide('relay-unreachable'))).toMatch(/firewall or proxy, or the test server/);
    expect(sideWords('network')).toMatch(/^Where to look: this network's firewall\. This test server's relay was seen answering moments before/);
    const lines = couldNotTestLines({ reason: 'reflector-error', message: 'x', atMs: 0, meta: {} });
    expect(lines[2]).toBe('Where to look: the test server, not the network. Try again later; if it stays, tell whoever runs this test server.');
  });
});
