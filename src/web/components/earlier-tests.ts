import { css, html, nothing } from 'lit';
import { SHARED_RESULT_PAGE } from '../../protocol/api.js';
import type { EarlierTest } from '../earlier-tests.js';
import { CpElement } from './cp-element.js';
import { pageMessages } from '../i18n.js';

/** When a test ran, in the page's language. */
const when = (atMs: number): string => new Intl.DateTimeFormat(pageMessages().lang, { dateStyle: 'medium', timeStyle: 'short' }).format(atMs);

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
    // Every sentence of this list is the page's catalogue's `earlier.*`.
    const m = pageMessages();
    if (this.cleared) return html`<p role="status" data-earlier-cleared>${m.t('earlier.cleared')}</p>`;
    if (this.tests.length === 0) return nothing;
    return html`<section aria-labelledby="earlier-title" data-earlier-tests>
      <h2 id="earlier-title">${m.t('earlier.title')}</h2>
      <ul>
        ${this.tests.map(
          (t) =>
            html`<li data-earlier-code=${t.code}><a href=${`${SHARED_RESULT_PAGE}/${t.code}`}><span class="code">${t.code}</span></a>
              <time datetime=${new Date(t.atMs).toISOString()}>${when(t.atMs)}</time>${m.t('earlier.verdict', { verdict: m.t(`earlier.${t.verdict ?? 'none'}`) })}</li>`,
        )}
      </ul>
      <p><small>${m.t('earlier.note')}</small></p>
      <button type="button" @click=${() => this.emit('cp-earlier-clear', null)}>${m.t('earlier.clear')}</button>
    </section>`;
  }
}
