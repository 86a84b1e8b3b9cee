import { LitElement, html, css } from 'lit';
import type { Report } from '../report/schema.js';
import { fmtMs, fmtNum, fmtPct } from './format.js';

const VERDICT_TEXT = {
  pass: { title: 'Pass', lead: 'Every graded target was met.' },
  fail: { title: 'Fail', lead: 'At least one target was missed.' },
  insufficient: { title: 'Not enough evidence', lead: 'The test could not grade every target.' },
} as const;

/** The graded verdict: a banner, the explanation, one row per target, and the JSON report. */
export class VerdictView extends LitElement {
  static override properties = { report: { attribute: false } };
  declare report: Report;

  static override styles = css`
    :host { display: block; margin-top: 1rem; }
    .banner { border-radius: 8px; padding: 0.75rem 1rem; border: 2px solid; }
    .banner.pass { border-color: var(--pass); background: #effaf1; }
    .banner.fail { border-color: var(--fail); background: #fff3f4; }
    .banner.insufficient { border-color: var(--insufficient); background: #fff8e6; }
    .banner h2 { margin: 0; font-size: 1.4rem; }
    .pass h2, td.pass { color: var(--pass); }
    .fail h2, td.fail { color: var(--fail); }
    .insufficient h2, td.insufficient { color: var(--insufficient); }
    table { border-collapse: collapse; width: 100%; margin-top: 1rem; font-size: 0.95rem; }
    th, td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
    th { background: var(--panel); }
    td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.status { font-weight: 700; text-transform: uppercase; font-size: 0.85rem; }
    .summary { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 0.75rem 0 0; padding: 0; list-style: none; }
    button { font: inherit; margin-top: 1rem; padding: 0.5rem 1rem; border: 2px solid var(--accent); color: var(--accent);
      background: #fff; border-radius: 6px; cursor: pointer; }
    button:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
  `;

  private download(): void {
    const blob = new Blob([JSON.stringify(this.report, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `callprobe-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  override render() {
    const r = this.report;
    const s = r.summary;
    const v = VERDICT_TEXT[s.verdict];
    return html`
      <section class="banner ${s.verdict}" role="status" aria-live="polite" data-verdict=${s.verdict}>
        <h2>${v.title}</h2>
        <p>${v.lead}</p>
        ${r.explanation.map((line) => html`<p>${line}</p>`)}
        <ul class="summary" aria-label="Key figures">
          <li>Round trip p50 <strong>${fmtMs(s.rttMsP50)}</strong></li>
          <li>p90 <strong>${fmtMs(s.rttMsP90)}</strong></li>
          <li>Jitter <strong>${fmtMs(s.jitterMs)}</strong></li>
          <li>Loss <strong>${fmtPct(s.lossPct)}</strong></li>
          <li>Reorder <strong>${fmtPct(s.reorderPct, 3)}</strong></li>
          <li>Probes <strong>${fmtNum(s.packetsReceived)} / ${fmtNum(s.packetsSent)}</strong></li>
        </ul>
      </section>
      <table>
        <caption class="visually-hidden">Each target, the value measured and the result</caption>
        <thead><tr><th scope="col">Target</th><th scope="col">Measured</th><th scope="col">Limit</th><th scope="col">Result</th><th scope="col">What it means</th></tr></thead>
        <tbody>
          ${r.grades.map(
            (g) => html`<tr data-target=${g.targetId}>
              <th scope="row">${g.statistic}${g.direction ? html`<br /><small>${g.direction}</small>` : ''}</th>
              <td class="num">${g.value === null ? '–' : `${g.value.toFixed(g.unit === '%' ? 2 : 1)} ${g.unit}`}</td>
              <td class="num">&lt; ${g.threshold} ${g.unit}</td>
              <td class="status ${g.status}">${g.status}</td>
              <td>${g.sentence}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <button type="button" @click=${() => this.download()}>Download the full report (JSON)</button>
    `;
  }
}

customElements.define('cp-verdict-view', VerdictView);
