import { html, nothing } from 'lit';
import type { Report } from '../../analysis/schema/report-schema.js';
import { detailsView } from '../../analysis/present/view.js';
import { CpElement } from './cp-element.js';
import { reportDetailsStyles } from './report-details.styles.js';

/** The evidence behind the verdict: relay ports, second opinion, MOS assumptions, warnings. */
export class ReportDetails extends CpElement {
  static override properties = { report: { attribute: false } };
  declare report: Report;

  static override styles = reportDetailsStyles;

  override render() {
    const v = detailsView(this.report);
    return html`
      <details open>
        <summary>Relay ports (${v.pathUsed} used for this test)</summary>
        <ul>
          ${v.ports.map(
            (p) => html`<li>${p.name}:
              ${p.open ? html`<span class="ok">open</span> (${p.detail})` : html`<span class="no">${p.detail}</span>`}</li>`,
          )}
        </ul>
      </details>
      ${
        v.warnings.length > 0
          ? html`<details open>
            <summary>Worth knowing (${v.warnings.length})</summary>
            <ul>${v.warnings.map((w) => html`<li>${w}</li>`)}</ul>
          </details>`
          : nothing
      }
      <details>
        <summary>Second opinion from the browser's WebRTC statistics</summary>
        <ul>${v.secondOpinion.map((line) => html`<li>${line}</li>`)}</ul>
      </details>
      <details>
        <summary>Call quality estimate (E-model) and Teams dashboard tier</summary>
        <p>${v.mos}</p>
        <p>${v.teams}</p>
        <ul>${v.assumptions.map((a) => html`<li>${a}</li>`)}</ul>
      </details>
      <details>
        <summary>How this was measured</summary>
        <ul>${v.methods.map((m) => html`<li>${m}</li>`)}</ul>
      </details>
    `;
  }
}
