import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { aggregateCommand } from '../../../server/commands/aggregate.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { reflectorInput } from '../../analysis/report/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'callprobe-aggregate-'));
function reportFile(name: string, rttMs: number): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(analyze(reflectorInput({ count: 1502, rttMs: () => rttMs }))));
  return file;
}

describe('callprobe aggregate', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('grades the 90th percentile of the per-test RTT p50s and exits like run', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
    // Nine tests at 40 ms and one at 150 ms: the nearest-rank P90 of ten values is the 9th, 40 ms.
    const files = [...Array.from({ length: 9 }, (_, i) => reportFile(`ok${i}`, 40)), reportFile('bad', 150)];
    expect(await aggregateCommand(files, true)).toBe(0);
    const agg = JSON.parse(out.join('')) as { tests: number; entries: { target: string; p90: number | null }[] };
    expect(agg.tests).toBe(10);
    expect(agg.entries.find((e) => e.target === 'latency-rtt')?.p90).toBe(40);
    // Two slow tests of ten put the P90 on a slow one.
    expect(await aggregateCommand([...files, reportFile('bad2', 150)].slice(1), false)).toBe(1);
  });

  it('refuses a file that is not a report, naming the file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1 }));
    await expect(aggregateCommand([bad], false)).rejects.toThrow(/bad\.json is not a callprobe report/);
    await expect(aggregateCommand([], false)).rejects.toThrow(/at least one report/);
  });
});
