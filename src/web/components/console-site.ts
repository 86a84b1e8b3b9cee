/**
 * The help desk console's site report (loaded when a site report is opened, so the console's
 * first load stays small): the verdict and its explanation, every target's P50/P90/P99 against
 * its limit, the P90 of every target day by day, and the hours of the week as a heat map of the
 * share of samples that failed, each figure as a table too, and the busy line of the samples
 * that loaded the line. Numbers are written by
 * src/analysis/present/format.ts, as on the page and in `callprobe report`.
 */
import { SITE_REGIONS_CAPTION } from '../../analysis/present/site-regions.js';
import { html, nothing, type TemplateResult } from 'lit';
import type { SiteReport } from '../../analysis/report/site-report.js';
import type { HourCell } from '../../analysis/site/site.js';
import { count, figure, limit, ms, pct } from '../../analysis/present/format.js';
import { hourCellName } from '../../analysis/present/site-text.js';
import { mbps } from '../../analysis/present/load.js';
import { targetWhere } from '../../analysis/present/sentences.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** A target with its direction, in full (the P90 table's rows). */
function columnOf(m: SiteReport['metrics'][number]): string {
  return targetWhere(m.label, m.direction);
}

const SHORT: Record<SiteReport['metrics'][number]['target'], string> = {
  'latency-one-way': 'One-way delay',
  'latency-rtt': 'Round trip',
  'burst-loss-200ms': 'Burst loss',
  'loss-15s': 'Loss',
  'jitter-15s': 'Jitter',
  reorder: 'Reorder',
};

/** A heading short enough for a column of the day-by-day table: "Loss up (< 1%)". */
function shortColumnOf(m: SiteReport['metrics'][number]): string {
  const where = m.direction === 'up' ? ' up' : m.direction === 'down' ? ' down' : '';
  return `${SHORT[m.target]}${where} (${limit(m.threshold, m.unit)})`;
}

/** The heat map's shade of one cell: the share of its samples that failed, in steps a reader can tell apart. */
function shade(c: HourCell | undefined): string {
  if (c === undefined) return 'none';
  if (c.failedPct === 0) return 's0';
  if (c.failedPct < 10) return 's1';
  if (c.failedPct < 25) return 's2';
  if (c.failedPct < 50) return 's3';
  return 's4';
}

function cellTitle(c: HourCell | undefined, weekday: number, hour: number): string {
  const name = hourCellName({ weekday, hour });
  if (c === undefined) return `${name}: no sample`;
  return `${name}: ${count(c.samples)} samples, ${count(c.failed)} failed (${pct(c.failedPct)})`;
}

/** The whole site report as the console shows it. */
export function siteReportView(r: SiteReport): TemplateResult {
  return html`<section aria-labelledby="site-report" data-testid="site-report">
    <h2 id="site-report" tabindex="-1">Site report: ${r.site ?? '(no site)'} <span class=${r.verdict}>${r.verdict}</span></h2>
    <p>
      ${count(r.samples)} samples graded of ${count(r.samplesTotal)}${r.profile ? html`, ${r.profile.label}` : nothing}${r.since ? html`, since ${r.since}` : nothing};
      hours and days in ${r.timeZone}.
    </p>
    <ul>
      ${r.explanation.map((e) => html`<li>${e}</li>`)}
    </ul>
    ${metricsTable(r)} ${r.regions.length > 0 ? regionsTable(r.regions) : nothing} ${r.busyLine !== null ? busyLineTable(r.busyLine) : nothing}
    ${r.days.length > 0 ? daysTable(r) : nothing}
    ${r.hours.length > 0 ? heatMap(r) : nothing}
  </section>`;
}

/** A column heading: its text, and its full name where the text is short. */
type Column = string | { text: string; title: string };

