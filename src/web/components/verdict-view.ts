import { html, nothing } from 'lit';
import type { Report } from '../../analysis/schema/report-schema.js';
import { detailsView, directionRows, keyFigures, verdictRows, verdictView, type TextPart } from '../../analysis/present/view.js';
import { adviceHeading, answerView } from '../../analysis/present/answer.js';
import { probePathLine } from '../../analysis/present/probe-path.js';
import { profileName } from '../../analysis/present/it-words.js';
import { edgeSentence, locateCaption, locateRows } from '../../analysis/present/locate.js';
import { devicesLines } from '../../analysis/present/devices.js';
import { networkLines } from '../../analysis/present/network.js';
import { qosLines } from '../../analysis/present/qos.js';
import { reachabilityLines } from '../../analysis/present/reachability.js';
import { regionSentences } from '../../analysis/present/region.js';
import { CpElement } from './cp-element.js';
import { reportSummaryText } from '../../analysis/present/result-text.js';
import type { SaveState } from '../results.js';
import { ReportDetails } from './report-details.js';
import { codeLine, ResultCard } from './result-card.js';
import { VideoRoom } from './video-room.js';
import { BusyLine } from './busy-line.js';
import { verdictViewStyles } from './verdict-view.styles.js';
import { EN, type Messages } from '../../analysis/present/catalogue.js';
import { pageMessages } from '../i18n.js';
import { codeLineStyles } from './result-card.styles.js';

const capitalised = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
/** Figures in tabular digits; only a figure whose target failed in bold. */
const parts = (ps: readonly TextPart[]) =>
  ps.map((p) => (p.failed === true ? html`<strong class="fig">${p.text}</strong>` : p.emphasis ? html`<span class="fig">${p.text}</span>` : p.text));

/**
 * The graded verdict in two layers: the answer for everyone (one sentence, what matters most
 * for a call, what to try and why), the result card (code, link, JSON), then "Details for IT"
 * one click away (the explanation, each direction, one row per target, the evidence).
 */
export class VerdictView extends CpElement {
  static override dependencies = { 'cp-report-details': ReportDetails, 'cp-result-card': ResultCard, 'cp-busy-line': BusyLine, 'cp-video-room': VideoRoom };
  static override properties = { report: { attribute: false }, save: { attribute: false }, json: { attribute: false }, messages: { attribute: false } };
  declare report: Report;
  /** The answer layer's words, in the page's language (English until set). */
  declare messages: Messages;
  /** Whether and where the result was saved. */
  declare save: SaveState;
  /** What the JSON download holds: the report as stored (a shared result keeps its schema version), else the report. */
  declare json: unknown;

  static override styles = [verdictViewStyles, codeLineStyles];

  constructor() {
    super();
    this.messages = EN;
  }

  /** Scrolls the verdict (its title, the answer and the code under it) into view and gives the answer focus (the page calls this when a test ends). */
  async focusAnswer(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('section.banner')?.scrollIntoView({ block: 'start' });
    this.renderRoot.querySelector<HTMLElement>('#answer')?.focus({ preventScroll: true });
  }

  /** The phases after the probes, each where it ran: the busy line, then the video through the relay. */
  private phases(r: Report, m: Messages) {
    return html`${r.load ? html`<cp-busy-line .load=${r.load} .messages=${m} .idle=${r.summary.verdict}></cp-busy-line>` : nothing}
    ${r.video ? html`<cp-video-room .report=${r} .messages=${m}></cp-video-room>` : nothing}`;
  }

