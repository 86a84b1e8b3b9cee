import { css, html, nothing } from 'lit';
import type { LoadReport } from '../../analysis/schema/load-schema.js';
import { loadLines, megabytes } from '../../analysis/present/load.js';
import { CpElement } from './cp-element.js';

/**
 * The busy-line result: the verdict (or why the phase did not run), each loaded direction's
 * figures, the room a call has, and the bytes it moved against the budget shown before.
 */
export class BusyLine extends CpElement {
  static override properties = { load: { attribute: false } };
  declare load: LoadReport;

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
  `;

  override render() {
    const l = this.load;
    const kind = l.verdict?.kind ?? 'outcome';
    const lines = loadLines(l);
    return html`<section class=${kind} aria-labelledby="busy-title" data-load=${kind}>
      <h2 id="busy-title">With the line busy</h2>
      <p data-load-sentence><strong>${l.verdict?.text ?? l.outcome?.sentence ?? ''}</strong></p>
      ${l.outcome ? html`<p><small>${l.outcome.detail}</small></p>` : nothing}
      ${
        lines.length > 0
          ? html`<div class="scroll" role="region" aria-label="Each loaded direction" tabindex="0"><table>
              <thead><tr><th scope="col">While</th><th scope="col">Speed</th><th scope="col">Added delay (p50)</th><th scope="col">p90</th>
                <th scope="col">Round trip</th><th scope="col">Jitter</th><th scope="col">Loss</th><th scope="col">Filled the line</th></tr></thead>
              <tbody>${lines.map(
                (
                  d,
                ) => html`<tr data-load-direction=${d.direction}><th scope="row">${d.name}</th><td class="num">${d.goodput}</td><td class="num">${d.added}</td>
                  <td class="num">${d.addedP90}</td><td class="num">${d.rtt}</td><td class="num">${d.jitter}</td><td class="num">${d.loss}</td><td>${d.saturated}</td></tr>`,
              )}</tbody>
            </table></div>`
          : nothing
      }
      ${lines.filter((d) => d.whose !== '').map((d) => html`<p data-load-whose=${d.direction}><small>${d.name}: the added delay was ${d.whose}.</small></p>`)}
      ${l.capacity ? html`<p data-capacity>${l.capacity.sentence}</p>` : nothing}
      <p><small>Moved ${megabytes(l.bytes)} of at most ${megabytes(2 * l.budgetBytesPerDirection)} (${megabytes(l.budgetBytesPerDirection)} each way)${
        l.durationMs > 0 ? html` in ${Math.round(l.durationMs / 1000)} s` : nothing
      }. Grades: ${l.gradeSource}. ${l.capacity ? html`Bitrates: ${l.capacity.source}.` : nothing}</small></p>
    </section>`;
  }
}
