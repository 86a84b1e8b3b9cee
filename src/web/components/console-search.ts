/** The console's search: the form (a result code, a ticket, a site, a time span, a verdict) and the results it found, each opening its result. */
import { html, nothing, type TemplateResult } from 'lit';
import type { ConsoleSearchAnswer } from '../../protocol/api-console.js';
import { countText } from '../console-i18n.js';
import { region, verdictWord, type ConsoleHost } from './console-common.js';

/** The search form: its fields as the API names them, sent with the agent's time zone. */
export function searchForm(host: ConsoleHost, search: (e: SubmitEvent) => void): TemplateResult {
  const m = host.m;
  return html`<h2>${m.t('find.heading')}</h2>
      <form @submit=${search}>
        <label>${m.t('find.code')} <input id="code" name="code" autocomplete="off" placeholder="7K3M-Q2XA" /></label>
        <label>${m.t('find.ticket')} <input name="ticket" autocomplete="off" /></label>
        <label>${m.t('find.site')} <input name="site" autocomplete="off" /></label>
        <label>${m.t('find.from')} <input name="from" placeholder="2026-01-15" /></label>
        <label>${m.t('find.to')} <input name="to" placeholder="2026-01-16T00:00:00Z" /></label>
        <label
          >${m.t('find.verdict')}
          <select name="verdict">
            <option value="">${m.t('find.any')}</option>
            <option value="fail">${m.t('verdict.fail')}</option>
            <option value="pass">${m.t('verdict.pass')}</option>
            <option value="insufficient">${m.t('verdict.insufficient')}</option>
            <option value="could-not-test">${m.t('verdict.none')}</option>
          </select>
        </label>
        <input type="hidden" name="tz" .value=${host.timeZone} />
        <button type="submit">${m.t('find.submit')}</button>
      </form>
      <p class="hint" data-testid="ticket-hint">${m.t('find.ticketHint')}</p>`;
}

/** The results a search found (newest first, how many, whether there were more), each code opening its result. */
export function foundList(a: ConsoleSearchAnswer, host: ConsoleHost): TemplateResult {
  const m = host.m;
  const n = countText(m, a.results.length);
  const heading = a.truncated
    ? m.plural(a.results.length, 'foundMore.one', 'foundMore.other', { n })
    : m.plural(a.results.length, 'found.one', 'found.other', { n });
  return html`<h2 id="found" tabindex="-1">${heading}</h2>
      ${
        a.results.length === 0
          ? nothing
          : region(
              heading,
              html`<table>
            <caption class="sr-only">${heading}</caption>
            <thead>
              <tr><th scope="col">${m.t('found.code')}</th><th scope="col">${m.t('found.started', { timeZone: host.timeZone })}</th><th scope="col">${m.t('found.site')}</th><th scope="col">${m.t('found.ticket')}</th><th scope="col">${m.t('found.verdict')}</th></tr>
            </thead>
            <tbody>
              ${a.results.map(
                (r) =>
                  html`<tr>
                    <td><button class="link code" @click=${() => host.show(r.id)} aria-label=${m.t('found.open', { code: r.code })}>${r.code}</button></td>
                    <td class="nowrap">${r.startedAtLocal}</td>
                    <td class="name">${r.site ?? (r.siteUnverified === null ? '–' : html`${r.siteUnverified} <em class="unverified">${m.t('found.unverified')}</em>`)}</td>
                    <td class="name">${r.ticket ?? '–'}</td>
                    <td class=${r.verdict ?? ''}>${verdictWord(m, r.verdict)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
            )
      }`;
}
