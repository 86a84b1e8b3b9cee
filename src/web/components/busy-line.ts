import { css, html, nothing } from 'lit';
import type { LoadReport } from '../../analysis/schema/load-schema.js';
import { busyLineWords } from '../../analysis/present/load.js';
import { EN, type Messages } from '../../analysis/present/catalogue.js';
import { CpElement } from './cp-element.js';
import type { Verdict } from '../../analysis/schema/report-schema.js';

/** The colours of a card, best first: the card takes the worse of the idle verdict's and the busy line's own. */
const TONES = ['pass', 'neutral', 'insufficient', 'fail'] as const;
type Tone = (typeof TONES)[number];

/** The busy line's own colour: red where it harms calls, green where it did not, grey where it could not judge the line. */
const loadTone = (l: LoadReport): Tone => (l.verdict?.kind === 'suffers' ? 'fail' : l.verdict?.kind === 'no-effect' ? 'pass' : 'neutral');
const worse = (a: Tone, b: Tone): Tone => (TONES.indexOf(a) >= TONES.indexOf(b) ? a : b);

/**
 * The busy-line result: the verdict (or why the phase did not run), each loaded direction's
 * round trip idle and loaded and what the load added to it, the room a call has, and the bytes
 * it moved against the budget shown before. Its colour is the worse of the idle verdict's and
 * its own: never green beside an answer that fails, never green where the busy line harms calls.
 */
export class BusyLine extends CpElement {
  static override properties = { load: { attribute: false }, messages: { attribute: false }, idle: { attribute: false } };
  declare load: LoadReport;
  /** The answer layer's words in the page's language (English until the verdict view gives its own). */
  declare messages: Messages;
  /** The idle test's verdict (undefined: the card's colour is the busy line's alone). */
  declare idle: Verdict | undefined;

  constructor() {
    super();
    this.messages = EN;
  }

  static override styles = css`
    :host { display: block; margin-top: 1rem; }
    section { border: 2px solid var(--border); border-radius: 8px; padding: 0.75rem 1rem; background: var(--panel); }
    section.fail { border-color: var(--fail); background: var(--fail-bg); }
    section.insufficient { border-color: var(--insufficient); background: var(--insufficient-bg); }
    section.pass { border-color: var(--pass); background: var(--pass-bg); }
    section.device-busy, section.server-busy { border-style: dashed; }
    h2 { margin: 0 0 0.3rem; font-size: 1.1rem; }
    p { margin: 0.35rem 0; }
    .scroll { overflow-x: auto; }
    .scroll:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
    table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
    th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
    thead th { font-weight: 600; }
    td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
    small { color: var(--muted); }
    /* A narrow screen: each direction a block (its name, then its figures side by side, each under its column's name). */
    @media (max-width: 40rem) {
      thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
      tr { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.25rem 0.75rem; padding: 0.5rem 0; border-bottom: 1px solid var(--border); }
      th[scope='row'] { grid-column: 1 / -1; }
      th, td { border: 0; padding: 0; }
      td.num { white-space: normal; }
      /* Each figure at the foot of its cell: a column name on two lines never lifts its neighbours' figures. */
      td[data-label] { display: flex; flex-direction: column; justify-content: space-between; }
      td[data-label]::before { content: attr(data-label); display: block; color: var(--muted); font-size: 0.8rem; }
    }
    @media print {
      section { break-inside: avoid; }
      .scroll { overflow: visible; }
      table { font-size: 0.85rem; }
      th[scope='row'] { min-width: 9rem; }
    }
  `;

  override render() {
    const l = this.load;
    const kind = l.verdict?.kind ?? 'outcome';
    const tone = worse(loadTone(l), this.idle === undefined ? 'pass' : this.idle);
    const w = busyLineWords(l, this.messages);
    const lines = w.lines;
    const [, speed = '', idle = '', loaded = '', added = '', jitter = '', loss = '', filled = ''] = w.columns;
    const cells = (d: (typeof lines)[number]) =>
      (
        [
          [speed, d.goodput, 'speed'],
          [idle, d.idleRtt, 'idle'],
          [loaded, d.loadedRtt, 'loaded'],
          [added, d.addedRtt, 'added'],
          [jitter, d.jitter, 'jitter'],
          [loss, d.loss, 'loss'],
        ] as const
      ).map(([label, value, id]) => html`<td class="num" data-label=${label} data-cell=${id}>${value}</td>`);
    return html`<section class="${kind} ${tone}" aria-labelledby="busy-title" data-load=${kind} data-tone=${tone}>
      <h2 id="busy-title">${w.title}</h2>
      <p data-load-sentence><strong>${w.sentence}</strong></p>
      ${l.outcome ? html`<p><small>${l.outcome.detail}</small></p>` : nothing}
      ${
        lines.length > 0
          ? html`<div class="scroll" role="region" aria-label=${w.tableLabel} tabindex="0"><table>
              <thead><tr>${w.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
              <tbody>${lines.map(
                (d) =>
                  html`<tr data-load-direction=${d.direction}><th scope="row">${d.name}</th>${cells(d)}<td data-label=${filled} data-cell="filled">${d.saturated}</td></tr>`,
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
