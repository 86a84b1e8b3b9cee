import { LitElement, html, css } from 'lit';
import { MAX_DURATION_S, MIN_DURATION_S, type PageParams } from '../params.js';
import type { ProfileId } from '../../analysis/schema/input.js';
import { AZURE_REGION_NAMES } from '../regions.js';

/** Test settings and the start/cancel button. Emits `cp-start` (detail: PageParams) and `cp-cancel`. */
export class TestForm extends LitElement {
  static override properties = {
    params: { attribute: false },
    running: { type: Boolean },
  };

  declare params: PageParams;
  declare running: boolean;

  static override styles = css`
    form { display: grid; gap: 0.75rem 1rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); align-items: end;
      background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 1rem; }
    label { display: flex; flex-direction: column; gap: 0.3rem; font-weight: 600; font-size: 0.95rem; }
    select, input { font: inherit; padding: 0.4rem; border: 1px solid #6b7480; border-radius: 4px; background: #fff; color: var(--fg); }
    button { font: inherit; font-weight: 700; padding: 0.6rem 1.2rem; border-radius: 6px; border: 2px solid var(--accent);
      background: var(--accent); color: #fff; cursor: pointer; }
    button.secondary { background: #fff; color: var(--accent); }
    button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
    .hint { font-weight: 400; color: var(--muted); font-size: 0.85rem; }
  `;

  private read(form: HTMLFormElement): PageParams {
    const data = new FormData(form);
    const id = String(data.get('profile')) as ProfileId;
    const profile: PageParams['profile'] = { id };
    if (id === 'azure-region') {
      profile.azureRegion = String(data.get('azureRegion'));
      profile.from = data.get('from') === 'edge' ? 'edge' : 'site';
    }
    return { ...this.params, profile, durationS: Number(data.get('duration')), autostart: false };
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    if (this.running) {
      this.dispatchEvent(new CustomEvent('cp-cancel', { bubbles: true, composed: true }));
      return;
    }
    const params = this.read(e.target as HTMLFormElement);
    this.dispatchEvent(new CustomEvent('cp-start', { detail: params, bubbles: true, composed: true }));
  }

  private onProfile(e: Event): void {
    const form = (e.target as HTMLSelectElement).form;
    if (form) this.params = { ...this.read(form) };
  }

  override render() {
    const p = this.params.profile;
    const azure = p.id === 'azure-region';
    return html`
      <form @submit=${this.onSubmit} aria-label="Test settings">
        <label>Targets
          <select name="profile" @change=${this.onProfile} ?disabled=${this.running}>
            <option value="client-to-edge" ?selected=${p.id === 'client-to-edge'}>Client to relay edge (default)</option>
            <option value="edge-to-edge" ?selected=${p.id === 'edge-to-edge'}>Network edge to relay edge</option>
            <option value="azure-region" ?selected=${azure}>Relay in an Azure region</option>
          </select>
        </label>
        ${azure
          ? html`<label>Azure region
                <select name="azureRegion" ?disabled=${this.running}>
                  ${AZURE_REGION_NAMES.map((r) => html`<option ?selected=${r === p.azureRegion}>${r}</option>`)}
                </select>
              </label>
              <label>Measured from
                <select name="from" ?disabled=${this.running}>
                  <option value="site" ?selected=${p.from !== 'edge'}>A site (user's network)</option>
                  <option value="edge" ?selected=${p.from === 'edge'}>The network edge</option>
                </select>
              </label>`
          : ''}
        <label>Duration (seconds)
          <input name="duration" type="number" min=${MIN_DURATION_S} max=${MAX_DURATION_S} step="1" .value=${String(this.params.durationS)} ?disabled=${this.running}
            aria-describedby="duration-hint" />
          <span class="hint" id="duration-hint">15 s fills one 15-second window, the shortest graded interval.</span>
        </label>
        <div>
          <button type="submit" class=${this.running ? 'secondary' : ''}>${this.running ? 'Cancel test' : 'Start test'}</button>
        </div>
      </form>
    `;
  }
}

customElements.define('cp-test-form', TestForm);
