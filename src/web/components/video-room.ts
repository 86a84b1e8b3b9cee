import { css, html, nothing } from 'lit';
import type { Report } from '../../analysis/schema/report-schema.js';
import { videoWords } from '../../analysis/present/video.js';
import { EN, type Messages } from '../../analysis/present/catalogue.js';
import { CpElement } from './cp-element.js';

/**
 * The video phase's result: what fits through the relay (audio, screen sharing, video up to a
 * resolution), each direction's figures, whether the web path and the calls' UDP path disagree,
 * and the source of the bitrates. It informs: the voice verdict above it is the answer.
 */
export class VideoRoom extends CpElement {
  static override properties = { report: { attribute: false }, messages: { attribute: false } };
  declare report: Report;
  declare messages: Messages;

  constructor() {
    super();
    this.messages = EN;
  }

  static override styles = css`
    :host { display: block; margin-top: 1rem; }
    section { border: 2px solid var(--border); border-radius: 8px; padding: 0.75rem 1rem; background: var(--panel); }
    h2 { margin: 0 0 0.3rem; font-size: 1.1rem; }
    p { margin: 0.35rem 0; }
    ul { margin: 0.35rem 0; padding-left: 1.2rem; }
    small { color: var(--muted); }
  `;

  override render() {
    const w = videoWords(this.report, this.messages);
    if (w === null) return nothing;
    return html`<section data-testid="video-room" aria-labelledby="video-title">
      <h2 id="video-title">${w.title}</h2>
      <p>${w.sentence}</p>
      ${w.udpLimited === null ? nothing : html`<p>${w.udpLimited}</p>`}
      <ul>
        ${w.lines.map((x) => html`<li>${x}</li>`)}
      </ul>
      <small>${w.source}</small>
    </section>`;
  }
}
