import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../../server/commands/summary.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { reflectorInput } from '../../analysis/report/inputs.js';

describe('callprobe run: human summary', () => {
  it('prints the figures with the precision the grades used (99.96 ms passes "< 100 ms")', () => {
    const text = formatSummary(analyze(reflectorInput({ count: 1500, rttMs: () => 99.96 })));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Verdict: PASS');
    expect(text).toContain('\n  client to relay edge; reflector mode via udp/3478; 15 s at 100 probes/s\n');
    expect(text).toContain('\n  round trip p50 99.96 ms, p90 99.96 ms; jitter 0.0 ms; loss 0.00% (worst 200 ms: 0.00%); reorder 0.00%; MOS estimate ');
    expect(text).toContain('\n  upstream (you → relay): loss 0.00%, jitter 0.0 ms, reorder 0.00%, 0 lost probes\n');
    expect(lines[1]).toBe('  Calls should work well here.');
    expect(text).toContain('\n  To be thorough:\n    1. Run a 74 s test to confirm packet reorder.');
    expect(text).toContain('\n  PASS, NOT CONFIRMED  ');
    expect(text).toContain(
      '\n  PASS                 Round-trip time to the relay was 99.96 ms (median of 1,500 probes); the target is below 100 ms, so this passes.\n',
    );
    expect(text).not.toMatch(/\b100\.0 ms/);
  });

  it('shows a dash for figures a test could not measure', () => {
    const input = reflectorInput({ count: 10 });
    const text = formatSummary(analyze({ ...input, roundTrip: { sent: input.roundTrip.sent, samples: [] } }));
    expect(text).toMatch(/^Verdict: INSUFFICIENT/);
    expect(text).toContain('round trip p50 –, p90 –;');
    expect(text).toContain('MOS estimate –;');
  });
});
