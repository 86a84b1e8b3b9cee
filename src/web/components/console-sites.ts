/** The console's list of every known site: its verdict over the last 7 days and what IT should look at first (GET /api/sites). */
import { html, nothing, type TemplateResult } from 'lit';
import type { SitesOverview } from '../../analysis/site/overview.js';
import { countText, type ConsoleMessages } from '../console-i18n.js';
import { region, verdictWord, type ConsoleHost } from './console-common.js';

type OverviewSite = SitesOverview['sites'][number];
/** A site's flag (src/analysis/site/health.ts): what IT should look at, by kind and figures. */
type SiteFlag = NonNullable<OverviewSite['health']>['flags'][number];

/** Whether an answer is the sites overview (its contract's kind). */
export const isSitesOverview = (v: unknown): v is SitesOverview => (v as Partial<SitesOverview> | null)?.kind === 'sites-overview';

/** An edge in a list for IT: "edge ams-1 (West Europe)". */
function edgeWords(m: ConsoleMessages, e: { id: string; azureRegion: string | null }): string {
  return e.azureRegion === null || e.azureRegion === '' ? m.t('sites.edge', { id: e.id }) : m.t('sites.edgeIn', { id: e.id, region: e.azureRegion });
}

/** A site's flag in the console's language (English: the server's sentence). */
function flagWords(m: ConsoleMessages, f: SiteFlag, s: OverviewSite): string {
  if (m.lang === 'en') return f.sentence;
  const span = (ms: number): string => {
    const minutes = Math.floor(ms / 60_000);
    const h = countText(m, Math.floor(minutes / 60));
    const min = countText(m, minutes % 60);
    return minutes < 60 ? m.t('span.min', { m: min }) : minutes % 60 === 0 ? m.t('span.h', { h }) : m.t('span.hMin', { h, m: min });
  };
  switch (f.kind) {
    case 'not-installed':
      return m.t('flag.notInstalled', { since: f.tokenSince });
    case 'never-reported':
      return m.t('flag.neverReported', { since: f.tokenSince, span: span(f.silentUpMs) });
    case 'silent': {
      const last = s.health?.lastReportAt ?? null;
      return last === null ? m.t('flag.silentNever', { span: span(f.silentUpMs) }) : m.t('flag.silent', { span: span(f.silentUpMs), last });
    }
    case 'outages':
      return m.t('flag.outages', {
        n: countText(m, f.samples),
        total: countText(m, s.samplesTotal),
        pct: m.t('unit.pct', { n: countText(m, Math.round(f.pct)) }),
      });
    case 'alert':
      return f.since === null ? m.t('flag.alert', { metric: f.metric }) : m.t('flag.alertSince', { metric: f.metric, since: f.since });
  }
}

/** Every known site, with its verdict over the last 7 days and what to look at first; a site's name opens its report. */
export function siteList(o: SitesOverview, host: ConsoleHost): TemplateResult {
  const m = host.m;
  return html`<h2>${m.t('sites.heading')}</h2>
      ${
        o.sites.length === 0
          ? html`<p>${m.t('sites.none')}</p>`
          : region(
              m.t('sites.heading'),
              html`<table class="sites" data-testid="sites">
            <caption class="sr-only">${m.t('sites.heading')}</caption>
            <thead><tr><th scope="col">${m.t('sites.site')}</th><th scope="col">${m.t('sites.samples')}</th><th scope="col">${m.t('sites.verdict')}</th><th scope="col">${m.t('sites.lastTested')}</th><th scope="col">${m.t('sites.lookAt')}</th></tr></thead>
            <tbody>
              ${o.sites.map(
                (s) =>
                  html`<tr>
                      <td class="name">
                        <button class="link" @click=${() => host.showSite(s.site)} aria-label=${m.t('sites.open', { site: s.site })}>${s.site}</button>${
                          s.edge ? html` <small>${m.t('sites.on', { edge: edgeWords(m, s.edge) })}</small>` : nothing
                        }
                      </td>
                      <td class="nowrap">${m.t('sites.samplesOf', { n: countText(m, s.samples), total: countText(m, s.samplesTotal) })}</td>
                      <td class="nowrap ${s.verdict}">${verdictWord(m, s.verdict)}</td>
                      <td class="nowrap">${s.health?.lastReportAt ?? '–'}</td>
                      <td class="look">${(s.health?.flags.length ?? 0) === 0 ? '–' : html`<ul class="flags">${s.health?.flags.map((f) => html`<li>${flagWords(m, f, s)}</li>`)}</ul>`}</td>
                    </tr>
                    ${(s.otherEdges ?? []).map(
                      (e) =>
                        html`<tr data-testid="other-edge">
                          <td><small>${m.t('sites.otherEdge', { site: s.site, edge: edgeWords(m, e.edge) })}</small></td>
                          <td>${countText(m, e.samples)}</td>
                          <td class="nowrap ${e.verdict}">${verdictWord(m, e.verdict)}</td>
                          <td>–</td>
                          <td>–</td>
                        </tr>`,
                    )}`,
              )}
            </tbody>
          </table>`,
            )
      }`;
}
