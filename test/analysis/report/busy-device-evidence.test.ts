import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { AnalysisInput } from '../../../src/analysis/schema/input.js';
import { schemaErrors } from '../../kit/report-validator.js';

/**
 * Real evidence (`callprobe run --load --evidence`, times rounded to a microsecond): a 15 s test
 * on loopback, where nothing queues, with Debian's Chromium capped at 20 % of one core (cgroup v1
 * cpu, 10 ms period). The page's round trips were ~50 ms instead of ~1, the sender's timer ran
 * 1.4 s late at p99, and the network thread's own round trip was inflated too (ICE 50 ms): only the
 * device's own evidence and the server's view tell it apart. The oracle is the setup: a clean
 * loopback path, so any fail or `suffers` would be this device graded as the network.
 */
const input = JSON.parse(gunzipSync(readFileSync(new URL('./evidence/busy-device-20pct.json.gz', import.meta.url))).toString('utf8')) as AnalysisInput;

describe('a browser starved to 20 % of a core on a clean path', () => {
  const report = analyze(input);

  it('is a valid report that fails nothing and names this device as the cause', () => {
    expect(schemaErrors(report)).toEqual([]);
    expect(report.grades.filter((g) => g.status === 'fail')).toEqual([]);
    expect(report.summary.verdict).toBe('insufficient');
    expect(report.summary.insufficientCause).toBe('device-busy');
    expect(report.attribution?.busy).toBe('device-busy');
    expect(report.attribution?.mostlySuspect).toBe(true);
  });

  it('grades no round trip of its inflated ones as the network’s latency', () => {
    const latency = report.grades.filter((g) => g.target === 'latency-rtt' || g.target === 'latency-one-way');
    expect(latency.map((g) => g.status)).toEqual(['insufficient', 'insufficient']);
    expect(report.attribution?.roundTrips.clean).toBeLessThan((report.attribution?.roundTrips.measured ?? 0) / 2);
  });

  it('says so in words: the device, with the timer figure, and never the smart-queue advice', () => {
    expect(report.explanation.join('\n')).toMatch(/this device was too busy to measure the network \(its timer ran [\d,.]+ ms late/);
    expect(JSON.stringify(report)).not.toMatch(/smart queue/i);
  });

  it('does not blame the line for the busy-line phase', () => {
    expect(report.load?.verdict?.kind).not.toBe('suffers');
    expect(report.load?.outcome?.reason).toBe('device-busy');
  });
});

/**
 * Real evidence (`npm run bench:accuracy -- --rows load-hogs`, the run a bench kept because it said
 * `suffers`): `callprobe run --load` on loopback, where nothing queues, with one CPU-bound process
 * per core beside it. The uploads carried 50 MB in 0.54 s; the probes' transit rose 60 ms; one ICE
 * check read 171 ms while RTCP, read at the same moment, said 4.1 ms; the server's arrival bins
 * were too few to judge (under 1 s). The oracle is the setup: any `suffers` is this device graded as
 * the line.
 */
describe('the busy line beside CPU-bound work on loopback', () => {
  const hogs = JSON.parse(gunzipSync(readFileSync(new URL('./evidence/busy-line-hogs.json.gz', import.meta.url))).toString('utf8')) as AnalysisInput;
  const report = analyze(hogs);

  it('names this device for the uploads, not the line: one rising reading that RTCP contradicts confirms nothing', () => {
    expect(schemaErrors(report)).toEqual([]);
    expect(report.load?.verdict?.kind).not.toBe('suffers');
    expect(report.load?.up?.attribution).toMatchObject({ who: 'device', why: 'rtt-view-flat' });
    expect(JSON.stringify(report)).not.toMatch(/smart queue/i);
  });
});

/**
 * Real evidence (`npm run bench:accuracy -- --rows jitter-up-hogs`): a 15 s test on loopback
 * through the impairment proxy injecting normal jitter (sigma 4 ms) upstream, beside one CPU-bound
 * process per core on 2 cores (load 31). The proxy's own RFC 3550 jitter over the delays it
 * applied was 7.2 ms; the arrivals gave 12.9 ms, the network's time alone as much: probes just
 * outside the device's and the server's stretches still carry their lateness.
 */
describe('jitter injected upstream on a device beside CPU-bound work', () => {
  const jittered = JSON.parse(gunzipSync(readFileSync(new URL('./evidence/busy-jitter-hogs.json.gz', import.meta.url))).toString('utf8')) as AnalysisInput;
  const report = analyze(jittered);

  it('never gives the jitter as the network’s alone: marked, and the device’s caution said', () => {
    expect(schemaErrors(report)).toEqual([]);
    expect(report.grades.filter((g) => g.status === 'fail')).toEqual([]);
    const up = report.attribution?.directions.find((d) => d.direction === 'up');
    // 12.9 ms against 7.2 ms injected: off by more than 30 %, so it must be marked.
    expect(up?.jitter?.reportedMs ?? 0).toBeGreaterThan(7.2 * 1.3);
    expect(up?.jitter?.device).toBe(true);
    expect(report.summary.caution).toBe('device-busy');
  });
});
