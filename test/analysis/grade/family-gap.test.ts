import { describe, expect, it } from 'vitest';
import { worseFamily } from '../../../src/analysis/grade/family-gap.js';
import type { FamilyFigures } from '../../../src/analysis/schema/network-schema.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';

const fam = (rttMsP50: number | null, lossPct: number | null, state: FamilyFigures['state'] = 'ok'): FamilyFigures => ({
  state,
  rttMsP50,
  rttMsP90: rttMsP50,
  lossPct,
  probesSent: 50,
  probesJudged: 50,
});

describe('worseFamily (20 ms and 1.25 times the other median, or 6 points more loss)', () => {
  it.each<[string, FamilyFigures, FamilyFigures, 'ipv4' | 'ipv6' | null]>([
    ['IPv6 20 ms and 1.5 times longer', fam(40, 0), fam(60, 0), 'ipv6'],
    ['IPv6 19.9 ms longer: not much', fam(40, 0), fam(59.9, 0), null],
    // 20 ms more on a 200 ms path is its own noise: 1.1 times, under the ratio.
    ['20 ms more on a long path (1.1 times)', fam(200, 0), fam(220, 0), null],
    ['IPv4 80 ms against 50 ms', fam(80, 0), fam(50, 0), 'ipv4'],
    ['IPv4 6 points more loss (3 of 50 probes)', fam(30, 6), fam(30, 0), 'ipv4'],
    ['IPv4 4 points more loss (2 of 50): chance', fam(30, 4), fam(30, 0), null],
    ['one much slower, the other much lossier: no single worse family', fam(80, 0), fam(30, 10), null],
    ['IPv6 did not reach the relay: nothing to compare', fam(30, 0), fam(null, null, 'unreachable'), null],
  ])('%s', (_what, ipv4, ipv6, expected) => {
    expect(worseFamily(ipv4, ipv6, DEFAULTS.families)).toBe(expected);
  });
});
