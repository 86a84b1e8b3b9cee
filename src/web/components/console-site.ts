/**
 * The help desk console's site report (loaded when a site report is opened, so the console's
 * first load stays small): the verdict and its explanation, every target's P50/P90/P99 against
 * its limit, the P90 of every target day by day, and the hours of the week as a heat map of the
 * share of samples that failed, each figure as a table too, and the busy line of the samples
 * that loaded the line. Numbers are written by
 * src/analysis/present/format.ts, as on the page and in `callprobe report`.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { SiteReport } from '../../analysis/report/site-report.js';
import type { HourCell } from '../../analysis/site/site.js';
import { hourCellName } from '../../analysis/present/site-text.js';
import { mbps } from '../../analysis/present/load.js';
import { spliced } from '../console-i18n.js';
import { translatorOf, type CatalogueLoaders, type Translator } from '../../analysis/present/i18n.js';
import type { Lang } from '../../protocol/lang.js';
import { en } from '../console-site-messages/en.js';

/** A site report's words in one language (./console-site-messages/). */
type SiteWords = Translator<typeof en>;

const LOADERS: CatalogueLoaders<typeof en> = {
  de: async () => (await import('../console-site-messages/de.js')).de,
  fr: async () => (await import('../console-site-messages/fr.js')).fr,
  es: async () => (await import('../console-site-messages/es.js')).es,
  ja: async () => (await import('../console-site-messages/ja.js')).ja,
  'zh-Hans': async () => (await import('../console-site-messages/zh-Hans.js')).zhHans,
};

/** English, at hand (the drawing's module carries it). */
const SITE_EN: SiteWords = translatorOf<typeof en>('en', en);

/** A site report's words in `lang`, its module loaded on first use. */
export async function siteWords(lang: Lang): Promise<SiteWords> {
  return lang === 'en' ? SITE_EN : translatorOf<typeof en>(lang, await LOADERS[lang]());
}
import { formatterOf, type Formatter } from '../../analysis/present/numbers.js';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
type SiteMetric = SiteReport['metrics'][number];

/** The answer layer's number printers in the reader's language, with the console's units. */
const printers = (w: SiteWords): Formatter =>
  formatterOf(w.lang, { 'unit.ms': w.template('unit.ms'), 'unit.pct': w.template('unit.pct'), 'unit.s': w.template('unit.s') });

/** A target's limit as the page states it ("< 100 ms"), in the reader's marks. */
const limitText = (w: SiteWords, threshold: number, unit: 'ms' | '%'): string => `< ${printers(w).limitValue(threshold, unit)}`;

/** A target with its direction, in full (the P90 table's rows): the site's label in English, the target's name in another language. */
function columnOf(w: SiteWords, m: SiteMetric): string {
  const label = w.lang === 'en' ? m.label : w.t(`target.${m.target}`);
  return m.direction === 'round-trip' ? label : w.t(`site.where.${m.direction}`, { label });
}

/** A heading short enough for a column of the day-by-day table: "Loss up (< 1%)". */
function shortColumnOf(w: SiteWords, m: SiteMetric): string {
  const params = { name: w.t(`short.${m.target}`), limit: limitText(w, m.threshold, m.unit) };
  return w.t(m.direction === 'up' ? 'site.short.up' : m.direction === 'down' ? 'site.short.down' : 'site.short', params);
}

/** A weekday's short name (1 is Monday): English as the site's words, another language as `Intl` writes it. */
function dayName(w: SiteWords, weekday: number): string {
  // 2024-01-01 was a Monday.
  return new Intl.DateTimeFormat(w.lang, { weekday: 'short', timeZone: 'UTC' }).format(Date.UTC(2024, 0, weekday));
}

/** "Tue 14:00-15:00" in the reader's language. */
function cellName(w: SiteWords, c: Pick<HourCell, 'weekday' | 'hour'>): string {
  if (w.lang === 'en') return hourCellName(c);
  const h = (x: number): string => `${String(x).padStart(2, '0')}:00`;
  return `${dayName(w, c.weekday)} ${h(c.hour)}-${h((c.hour + 1) % 24)}`;
}

