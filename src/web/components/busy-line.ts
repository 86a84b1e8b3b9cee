import { css, html, nothing } from 'lit';
import type { LoadReport } from '../../analysis/schema/load-schema.js';
import { busyLineWords } from '../../analysis/present/load.js';
import { EN, type Messages } from '../../analysis/present/catalogue.js';
import { CpElement } from './cp-element.js';

/**
 * The busy-line result: the verdict (or why the phase did not run), each loaded direction's
 * figures, the room a call has, and the bytes it moved against the budget shown before.
 */
export class BusyLine extends CpElement {
  static override properties = { load: { attribute: false }, messages: { attribute: false } };
  declare load: LoadReport;
  /** The answer layer's words in the page's language (English until the verdict view gives its own). */
  declare messages: Messages;

  constructor() {
    super();
    this.messages = EN;
  }

  static override styles = css`
    :host { display: block; margin-top: 1rem; }
    section { border: 2px solid var(--border); border-radius: 8px; padding: 0.75rem 1rem; background: var(--panel); }
    section.suffers { border-color: var(--fail); background: var(--fail-bg); }
    section.no-effect { border-color: var(--pass); background: var(--pass-bg); }
    section.device-busy, section.server-busy { border-color: var(--border); border-style: dashed; }
    h2 { margin: 0 0 0.3rem; font-size: 1.1rem; }
    p { margin: 0.35rem 0; }
    .scroll { overflow-x: auto; }
    .scroll:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
    table { border-collapse: collapse; width: 100%; font-size: 0.95rem; min-width: 30rem; }
    th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
    td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
    small { color: var(--muted); }
    @media print {
      section { break-inside: avoid; }
      .scroll { overflow: visible; }
    }
  `;

  override render() {
    const l = this.load;
    const kind = l.verdict?.kind ?? 'outcome';
    const w = busyLineWords(l, this.messages);
    const lines = w.lines;
    return html`<section class=${kind} aria-labelledby="busy-title" data-load=${kind}>
      <h2 id="busy-title">${w.title}</h2>
      <p data-load-sentence><strong>${w.sentence}</strong></p>
      ${l.outcome ? html`<p><small>${l.outcome.detail}</small></p>` : nothing}
      ${
        lines.length > 0
          ? html`<div class="scroll" role="region" aria-label=${w.tableLabel} tabindex="0"><table>
              <thead><tr>${w.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
              <tbody>${lines.map(
                (
                  d,
                ) => html`<tr data-load-direction=${d.direction}><th scope="row">${d.name}</th><td class="num">${d.goodput}</td><td class="num">${d.added}</td>
                  <td class="num">${d.addedP90}</td><td class="num">${d.rtt}</td><td class="num">${d.jitter}</td><td class="num">${d.loss}</td><td>${d.saturated}</td></tr>`,
              )}</tbody>
            </table></div>`
          : nothing
      }
      ${w.whose.map((x) => html`<p data-load-whose=${x.direction}><small>${x.text}</small></p>`)}
      ${w.capacity !== null ? html`<p data-capacity>${w.capacity}</p>` : nothing}
      <p><small>${w.moved} ${w.grades} ${w.bitrates ?? nothing}</small></p>
    </section>`;
  }
}
