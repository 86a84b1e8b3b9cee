import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { aggregateCommand } from '../../../client/commands/aggregate.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { reflectorInput } from '../../analysis/report/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'callprobe-aggregate-'));
const byRtt = new Map<number, string>();
function reportFile(name: string, rttMs: number): string {
  const file = join(dir, `${name}.json`);
  let text = byRtt.get(rttMs);
  if (text === undefined) {
    text = JSON.stringify(analyze(reflectorInput({ count: 1502, rttMs: () => rttMs })));
    byRtt.set(rttMs, text);
  }
  writeFileSync(file, text);
  return file;
}

describe('callprobe aggregate', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('grades the 90th percentile of the per-test RTT p50s and exits like run', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
    // 54 tests at 40 ms and 6 at 150 ms: the nearest-rank P90 of sixty values is the 54th, 40 ms.
    const files = [...Array.from({ length: 54 }, (_, i) => reportFile(`ok${i}`, 40)), ...Array.from({ length: 6 }, (_, i) => reportFile(`bad${i}`, 150))];
    expect(await aggregateCommand(files, true)).toBe(0);
    const agg = JSON.parse(out.join('')) as { tests: number; entries: { target: string; p90: number | null }[] };
    expect(agg.tests).toBe(60);
    expect(agg.entries.find((e) => e.target === 'latency-rtt')?.p90).toBe(40);
    // Seven slow tests of sixty put the P90 on a slow one.
    expect(await aggregateCommand([...files, reportFile('bad6', 150)].slice(1), false)).toBe(1);
    // Ten tests are too few to grade a P90 (the site report's rule): exit 2, saying how many it needs.
    out.length = 0;
    expect(await aggregateCommand(files.slice(0, 10), false)).toBe(2);
    expect(out.join('')).toContain('(10 of 54)');
  });

  it('refuses a file that is not a report, naming the file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1 }));
    await expect(aggregateCommand([bad], false)).rejects.toThrow(/bad\.json is not a callprobe report/);
    await expect(aggregateCommand([], false)).rejects.toThrow(/at least one report/);
  });
});