/** A table in a region that scrolls sideways on a narrow screen (focusable, so a keyboard can scroll it too). */
function scrollTable(label: string, testId: string, columns: readonly Column[], rows: readonly TemplateResult[]): TemplateResult {
  return html`<div class="scroll" tabindex="0" role="region" aria-label=${label}>
    <table data-testid=${testId}>
      <thead>
        <tr>
          ${columns.map((c) => (typeof c === 'string' ? html`<th scope="col">${c}</th>` : html`<th scope="col" title=${c.title}>${c.text}</th>`))}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}

function metricsTable(r: SiteReport): TemplateResult {
  return html`<h3>The 90th percentile of each target</h3>
    ${scrollTable(
      'The percentiles of each target',
      'site-metrics',
      ['Target', 'P50', 'P90', 'P99', 'Limit', 'Missed', 'Status'],
      r.metrics.map(
        (m) =>
          html`<tr>
            <th scope="row">${columnOf(m)}</th>
            <td>${figure(m.p50, m.unit)}</td>
            <td>${figure(m.p90, m.unit, m.threshold)}</td>
            <td>${figure(m.p99, m.unit)}</td>
            <td>${limit(m.threshold, m.unit)}</td>
            <td>${m.missedPct === null ? '–' : figure(m.missedPct, '%')}</td>
            <td class=${m.status}>${m.status}</td>
          </tr>`,
      ),
    )}`;
}

/** The site x region table: per test server, the P90 of the samples' locate medians (never part of the verdict). */
function regionsTable(rows: SiteReport['regions']): TemplateResult {
  return html`<h3>Region by region</h3>
    <p class="hint">${SITE_REGIONS_CAPTION}</p>
    ${scrollTable(
      'Region by region: locate figures',
      'site-regions',
      ['Test server', 'Samples', 'Tested on it', 'Locate P50', 'Locate P90', 'Limit', 'Status'],
      rows.map(
        (v) =>
          html`<tr data-edge=${v.id}>
            <th scope="row">${v.azureRegion} (${v.id})</th>
            <td>${count(v.samples)}</td>
            <td>${count(v.tested)}</td>
            <td>${figure(v.p50Ms, 'ms')}</td>
            <td>${figure(v.p90Ms, 'ms', v.graded?.threshold)}</td>
            <td>${v.graded === null ? '–' : limit(v.graded.threshold, 'ms')}</td>
            <td class=${v.graded?.status ?? 'none'} title=${v.sentence}>${v.grade}</td>
          </tr>`,
      ),
    )}`;
}

/** The busy line's added delay per direction (never part of the site's verdict), with the grade of its P90. */
function busyLineTable(b: NonNullable<SiteReport['busyLine']>): TemplateResult {
  return html`<h3>When the line is busy</h3>
    <p class="hint">From ${count(b.samples)} samples that loaded the line; not part of the verdict. Grade of the P90: ${b.gradeSource}.</p>
    ${scrollTable(
      "The busy line's added delay",
      'site-busy-line',
      ['Busy with', 'Samples', 'Added delay P50', 'Added delay P90', 'Grade', `Added ${ms(b.harmfulDelayMs)} or more`, 'Median goodput'],
      [b.up, b.down].map(
        (d) =>
          html`<tr>
            <th scope="row">${d.direction === 'up' ? 'uploads' : 'downloads'}</th>
            <td>${count(d.samplesMeasured)}</td>
            <td>${figure(d.p50AddedDelayMs, 'ms')}</td>
            <td>${figure(d.p90AddedDelayMs, 'ms')}</td>
            <td>${d.grade ?? '–'}</td>
            <td>${count(d.harmful)}</td>
            <td>${d.medianGoodputMbps === null ? '–' : mbps(d.medianGoodputMbps * 1e6)}</td>
          </tr>`,
      ),
    )}`;
}

/** One row per day, one column per target: that day's P90, marked by its grade. */
function daysTable(r: SiteReport): TemplateResult {
  return html`<h3>Day by day: the 90th percentile of each target</h3>
    <p class="hint">Up: from the site to the relay; down: from the relay to the site. A day's P90 is graded like the week's: from ${count(r.p90Rule.minSamples)} samples (fewer: insufficient).</p>
    ${scrollTable(
      'The P90 of each target by day',
      'site-days',
      ['Day', 'Samples', ...r.metrics.map((m) => ({ text: shortColumnOf(m), title: columnOf(m) }))],
      r.days.map(
        (d) =>
          html`<tr>
            <th scope="row" class="nowrap">${d.date}</th>
            <td>${count(d.samples)}</td>
            ${r.metrics.map((m, i) => {
              const day = d.metrics[i];
              const v = day === undefined || day.p90 === null ? '–' : figure(day.p90, m.unit, m.threshold);
              const status = day?.status ?? 'insufficient';
              return html`<td class=${status} data-status=${status}>${v}${status === 'fail' ? ' (over)' : nothing}</td>`;
            })}
          </tr>`,
      ),
    )}`;
}

/** Hours of the week, Monday first: a grid shaded by the failed share, and the same as a table. */
function heatMap(r: SiteReport): TemplateResult {
  const cells = new Map(r.hours.map((c) => [`${c.weekday}/${c.hour}`, c]));
  return html`<h3>Hours of the week: the share of samples that failed</h3>
    <div class="heat" aria-hidden="true" data-testid="site-heat">
      <span></span>
      ${HOURS.map((h) => html`<span class="hh">${h % 3 === 0 ? String(h) : ''}</span>`)}
      ${DAYS.map(
        (name, i) =>
          html`<span class="dd">${name}</span>
            ${HOURS.map((h) => {
              const c = cells.get(`${i + 1}/${h}`);
              return html`<span class="cell ${shade(c)}" title=${cellTitle(c, i + 1, h)}></span>`;
            })}`,
      )}
    </div>
    <p class="hint">Lighter: no sample failed; darker: more of the hour's samples failed (under 10 %, 10-25 %, 25-50 %, 50 % or more). Blank: no sample.</p>
    <details>
      <summary>The hours as a table</summary>
      ${scrollTable(
        'Hours of the week',
        'site-hours',
        [`Hour (${r.timeZone})`, 'Samples', 'Failed', 'P90 round trip'],
        r.hours.map(
          (c) =>
            html`<tr>
              <th scope="row">${hourCellName(c)}</th>
              <td>${count(c.samples)}</td>
              <td>${count(c.failed)} (${pct(c.failedPct)})</td>
              <td>${c.p90RttMs === null ? '–' : figure(c.p90RttMs, 'ms')}</td>
            </tr>`,
        ),
      )}
    </details>`;
}
