/**
 * conclusionProblem: an uploaded report's grades read again from their values, comparators and
 * thresholds, and its verdict and provisional `held` from its own grades and outcome. Every golden
 * report agrees with itself; a forged status, verdict or claim is named.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conclusionProblem } from '../../../src/analysis/report/consistency.js';
import { acceptReport } from '../../../src/analysis/report/accept.js';
import type { ProvisionalClaim, Report } from '../../../src/analysis/schema/report-schema.js';
import { repoRoot } from '../../kit/paths.js';

const GOLDEN = join(repoRoot, 'test/analysis/report/golden');
const golden = (name: string): Report => acceptReport(JSON.parse(readFileSync(join(GOLDEN, name), 'utf8')));
const reports = readdirSync(GOLDEN).filter((f) => f.endsWith('.json') && !f.startsWith('aggregate-'));

/** A report with one provisional answer holding `claims`. */
const withClaims = (r: Report, claims: ProvisionalClaim[]): Report => ({ ...r, provisional: [{ atMs: 3000, claims }] });
const claim = (c: Pick<ProvisionalClaim, 'metric' | 'direction' | 'kind' | 'held'>): ProvisionalClaim => ({ ...c, evidence: 'hand-built' });

describe('conclusionProblem', () => {
  it.each(reports)('finds nothing to refuse in the golden report %s', (name) => {
    expect(conclusionProblem(golden(name))).toBeNull();
  });

  it('names a grade whose status its own value contradicts: a round trip of 620 ms against < 100 sent as a pass, and a pass without a value', () => {
    const r = golden('clean-15s.json');
    const i = r.grades.findIndex((g) => g.target === 'latency-rtt');
    const g = r.grades[i];
    expect(g?.status).toBe('pass');
    const forged = (over: Partial<Report['grades'][number]>): Report => ({ ...r, grades: r.grades.map((x, j) => (j === i ? { ...x, ...over } : x)) });
    expect(conclusionProblem(forged({ value: 620 }))).toBe(
      `/grades/${i}/status is "pass", but its value 620 ms against < 100 ms makes it "fail" (latency-rtt, round-trip)`,
    );
    expect(conclusionProblem(forged({ value: 100 }))).toMatch(/makes it "fail"/);
    expect(conclusionProblem(forged({ value: 40, status: 'fail' }))).toMatch(new RegExp(`^/grades/${i}/status is "fail", but its value 40 ms`));
    expect(conclusionProblem(forged({ value: null }))).toBe(`/grades/${i}/status is "pass" without a value to grade (latency-rtt, round-trip)`);
    // An insufficient grade's value is not graded again: it was not decisive.
    expect(
      conclusionProblem({
        ...forged({ value: 620, status: 'insufficient', reason: 'too-few-packets' }),
        summary: { ...r.summary, verdict: 'insufficient', insufficientCause: 'too-few-probes' },
      }),
    ).toBeNull();
  });

  it('names a verdict its grades contradict: a failing report sent as a pass', () => {
    const r = golden('loss-heavy.json');
    expect(r.summary.verdict).toBe('fail');
    expect(conclusionProblem({ ...r, summary: { ...r.summary, verdict: 'pass' } })).toBe('/summary/verdict is "pass", but its grades make it "fail"');
  });

  it('names a cause given for a verdict, and a missing verdict without one', () => {
    const pass = golden('clean-15s.json');
    expect(conclusionProblem({ ...pass, summary: { ...pass.summary, insufficientCause: 'device-busy' } })).toBe(
      '/summary/insufficientCause is "device-busy", but the verdict is "pass"',
    );
    const none = golden('device-busy.json');
    expect(conclusionProblem({ ...none, summary: { ...none.summary, insufficientCause: null } })).toBe(
      '/summary/insufficientCause is null, but the verdict is "insufficient"',
    );
  });

  it('names server figures that contradict each other, and passes those that hold together', () => {
    const r = golden('clean-15s.json');
    const server = { eventLoopDelayMsP50: 0.2, eventLoopDelayMsP99: 4.1, busyWindows: 2, windows: 75 };
    expect(conclusionProblem({ ...r, server })).toBeNull();
    expect(conclusionProblem({ ...r, server: { ...server, busyWindows: 76 } })).toBe('/server/busyWindows is 76, more than the 75 windows it counts from');
    expect(conclusionProblem({ ...r, server: { ...server, eventLoopDelayMsP50: 5 } })).toBe(
      '/server/eventLoopDelayMsP50 is 5 ms, above its 99th percentile of 4.1 ms',
    );
  });

  it('names a pass claimed for a test our side could not finish', () => {
    const r = golden('connection-lost.json');
    expect(conclusionProblem({ ...r, summary: { ...r.summary, verdict: 'pass' } })).toBe(
      '/summary/verdict is "pass", but a test that did not finish (connection-lost) is "insufficient"',
    );
  });

  it("takes a could-not-connect test as the network's, and a fail, only from its own ladder and the relay's evidence", () => {
    const fail = golden('blocked-every-port.json');
    expect(conclusionProblem(fail)).toBeNull();
    expect(conclusionProblem({ ...fail, summary: { ...fail.summary, verdict: 'insufficient', insufficientCause: 'could-not-finish' } })).toBe(
      '/summary/verdict is "insufficient", but a test that did not finish (could-not-connect) is "fail"',
    );
    const outcome = fail.outcome;
    if (outcome === null) throw new TypeError('blocked-every-port.json has no outcome');
    expect(conclusionProblem({ ...fail, outcome: { ...outcome, relayEvidence: null } })).toBe(
      '/outcome/side is "network" without the relay\'s evidence (/outcome/relayEvidence)',
    );
    const answered = fail.connectivity.map((r, i) => (i === 0 ? { ...r, reachable: false, error: 'turn-508' } : r));
    expect(conclusionProblem({ ...fail, connectivity: answered })).toBe(
      '/outcome/side is "network", but not every relay port the server offered was blocked (/connectivity)',
    );
    const lost = golden('connection-lost.json');
    if (lost.outcome === null) throw new TypeError('connection-lost.json has no outcome');
    expect(conclusionProblem({ ...lost, outcome: { ...lost.outcome, side: 'network' } })).toBe(
      '/outcome/side is "network", which only a test that could not connect can be (this one: connection-lost)',
    );
    // No verdict on the network's side with a port untried (the default server offers no 443).
    expect(conclusionProblem(golden('blocked-default-ports.json'))).toBeNull();
  });

  it("reads each claim's held against the final grade of its target and direction", () => {
    const r = golden('loss-heavy.json');
    const failed = r.grades.find((g) => g.status === 'fail' && g.direction !== 'round-trip' && g.target === 'loss-15s');
    const passed = r.grades.find((g) => g.status === 'pass');
    if (failed === undefined || passed === undefined) throw new TypeError('loss-heavy.json has no failed loss-15s grade or no passed grade');
    const on = (g: typeof failed) => ({ metric: g.target, direction: g.direction });
    // Consistent: a settled fail that failed held, or not (its window may have been suspect); a so-far figure holds nothing.
    expect(conclusionProblem(withClaims(r, [claim({ ...on(failed), kind: 'settled-fail', held: true })]))).toBeNull();
    expect(conclusionProblem(withClaims(r, [claim({ ...on(failed), kind: 'settled-fail', held: false })]))).toBeNull();
    expect(conclusionProblem(withClaims(r, [claim({ ...on(passed), kind: 'likely-pass', held: true })]))).toBeNull();
    expect(conclusionProblem(withClaims(r, [claim({ ...on(failed), kind: 'so-far', held: null })]))).toBeNull();
    // Forged: a likely pass that failed said to have held, a fail claim on a passed target said to have held.
    expect(conclusionProblem(withClaims(r, [claim({ ...on(failed), kind: 'likely-pass', held: true })]))).toBe(
      `/provisional/0/claims/0/held is true, but a likely-pass claim on loss-15s (${failed.direction}) whose final grade is fail makes it false`,
    );
    expect(conclusionProblem(withClaims(r, [claim({ ...on(passed), kind: 'likely-fail', held: true })]))).toMatch(
      /held is true, but a likely-fail claim .* makes it false$/,
    );
    expect(conclusionProblem(withClaims(r, [claim({ ...on(failed), kind: 'so-far', held: false })]))).toMatch(
      /held is false, but a so-far claim .* makes it null$/,
    );
  });
});