/** "4.8 Mbit/s" in the reader's marks. */
const mbpsText = (w: SiteWords, bitsPerS: number): string => (w.lang === 'en' ? mbps(bitsPerS) : w.t('unit.mbps', { n: printers(w).num(bitsPerS / 1e6) }));

/** The heat map's shade of one cell: the share of its samples that failed, in steps a reader can tell apart. */
function shade(c: HourCell | undefined): string {
  if (c === undefined) return 'none';
  if (c.failedPct === 0) return 's0';
  if (c.failedPct < 10) return 's1';
  if (c.failedPct < 25) return 's2';
  if (c.failedPct < 50) return 's3';
  return 's4';
}

function cellTitle(w: SiteWords, c: HourCell | undefined, weekday: number, hour: number): string {
  const name = cellName(w, { weekday, hour });
  if (c === undefined) return w.t('site.cell.none', { name });
  return w.plural(c.samples, 'site.cell.one', 'site.cell.other', {
    name,
    n: printers(w).count(c.samples),
    failed: printers(w).count(c.failed),
    pct: printers(w).pct(c.failedPct),
  });
}

/** The whole site report as the console shows it, in the reader's words (`w`); the site's explanation is the server's English. */
export function siteReportView(r: SiteReport, w: SiteWords = SITE_EN): TemplateResult {
  const fmt = printers(w);
  return html`<section aria-labelledby="site-report" data-testid="site-report">
    <h2 id="site-report" tabindex="-1">${spliced(w, 'site.heading', { site: r.site ?? w.t('site.noSite'), verdict: html`<span class=${r.verdict}>${statusWord(w, r.verdict)}</span>` })}</h2>
    <p>
      ${w.t('site.graded', { n: fmt.count(r.samples), total: fmt.count(r.samplesTotal) })}${r.profile ? html`, ${r.profile.label}` : nothing}${r.since ? w.t('site.since', { since: r.since }) : nothing};
      ${w.t('site.hoursIn', { timeZone: r.timeZone })}
    </p>
    <ul>
      ${r.explanation.map((e) => html`<li>${e}</li>`)}
    </ul>
    ${causesList(w, r)} ${metricsTable(w, r)} ${r.regions.length > 0 ? regionsTable(w, r.regions) : nothing} ${r.busyLine !== null ? busyLineTable(w, r.busyLine) : nothing}
    ${r.days.length > 0 ? daysTable(w, r) : nothing}
    ${r.hours.length > 0 ? heatMap(w, r) : nothing}
  </section>`;
}

/** The samples that could not be judged, by cause (src/analysis/site/causes.ts), in the reader's words; nothing when none. */
function causesList(w: SiteWords, r: SiteReport): TemplateResult | typeof nothing {
  const c = r.causes;
  const fmt = printers(w);
  const ports = c.blocked.ports.map(([t, p]) => `${t.toUpperCase()} ${String(p)}`).join(', ');
  const every = c.blocked.everyTeamsPort;
  const items = [
    every > 0 ? w.t('site.causes.blockedEvery', { n: fmt.count(every), ports }) : null,
    c.blocked.samples - every > 0 ? w.t('site.causes.blocked', { n: fmt.count(c.blocked.samples - every), ports }) : null,
    c.deviceBusy > 0 ? w.t('site.causes.deviceBusy', { n: fmt.count(c.deviceBusy) }) : null,
    c.ours > 0 ? w.t('site.causes.ours', { n: fmt.count(c.ours) }) : null,
    c.other > 0 ? w.t('site.causes.other', { n: fmt.count(c.other) }) : null,
  ].filter((x): x is string => x !== null);
  if (items.length === 0) return nothing;
  return html`<h3>${w.t('site.causes')}</h3>
    <ul data-testid="site-causes">
      ${items.map((x) => html`<li>${x}</li>`)}
    </ul>`;
}

