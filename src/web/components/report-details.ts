import { html, nothing } from 'lit';
import type { Report } from '../../analysis/schema/report-schema.js';
import { detailsView } from '../../analysis/present/view.js';
import { EN, type Messages } from '../../analysis/present/catalogue.js';
import { CpElement } from './cp-element.js';
import { reportDetailsStyles } from './report-details.styles.js';

/** The evidence behind the verdict: relay ports, second opinion, MOS assumptions, warnings. */
export class ReportDetails extends CpElement {
  static override properties = { report: { attribute: false }, messages: { attribute: false } };
  declare report: Report;
  /** Its language (the answer layer's words; English until the verdict view gives its own). */
  declare messages: Messages;

  constructor() {
    super();
    this.messages = EN;
  }

  static override styles = reportDetailsStyles;

  override render() {
    const v = detailsView(this.report, this.messages);
    const m = this.messages;
    return html`
      <details open>
        <summary>${m.t('it.ports', { path: v.pathUsed })}</summary>
        <ul>
          ${v.ports.map(
            (p) => html`<li>${p.name}:
              ${p.open ? html`<span class="ok">${m.t('it.ports.open')}</span> (${p.detail})` : html`<span class="no">${p.detail}</span>`}</li>`,
          )}
        </ul>
      </details>
      ${
        v.warnings.length > 0
          ? html`<details open>
            <summary>${m.t('it.worth', { count: m.fmt.count(v.warnings.length) })}</summary>
            <ul>${v.warnings.map((w) => html`<li>${w}</li>`)}</ul>
          </details>`
          : nothing
      }
      <details>
        <summary>${m.t('it.secondOpinion')}</summary>
        <ul>${v.secondOpinion.map((line) => html`<li>${line}</li>`)}</ul>
      </details>
      <details>
        <summary>${m.t('it.mos')}</summary>
        <p>${v.mos}</p>
        <p>${v.teams}</p>
        <ul>${v.assumptions.map((a) => html`<li>${a}</li>`)}</ul>
      </details>
      <details>
        <summary>${m.t('it.method')}</summary>
        <ul>${v.methods.map((line) => html`<li>${line}</li>`)}</ul>
      </details>
    `;
  }
}
