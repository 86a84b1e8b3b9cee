import { SCHEMA_VERSION } from '../../../src/analysis/schema/version.js';
import { describe, expect, it } from 'vitest';
import { provisionalFrom } from '../../../src/analysis/grade/provisional.js';
import { resolveProfile } from '../../../src/analysis/grade/targets.js';
import { provisionalLine, provisionalView } from '../../../src/analysis/present/provisional.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { reportSchemaProblem } from '../../../src/analysis/schema/check.js';
import { provisionalMoment, reflectorInput } from './inputs.js';

describe('the provisional answers in the report', () => {
  // 15.1 s at 100 probes/s; upstream probes 300-302 (3000-3020 ms) never arrive: 3 of 20 in 200 ms, over the 10 % burst limit.
  const input = reflectorInput({ count: 1510, up: { lost: (i) => i >= 300 && i <= 302 }, down: { startMs: 5000 } });
  const setting = { profile: resolveProfile({ id: 'client-to-edge' }), ratePps: 100, channelOk: true, durationS: 15, intervalMs: 10, likelyClaims: true };
  const at3 = provisionalFrom(provisionalMoment(input, 3000), { ...setting, failedBefore: false });
  const at5 = provisionalFrom(provisionalMoment(input, 5000), { ...setting, failedBefore: false });
  const at7 = provisionalFrom(provisionalMoment(input, 7000), { ...setting, failedBefore: false });
  const report = analyze({ ...input, provisional: [at3.facts, at5.facts, at7.facts] });

  it('keeps each answer with its claims in words, each checked against the final grades', () => {
    expect(reportSchemaProblem(SCHEMA_VERSION, report)).toBeNull();
    const [first, second, third] = report.provisional ?? [];
    expect(first?.atMs).toBe(3000);
    // At 3 s the burst (sent 3000-3020 ms) is younger than the loss timeout: nothing about it yet.
    expect(first?.claims.find((c) => c.metric === 'burst-loss-200ms' && c.direction === 'up')).toMatchObject({ kind: 'so-far', held: null });
    // 40 ms round trips: by 3 s and by 5 s fewer than 5 whole seconds are judged (the loss timeout
    // holds back the last second): no claim yet. By 7 s, 6 whole seconds: a likely pass that the
    // final grade (40 ms) confirms.
    expect(first?.claims.find((c) => c.metric === 'latency-rtt')).toMatchObject({ kind: 'so-far', held: null });
    expect(second?.claims.find((c) => c.metric === 'latency-rtt')).toMatchObject({ kind: 'so-far', held: null });
    expect(third?.claims.find((c) => c.metric === 'latency-rtt')).toMatchObject({ kind: 'likely-pass', held: true });
    // At 5 s the window [2830, 3030) has ended and is judged: settled, and the final grade fails on it.
    expect(second?.claims.find((c) => c.metric === 'burst-loss-200ms' && c.direction === 'up')).toEqual({
      metric: 'burst-loss-200ms',
      direction: 'up',
      kind: 'settled-fail',
      evidence: '3 of 20 probes (15%) lost in 200 ms at 2.83 s; limit < 10%',
      held: true,
    });
    // Beside a fail, no pass on loss is claimed.
    expect(second?.claims.filter((c) => c.metric === 'loss-15s').map((c) => c.kind)).toEqual(['so-far', 'so-far']);
    expect(report.grades.find((g) => g.target === 'burst-loss-200ms' && g.direction === 'up')?.status).toBe('fail');
  });

  it('words the answer for everyone, the numbers beside it', () => {
    const v = provisionalView(at5.facts, { path: { transport: 'udp', port: 3478 }, quiet: [] });
    expect(v.tone).toBe('bad');
    expect(v.headline).toBe(
      'Calls will break up here: 3 of 20 probes (15%) lost in 200 ms at 2.83 s, you to the relay. This will not change. The test goes on to the end to measure everything else.',
    );
    expect(v.items[0]).toEqual({ state: 'settled', text: 'Connected through the relay the way calls prefer (port 3478).', expert: '' });
    expect(v.items.map((i) => i.state)).toEqual(['settled', 'settled', 'so-far', 'so-far', 'so-far', 'so-far', 'so-far']);
    const good = provisionalView(
      provisionalFrom(provisionalMoment(reflectorInput({ count: 1510, down: { startMs: 5000 } }), 7000), { ...setting, failedBefore: false }).facts,
      {
        path: { transport: 'udp', port: 3478 },
        quiet: [],
      },
    );
    expect(good.tone).toBe('good');
    expect(good.items.find((i) => i.text.startsWith('Loss, you to the relay'))?.text).toBe(
      'Loss, you to the relay: under 1% with 95% confidence for these 6.01 s (none of 601 probes lost).',
    );
    expect(provisionalLine(provisionalView(at3.facts, { path: { transport: 'udp', port: 3478 }, quiet: [] }))).toMatch(
      /^provisional at 3 s: Too early to tell: not enough seconds measured yet to be 95% sure\. .*Round trip so far: 40 ms, under the 100 ms target so far; not enough seconds measured yet to be 95% sure;.* Not yet known: the worst 15-second window\./,
    );
    expect(provisionalLine(provisionalView(at7.facts, { path: { transport: 'udp', port: 3478 }, quiet: [] }))).toMatch(
      /Round trip so far: 40 ms, under the 100 ms target \(95% sure\);/,
    );
  });

  it('leaves the field out when no provisional answer was shown', () => {
    expect(analyze(input).provisional).toBeUndefined();
  });
});