  override render() {
    const r = this.report;
    const m = this.messages;
    const p = pageMessages();
    const v = verdictView(r, m);
    const directions = directionRows(r, m);
    const a = answerView(r, m);
    const rows = verdictRows(r, m);
    const where = edgeSentence(r, m);
    const located = locateRows(r, m);
    const regions = regionSentences(r, m);
    return html`
      <section class="banner ${v.verdict} ${a.tone}" aria-labelledby="answer" data-verdict=${v.verdict} data-tone=${a.tone}>
        <p class="title" data-title>${v.title}</p>
        <h2 id="answer" data-answer tabindex="-1">${a.sentence}</h2>
        ${codeLine(this.save)}
        ${a.withdrawn === null ? nothing : html`<p class="withdrawn" data-withdrawn>${a.withdrawn}</p>`}
        ${a.caution === null ? nothing : html`<p class="caution" data-caution>${a.caution}</p>`}
        ${
          a.facts.length === 0
            ? nothing
            : html`<ul class="facts" aria-label=${p.t('page.whatever')}>
              ${a.facts.map((f) => html`<li data-fact=${f.id}>${f.text} <span class="action">${f.action}</span></li>`)}
            </ul>`
        }
        ${where === null ? nothing : html`<p class="edge" data-edge>${where}</p>`}
        ${regions.map((s) => html`<p class="edge" data-region-leg>${s}</p>`)}
        ${a.findings.length > 0 ? html`<ul class="findings">${a.findings.map((f) => html`<li data-finding=${f.kind}>${f.sentence}</li>`)}</ul>` : nothing}
        ${
          a.advice.length > 0
            ? html`<h3>${adviceHeading(a.tone, m)}</h3>
              <ol class="advice">
                ${a.advice.map((x) => html`<li data-advice=${x.id}>${x.text}<br /><small>${m.t('advice.why', { because: x.because })}</small></li>`)}
              </ol>`
            : nothing
        }
        ${
          r.outcome?.reason === 'could-not-connect'
            ? html`<h3>${p.t('page.rungs')}</h3>
              <ul class="rungs">
                ${detailsView(r, m)
                  .ports.filter((p) => p.offered)
                  .map((p) => html`<li data-rung=${p.name}><strong>${p.name}</strong>: ${p.detail}</li>`)}
              </ul>`
            : html`<ul class="figures" aria-label=${p.t('page.keyFigures')}>
              ${keyFigures(r, m).map((line) => html`<li data-figure=${line.id}>${parts(line.parts)}</li>`)}
            </ul>`
        }
      </section>
      ${
        r.devices === undefined
          ? nothing
          : html`<section class="devices" aria-labelledby="devices-title" data-devices>
            <h3 id="devices-title">${p.t('page.devicesTitle')}</h3>
            <ul>${devicesLines(r.devices, m).map((line) => html`<li>${line}</li>`)}</ul>
            <p><small>${p.t('page.devicesNote')}</small></p>
          </section>`
      }
      ${
        r.network === undefined
          ? nothing
          : html`<section class="network" aria-labelledby="network-title" data-network=${r.network.splitPath}>
            <h3 id="network-title">${p.t('page.networkTitle')}</h3>
            <ul>${networkLines(r.network, m).map((line) => html`<li>${line}</li>`)}</ul>
          </section>`
      }
      ${
        r.qos === undefined
          ? nothing
          : html`<section class="qos" aria-labelledby="qos-title" data-qos-up=${r.qos.upstream.state} data-qos-down=${r.qos.downstream.state}>
            <h3 id="qos-title">${m.t('qos.title')}</h3>
            <ul>${qosLines(r.qos, m, r.meta.browser).map((line) => html`<li>${line}</li>`)}</ul>
            <p><small>${m.t('qos.note')}</small></p>
          </section>`
      }
      ${
        r.teamsReachability === undefined
          ? nothing
          : html`<section class="reachability" aria-labelledby="reachability-title" data-reachability>
            <h3 id="reachability-title">${m.t('reach.title')}</h3>
            <p>${reachabilityLines(r.teamsReachability, m)[0]}</p>
            <ul>${reachabilityLines(r.teamsReachability, m)
              .slice(1)
              .map((line) => html`<li>${line}</li>`)}</ul>
            <p><small>${m.t('reach.note')}</small></p>
          </section>`
      }
      ${this.phases(r, m)}
      <cp-result-card
        class=${this.save.kind}
        .save=${this.save}
        .details=${reportSummaryText(r)}
        .json=${this.json ?? r}
        .fileName=${`callprobe-${r.meta.startedAt.replace(/[:.]/g, '-')}.json`}
      ></cp-result-card>
      <details class="for-it">
      <summary>${p.t('page.detailsForIt')}</summary>
      <p class="probe-path" data-probe-path=${r.probe.path}>${probePathLine(r, m)}</p>
      <div class="explanation">
        <p>${v.headline}</p>
        ${v.more.map((line) => html`<p>${line}</p>`)}
      </div>
      ${
        directions.length > 0
          ? html`<div class="scroll" role="region" aria-label=${m.t('it.directions')} tabindex="0"><table aria-label=${m.t('it.directions.table')}>
            <caption>${m.t('it.directions')}</caption>
            <thead><tr>${(['direction', 'loss', 'jitter', 'reorder', 'lostProbes'] as const).map((c) => html`<th scope="col">${m.t(`it.directions.${c}`)}</th>`)}</tr></thead>
            <tbody>
              ${directions.map(
                (d) => html`<tr><th scope="row">${d.name}</th><td class="num">${d.loss}</td><td class="num">${d.jitter}</td>
                  <td class="num">${d.reorder}</td><td class="num">${d.lostProbes}</td></tr>`,
              )}
            </tbody>
          </table></div>`
          : nothing
      }
      ${
        located.length > 0
          ? html`<div class="scroll" role="region" aria-label=${m.t('it.servers')} tabindex="0"><table class="locate" aria-label=${m.t('it.servers')}>
            <caption>${locateCaption(r, m)}</caption>
            <thead><tr>${(['region', 'server', 'answered', 'allocation', 'rttP50', 'p90', 'loss', 'chosen'] as const).map((c) => html`<th scope="col">${m.t(`it.servers.${c}`)}</th>`)}</tr></thead>
            <tbody>
              ${located.map(
                (e) => html`<tr data-edge-row=${e.edge}><th scope="row">${e.region}</th><td>${e.edge}</td><td>${e.state}</td>
                  <td class="num">${e.allocate}</td><td class="num">${e.rttP50}</td><td class="num">${e.rttP90}</td><td class="num">${e.loss}</td><td>${e.role}</td></tr>`,
              )}
            </tbody>
          </table></div>`
          : nothing
      }
      <div class="scroll" role="region" aria-label=${m.t('it.targets')} tabindex="0"><table class="targets" aria-label=${m.t('it.targets')}>
        <caption>${m.t('it.targets.caption', { profile: profileName(r.meta.profile, m) })}</caption>
        <thead><tr>${(['target', 'measured', 'limit', 'result', 'means'] as const).map((c) => html`<th scope="col">${m.t(`it.targets.${c}`)}</th>`)}</tr></thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr data-target=${row.target} data-direction=${row.direction}>
              <th scope="row">${row.label}<br /><small>${m.t('it.row.sub', { direction: row.directionText, statistic: row.statistic })}</small></th>
              <td class="num" data-label=${m.t('it.targets.measured')}>${row.measured}</td>
              <td class="num" data-label=${m.t('it.targets.limit')}>${row.limit}</td>
              <td data-label=${m.t('it.targets.result')}><span class="status ${row.status}">${a.statusText(row)}</span>${row.reasonText === null ? nothing : html`<br /><small>${row.reasonText}</small>`}</td>
              <td class="means">${row.sentence}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>
      ${rows.some((row) => a.statusText(row) === m.t('status.unconfirmed')) ? html`<p class="note" data-unconfirmed-meaning>${capitalised(m.t('status.unconfirmedMeaning'))}</p>` : nothing}
      <cp-report-details .report=${r} .messages=${m}></cp-report-details>
      </details>
    `;
  }
}
