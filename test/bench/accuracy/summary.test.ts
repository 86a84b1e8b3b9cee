/** The accuracy bench's summary: the headline figures and one criterion row per scenario and tool. */
import { describe, expect, it } from 'vitest';
import type { Criterion } from '../../../bench/accuracy/criterion.js';
import { accuracySummary } from '../../../bench/accuracy/summary.js';

const crit = (medianErrorMs: number, ok: boolean): Criterion => ({
  seeds: 3,
  rtt: { medianErrorMs, toleranceMs: 1.03, ok },
  up: { medianErrorPackets: 0, twoSigmaPackets: 0, ok: true },
  down: { medianErrorPackets: 0, twoSigmaPackets: 0, ok: true },
  ok,
});

describe('accuracySummary', () => {
  it('keeps command, machine and summary, and flattens the criteria in scenario order, rtp, datachannel, irtt', () => {
    const raw = {
      command: 'npm run bench:accuracy',
      machine: { cores: 2 },
      summary: { criterionMet: { rtp: '2/2' } },
      scenarios: [
        {
          name: 'clean',
          description: 'no impairment',
          criteria: { rtp: crit(-0.1, true), datachannel: crit(0.2, true), irtt: crit(0, true) },
          runs: ['large'],
        },
        { name: 'delay', description: '50 ms', criteria: { rtp: crit(0.3, true), datachannel: crit(2.5, false), irtt: crit(0.1, true) }, runs: ['large'] },
      ],
    };
    const s = accuracySummary(raw);
    expect(Object.keys(s)).toEqual(['command', 'machine', 'summary', 'criteria']);
    expect(s.summary).toEqual({ criterionMet: { rtp: '2/2' } });
    expect(s.criteria.map((r) => `${r.scenario} ${r.tool} ${r.rtt.medianErrorMs} ${r.ok}`)).toEqual([
      'clean rtp -0.1 true',
      'clean datachannel 0.2 true',
      'clean irtt 0 true',
      'delay rtp 0.3 true',
      'delay datachannel 2.5 false',
      'delay irtt 0.1 true',
    ]);
  });
});
