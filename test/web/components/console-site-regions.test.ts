// @vitest-environment happy-dom
/**
 * The console's site report with the site x region table: a site sampled through a hub with three
 * edges shows one row per edge (region and id, samples, tests run on it, the locate P50 and P90,
 * the row's limit where graded, the status), under a caption that says these are locate figures
 * and not part of the verdict; a site with no edges shows no such table.
 */
import { render } from 'lit';
import { describe, expect, it } from 'vitest';
import { siteReportView } from '../../../src/web/components/console-site.js';
import { buildSiteReport } from '../../../src/analysis/report/site-report.js';
import type { SiteSample } from '../../../src/analysis/site/site.js';
import { weekThroughHub } from '../../analysis/site/edges-week.js';
import { weekOfSamples, type WeekSample } from '../../analysis/site/week.js';
import { words } from './dom.js';

const samplesOf = (week: WeekSample[]): SiteSample[] =>
  week.map((w, i) => ({
    id: `s${i}`,
    code: null,
    startedAtMs: w.startedAtMs,
    body: w.kind === 'could-not-test' ? { kind: 'could-not-test', reason: w.body.reason } : { kind: 'report', report: w.body },
  }));

function shown(week: WeekSample[]): HTMLElement {
  const host = document.createElement('div');
  document.body.append(host);
  render(siteReportView(buildSiteReport(samplesOf(week), { site: 'Lyon', sinceMs: null, choice: { profile: null, probePath: null } })), host);
  return host;
}

describe('the console site report, region by region', () => {
  it('shows a row per edge of the hub, labelled as locate figures, the region edge graded against the row', () => {
    const host = shown(weekThroughHub({ seed: 11, samples: 120, site: 'Lyon' }));
    const table = host.querySelector('[data-testid="site-regions"]');
    expect(words(host)).toContain('Region by region (locate figures)');
    const rows = [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => words(c)));
    expect(rows).toEqual([
      ['West Europe (weu-1)', '120', '120', '24.0 ms', '28.0 ms', '< 135 ms', 'pass'],
      ['North Europe (neu-1)', '120', '0', '33.0 ms', '36.0 ms', '–', 'not graded'],
      ['East US (eus-1)', '120', '0', '87.0 ms', '89.0 ms', '–', 'not graded'],
    ]);
    host.remove();
  });

  it('shows no region table for a site tested on one server', () => {
    const host = shown(weekOfSamples({ seed: 11, samples: 20, site: 'Lyon' }));
    expect(host.querySelector('[data-testid="site-regions"]')).toBeNull();
    host.remove();
  });
});
