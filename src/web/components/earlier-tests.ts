import { css, html, nothing } from 'lit';
import { SHARED_RESULT_PAGE } from '../../protocol/api.js';
import type { EarlierTest } from '../earlier-tests.js';
import { CpElement } from './cp-element.js';

/** Every sentence of this list, in one place. */
const WORDS = {
  title: 'Your earlier tests here',
  note: 'Kept in this browser only, the last 5.',
  clear: 'Clear',
  cleared: 'Your earlier tests were cleared from this browser.',
  verdict: { pass: 'passed', fail: 'failed', insufficient: 'not enough evidence', none: 'could not test' },
} as const;

/** When a test ran, as this browser writes dates. */
const when = (atMs: number): string => new Date(atMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * "Your earlier tests here": this browser's last results on this server (../earlier-tests.ts),
 * each a link to its stored result, and one button that forgets them all (`cp-earlier-clear`).
 * Shows nothing when there are none, and says so once after a clear.
 */
export class EarlierTests extends CpElement {
  static override properties = { tests: { attribute: false }, cleared: { type: Boolean } };
  declare tests: readonly EarlierTest[];
  declare cleared: boolean;

  static override styles = css`
    :host { display: block; margin-top: 1rem; }
    section { border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem 1rem; background: var(--panel); }
    h2 { margin: 0 0 0.3rem; font-size: 1.05rem; }
    ul { margin: 0.35rem 0; padding-left: 1.2rem; }
    li { margin: 0.25rem 0; }
    a { color: var(--accent); }
    .code { font-family: ui-monospace, monospace; font-weight: 700; }
    small { color: var(--muted); }
    button { font: inherit; min-height: 44px; padding: 0.4rem 1rem; border-radius: 6px; border: 2px solid var(--accent);
      background: var(--surface); color: var(--accent); cursor: pointer; }
    button:focus-visible, a:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  `;

  constructor() {
    super();
    this.tests = [];
    this.cleared = false;
  }

  override render() {
    if (this.cleared) return html`<p role="status" data-earlier-cleared>${WORDS.cleared}</p>`;
    if (this.tests.length === 0) return nothing;
    return html`<section aria-labelledby="earlier-title" data-earlier-tests>
      <h2 id="earlier-title">${WORDS.title}</h2>
      <ul>
        ${this.tests.map(
          (t) =>
            html`<li data-earlier-code=${t.code}><a href=${`${SHARED_RESULT_PAGE}/${t.code}`}><span class="code">${t.code}</span></a>
              <time datetime=${new Date(t.atMs).toISOString()}>${when(t.atMs)}</time>: ${WORDS.verdict[t.verdict ?? 'none']}</li>`,
        )}
      </ul>
      <p><small>${WORDS.note}</small></p>
      <button type="button" @click=${() => this.emit('cp-earlier-clear', null)}>${WORDS.clear}</button>
    </section>`;
  }
}
