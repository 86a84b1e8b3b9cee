import { describe, expect, it } from 'vitest';
import { busyLineFacts, type SiteLoadFields } from '../../../src/analysis/site/busy-line.js';
import { busyLineSentence } from '../../../src/analysis/present/site-text.js';
import { buildSiteReport } from '../../../src/analysis/report/site-report.js';
import type { SiteSample } from '../../../src/analysis/site/site.js';
import { loadSection, weekOfSamples } from './week.js';

const ran = (
  kind: NonNullable<SiteLoadFields['verdict']>['kind'],
  up: [number | null, number | null] | null,
  down: [number | null, number | null] | null,
): SiteLoadFields => ({
  verdict: { kind },
  up: up === null ? null : { addedDelayMs: up[0], goodputMbps: up[1] },
  down: down === null ? null : { addedDelayMs: down[0], goodputMbps: down[1] },
});

/**
 * Five phases, figures by hand: uploads added 150, 200 and 20 ms (sorted 20, 150, 200: the
 * nearest-rank P50 is the 2nd, 150 ms, the P90 the 3rd, 200 ms, grade D as 200 is not under
 * 200; 150 and 200 are 60 ms or more), goodputs 2, 1.5 and 3 Mbit/s (median 2); downloads
 * 10, 20 and 5 ms (P50 10, P90 20, grade A, none harmful), 40, 50 and 45 Mbit/s (median 45).
 * The refused phase and the phase that could not load measured nothing.
 */
const FIVE = [
  { sample: 'A', load: ran('suffers', [150, 2], [10, 40]) },
  { sample: 'B', load: ran('suffers', [200, 1.5], [20, 50]) },
  { sample: 'C', load: ran('no-effect', [20, 3], [5, 45]) },
  { sample: 'D', load: { outcome: { reason: 'refused' }, up: null, down: null } satisfies SiteLoadFields },
  { sample: 'E', load: ran('could-not-load', [null, null], [null, null]) },
];

describe('busy line of a site', () => {
  it("counts each phase by what it said and takes each direction's added delay at P50 and P90, graded, and the median goodput", () => {
    expect(busyLineFacts(FIVE)).toEqual({
      samples: 5,
      suffers: 2,
      noEffect: 1,
      couldNotLoad: 1,
      deviceBusy: 0,
      serverBusy: 0,
      notRun: 1,
      harmfulDelayMs: 60,
      up: { direction: 'up', samplesMeasured: 3, p50AddedDelayMs: 150, p90AddedDelayMs: 200, p90Sample: 'B', grade: 'D', harmful: 2, medianGoodputMbps: 2 },
      down: { direction: 'down', samplesMeasured: 3, p50AddedDelayMs: 10, p90AddedDelayMs: 20, p90Sample: 'B', grade: 'A', harmful: 0, medianGoodputMbps: 45 },
    });
  });

  it("counts the phases whose delay was this device's or the server's apart, and keeps their figures out of the line's", () => {
    // F's uploads "added" 233 ms on this device's clock, G's 90 ms on a busy server: neither is the line's,
    // so the up figures stay those of A, B and C (P50 150, P90 200, 2 of 3 harmful).
    const seven = [...FIVE, { sample: 'F', load: ran('device-busy', [233, 150], [4, 160]) }, { sample: 'G', load: ran('server-busy', [90, 20], [3, 40]) }];
    const facts = busyLineFacts(seven);
    expect(facts).toMatchObject({ samples: 7, suffers: 2, deviceBusy: 1, serverBusy: 1, notRun: 1 });
    expect(facts?.up).toMatchObject({ samplesMeasured: 3, p50AddedDelayMs: 150, p90AddedDelayMs: 200, harmful: 2 });
    if (facts === null) throw new Error('expected facts');
    expect(busyLineSentence(facts)).toMatch(
      /^Busy line \(not part of the verdict\): 7 samples loaded the line; calls suffered in 2, no effect was seen in 1, the line could not be loaded in 1, the testing device, not the line, added the delay in 1 and the test server, not the line, was slow in 1; 1 could not run the phase\. /,
    );
  });

  it('says it in one explanation line, never as part of the verdict', () => {
    const facts = busyLineFacts(FIVE);
    if (facts === null) throw new Error('expected facts');
    expect(busyLineSentence(facts)).toBe(
      'Busy line (not part of the verdict): 5 samples loaded the line; calls suffered in 2, no effect was seen in 1 and the line could not be loaded in 1; 1 could not run the phase. ' +
        'Uploads added 200 ms at the 90th percentile (grade D) and 150 ms at the median over 3 samples; 2 of 3 added 60 ms or more; median goodput 2 Mbit/s. ' +
        'Downloads added 20 ms at the 90th percentile (grade A) and 10 ms at the median over 3 samples; median goodput 45 Mbit/s.',
    );
  });

  it('is null when no sample loaded the line, and a phase that never ran says only that', () => {
    expect(busyLineFacts([])).toBeNull();
    const refused = busyLineFacts([{ sample: 'D', load: { outcome: { reason: 'refused' }, up: null, down: null } }]);
    if (refused === null) throw new Error('expected facts');
    expect(busyLineSentence(refused)).toBe('Busy line (not part of the verdict): 1 sample loaded the line; 1 could not run the phase.');
  });

  it('in the site report: from the pooled reports only, its sentence in the explanation, the verdict unchanged', () => {
    const week = weekOfSamples({ seed: 5, samples: 200, site: 'Lyon', couldNotTestEvery: 30 });
    const samples = (loaded: boolean): SiteSample[] =>
      week.map((w, i) => ({
        id: `id-${i}`,
        code: null,
        startedAtMs: w.startedAtMs,
        body:
          w.kind === 'could-not-test'
            ? { kind: 'could-not-test', reason: w.body.reason }
            : {
                kind: 'report',
                report: loaded && i % 10 === 0 ? { ...w.body, load: loadSection({ kind: 'suffers', up: [100 + i, 2], down: [i / 10, 40] }) } : w.body,
              },
      }));
    const opts = { site: 'Lyon', sinceMs: null, choice: { profile: null, probePath: null } };
    const without = buildSiteReport(samples(false), opts);
    const withLoad = buildSiteReport(samples(true), opts);
    expect(without.busyLine).toBeNull();
    // Samples 0, 10, ..., 190 are reports (every 30th from 29 on could not test): 20 phases.
    expect(withLoad.busyLine).toMatchObject({ samples: 20, suffers: 20, up: { samplesMeasured: 20, p50AddedDelayMs: 190, p90AddedDelayMs: 270, grade: 'D' } });
    expect(withLoad.explanation).toContain(withLoad.busyLine?.sentence);
    expect(withLoad.verdict).toBe(without.verdict);
    expect(withLoad.metrics).toEqual(without.metrics);
  });
});