/** A column heading: its text, and its full name where the text is short. */
type Column = string | { text: string; title: string };

/** A table in a region that scrolls sideways on a narrow screen (focusable, so a keyboard can scroll it too). */
function scrollTable(label: string, testId: string, columns: readonly Column[], rows: readonly TemplateResult[]): TemplateResult {
  return html`<div class="scroll figures" tabindex="0" role="region" aria-label=${label}>
    <table data-testid=${testId}>
      <caption class="sr-only">${label}</caption>
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

/** A status or grade code in the reader's words (English: the code). */
function statusWord(w: SiteWords, s: string): string {
  return s === 'pass' || s === 'fail' || s === 'insufficient' ? w.t(`status.${s}`) : s;
}

function metricsTable(w: SiteWords, r: SiteReport): TemplateResult {
  const fmt = printers(w);
  return html`<h3>${w.t('site.metrics')}</h3>
    ${scrollTable(
      w.t('site.metrics.label'),
      'site-metrics',
      [w.t('site.col.target'), 'P50', 'P90', 'P99', w.t('site.col.limit'), w.t('site.col.missed'), w.t('site.col.status')],
      r.metrics.map(
        (m) =>
          html`<tr>
            <th scope="row">${columnOf(w, m)}</th>
            <td>${fmt.figure(m.p50, m.unit)}</td>
            <td>${fmt.figure(m.p90, m.unit, m.threshold)}</td>
            <td>${fmt.figure(m.p99, m.unit)}</td>
            <td>${limitText(w, m.threshold, m.unit)}</td>
            <td>${m.missedPct === null ? '–' : fmt.figure(m.missedPct, '%')}</td>
            <td class=${m.status}>${statusWord(w, m.status)}</td>
          </tr>`,
      ),
    )}`;
}

/** The site x region table: per test server, the P90 of the samples' locate medians (never part of the verdict). */
function regionsTable(w: SiteWords, rows: SiteReport['regions']): TemplateResult {
  const fmt = printers(w);
  return html`<h3>${w.t('site.regions')}</h3>
    <p class="hint">${w.t('site.regions.caption')}</p>
    ${scrollTable(
      w.t('site.regions.label'),
      'site-regions',
      [
        w.t('site.col.server'),
        w.t('site.col.samples'),
        w.t('site.col.tested'),
        w.t('site.col.locateP50'),
        w.t('site.col.locateP90'),
        w.t('site.col.limit'),
        w.t('site.col.status'),
      ],
      rows.map(
        (v) =>
          html`<tr data-edge=${v.id}>
            <th scope="row">${v.azureRegion} (${v.id})</th>
            <td>${fmt.count(v.samples)}</td>
            <td>${fmt.count(v.tested)}</td>
            <td>${fmt.figure(v.p50Ms, 'ms')}</td>
            <td>${fmt.figure(v.p90Ms, 'ms', v.graded?.threshold)}</td>
            <td>${v.graded === null ? '–' : limitText(w, v.graded.threshold, 'ms')}</td>
            <td class=${v.graded?.status ?? 'none'} title=${v.sentence}>${statusWord(w, v.grade)}</td>
          </tr>`,
      ),
    )}`;
}

/** The busy line's added delay per direction (never part of the site's verdict), with the grade of its P90. */
function busyLineTable(w: SiteWords, b: NonNullable<SiteReport['busyLine']>): TemplateResult {
  const fmt = printers(w);
  return html`<h3>${w.t('site.busy')}</h3>
    <p class="hint">${w.t('site.busy.hint', { n: fmt.count(b.samples), source: b.gradeSource })}</p>
    ${scrollTable(
      w.t('site.busy.label'),
      'site-busy-line',
      [
        w.t('site.col.busyWith'),
        w.t('site.col.samples'),
        w.t('site.col.addedP50'),
        w.t('site.col.addedP90'),
        w.t('site.col.grade'),
        w.t('site.col.harmful', { delay: fmt.ms(b.harmfulDelayMs) }),
        w.t('site.col.goodput'),
      ],
      [b.up, b.down].map(
        (d) =>
          html`<tr>
            <th scope="row">${w.t(d.direction === 'up' ? 'site.uploads' : 'site.downloads')}</th>
            <td>${fmt.count(d.samplesMeasured)}</td>
            <td>${fmt.figure(d.p50AddedDelayMs, 'ms')}</td>
            <td>${fmt.figure(d.p90AddedDelayMs, 'ms')}</td>
            <td>${d.grade ?? '–'}</td>
            <td>${fmt.count(d.harmful)}</td>
            <td>${d.medianGoodputMbps === null ? '–' : mbpsText(w, d.medianGoodputMbps * 1e6)}</td>
          </tr>`,
      ),
    )}`;
}

/** One row per day, one column per target: that day's P90, marked by its grade. */
function daysTable(w: SiteWords, r: SiteReport): TemplateResult {
  const fmt = printers(w);
  return html`<h3>${w.t('site.days')}</h3>
    <p class="hint">${w.t('site.days.hint', { n: fmt.count(r.p90Rule.minSamples) })}</p>
    ${scrollTable(
      w.t('site.days.label'),
      'site-days',
      [w.t('site.col.day'), w.t('site.col.samples'), ...r.metrics.map((m) => ({ text: shortColumnOf(w, m), title: columnOf(w, m) }))],
      r.days.map(
        (d) =>
          html`<tr>
            <th scope="row" class="nowrap">${d.date}</th>
            <td>${fmt.count(d.samples)}</td>
            ${r.metrics.map((m, i) => {
              const day = d.metrics[i];
              const v = day === undefined || day.p90 === null ? '–' : fmt.figure(day.p90, m.unit, m.threshold);
              const status = day?.status ?? 'insufficient';
              return html`<td class=${status} data-status=${status}>${v}${status === 'fail' ? w.t('site.over') : nothing}</td>`;
            })}
          </tr>`,
      ),
    )}`;
}

/** Hours of the week, Monday first: a grid shaded by the failed share, and the same as a table. */
function heatMap(w: SiteWords, r: SiteReport): TemplateResult {
  const fmt = printers(w);
  const cells = new Map(r.hours.map((c) => [`${c.weekday}/${c.hour}`, c]));
  return html`<h3>${w.t('site.hours')}</h3>
    <div class="heat" aria-hidden="true" data-testid="site-heat">
      <span></span>
      ${HOURS.map((h) => html`<span class="hh">${h % 3 === 0 ? String(h) : ''}</span>`)}
      ${[1, 2, 3, 4, 5, 6, 7].map(
        (day) =>
          html`<span class="dd">${dayName(w, day)}</span>
            ${HOURS.map((h) => {
              const c = cells.get(`${day}/${h}`);
              return html`<span class="cell ${shade(c)}" title=${cellTitle(w, c, day, h)}></span>`;
            })}`,
      )}
    </div>
    <p class="hint">${w.t('site.hours.hint')}</p>
    <details>
      <summary>${w.t('site.hours.table')}</summary>
      ${scrollTable(
        w.t('site.hours.label'),
        'site-hours',
        [w.t('site.col.hour', { timeZone: r.timeZone }), w.t('site.col.samples'), w.t('site.col.failed'), w.t('site.col.p90Rtt')],
        r.hours.map(
          (c) =>
            html`<tr>
              <th scope="row">${cellName(w, c)}</th>
              <td>${fmt.count(c.samples)}</td>
              <td>${w.t('site.failed', { failed: fmt.count(c.failed), pct: fmt.pct(c.failedPct) })}</td>
              <td>${c.p90RttMs === null ? '–' : fmt.figure(c.p90RttMs, 'ms')}</td>
            </tr>`,
        ),
      )}
    </details>`;
}
