import { html, nothing } from 'lit';
import { DEFAULT_DURATION_S, MAX_DURATION_S, MIN_DURATION_S, type PageParams } from '../../protocol/page-url.js';
import type { ProfileId } from '../../analysis/schema/input.js';
import { CpElement } from './cp-element.js';
import { pageMessages } from '../i18n.js';
import { CONSTANTS, DEFAULTS } from '../../protocol/defaults.js';
import { testFormStyles } from './test-form.styles.js';
import type { LoadOffer } from '../../protocol/api-load.js';

/**
 * Test settings and the start/cancel button. Shows `params` and never changes them: emits
 * `cp-params-change` when the profile choice changes what the form shows, `cp-start` with the
 * settings read from the form, and `cp-cancel`.
 */
export class TestForm extends CpElement {
  static override properties = {
    params: { attribute: false },
    running: { type: Boolean },
    loadOffer: { attribute: false },
    regionNames: { state: true },
  };

  declare params: PageParams;
  declare running: boolean;
  /**
   * The busy-line phase this server offers, as its /api/config says: the consent sentence
   * names its byte limit, never a default the server may not use. undefined while the page is
   * still asking, null when the server does not offer it: the choice is not shown then.
   */
  declare loadOffer: LoadOffer | null | undefined;
  /** The Azure table's customer regions, loaded when the Azure profile is first shown (the table is not in the page's first load). */
  declare regionNames: readonly string[] | null;
  private regionsAsked = false;

  static override styles = testFormStyles;

  constructor() {
    super();
    this.regionNames = null;
  }

  override willUpdate(): void {
    if (this.params.profile.id !== 'azure-region' || this.regionsAsked) return;
    this.regionsAsked = true;
    import('../regions.js').then(
      (m) => (this.regionNames = m.AZURE_REGION_NAMES),
      (err: unknown) => {
        // The list stays the asked region alone; a test can still start with it.
        this.regionsAsked = false;
        console.warn(`callprobe: the Azure region list could not be loaded (${err instanceof Error ? err.message : String(err)})`);
      },
    );
  }

  private read(form: HTMLFormElement): PageParams {
    const data = new FormData(form);
    const id = String(data.get('profile')) as ProfileId;
    const profile: PageParams['profile'] = { id };
    if (id === 'azure-region') {
      profile.azureRegion = String(data.get('azureRegion'));
      profile.from = data.get('from') === 'edge' ? 'edge' : 'site';
    }
    return {
      ...this.params,
      profile,
      durationS: Number(data.get('duration')),
      autostart: false,
      load: form.elements.namedItem('load') === null ? this.params.load : data.get('load') === 'on',
      video: form.elements.namedItem('video') === null ? this.params.video : data.get('video') === 'on',
    };
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    if (this.running) {
      this.emit('cp-cancel', null);
      return;
    }
    this.emit('cp-start', this.read(e.target as HTMLFormElement));
    // Enter in a field disables it as the test starts: focus stays on the form's button (now Cancel), never on <body>.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button[type=submit]')?.focus());
  }

  /** The profile decides which other fields show: ask the owner to take the new settings. */
  private onProfile(e: Event): void {
    const form = (e.target as HTMLSelectElement).form;
    if (form) this.emit('cp-params-change', this.read(form));
  }

  /** Options start open only when the link already changed them (an IT person's link). */
  private optionsOpen(): boolean {
    return this.params.profile.id !== 'client-to-edge' || this.params.durationS !== DEFAULT_DURATION_S;
  }

  /** The load choice changes how long the test takes: let the owner show it. */
  private onLoad(e: Event): void {
    const form = (e.target as HTMLInputElement).form;
    if (form) this.emit('cp-params-change', this.read(form));
  }

  override render() {
    const p = this.params.profile;
    const azure = p.id === 'azure-region';
    const offer = this.loadOffer ?? null;
    const busyS = (this.params.load ? Math.ceil(DEFAULTS.load.phaseMaxMs / 1000) : 0) + (this.params.video ? CONSTANTS.video.seconds + 2 : 0);
    const m = pageMessages();
    // Megabytes to one decimal, in the page's language ("2.5", "2,5").
    // The most the video phase moves each way: its encoder's cap (and the reflector's top step) for its seconds.
    const videoMb = new Intl.NumberFormat(m.lang, { maximumFractionDigits: 1 }).format(
      Math.round((CONSTANTS.video.maxUpKbps * CONSTANTS.video.seconds) / 800) / 10,
    );
    const mb = new Intl.NumberFormat(m.lang, { maximumFractionDigits: 1 }).format(offer === null ? 0 : Math.round(offer.maxBytesPerDirection / 1e5) / 10);
    return html`
      <form @submit=${this.onSubmit} aria-label=${m.t('page.settings')}>
        <div class="go">
          <button type="submit" class=${this.running ? 'secondary' : ''}>${m.t(this.running ? 'page.cancel' : 'page.start')}</button>
          <span class="hint">${m.t('page.about', { seconds: String(this.params.durationS + 2 + busyS) })}</span>
        </div>
        ${
          offer === null
            ? nothing
            : html`<label class="busy">
          <span><input type="checkbox" name="load" .checked=${this.params.load} ?disabled=${this.running} @change=${this.onLoad} aria-describedby="load-hint" />
          ${m.t('page.busyLine')}</span>
          <span class="hint" id="load-hint">${m.t('page.busyLine.hint', { seconds: String(Math.ceil(DEFAULTS.load.phaseMaxMs / 1000)), mb })}</span>
        </label>`
        }
        <label class="busy">
          <span><input type="checkbox" name="video" .checked=${this.params.video} ?disabled=${this.running} @change=${this.onLoad} aria-describedby="video-hint" />
          ${m.t('page.video')}</span>
          <span class="hint" id="video-hint">${m.t('page.video.hint', { seconds: String(CONSTANTS.video.seconds + 2), mb: videoMb })}</span>
        </label>
        <details class="options" ?open=${this.optionsOpen()}>
        <summary>${m.t('page.options')}</summary>
        <label>Targets
          <select name="profile" @change=${this.onProfile} ?disabled=${this.running}>
            <option value="client-to-edge" ?selected=${p.id === 'client-to-edge'}>Client to relay edge (default)</option>
            <option value="edge-to-edge" ?selected=${p.id === 'edge-to-edge'}>Network edge to relay edge</option>
            <option value="azure-region" ?selected=${azure}>Relay in an Azure region</option>
          </select>
        </label>
        ${
          azure
            ? html`<label>Azure region
                <select name="azureRegion" ?disabled=${this.running}>
                  ${(this.regionNames ?? (p.azureRegion === undefined ? [] : [p.azureRegion])).map((r) => html`<option ?selected=${r === p.azureRegion}>${r}</option>`)}
                </select>
              </label>
              <label>Measured from
                <select name="from" ?disabled=${this.running}>
                  <option value="site" ?selected=${p.from !== 'edge'}>A site (user's network)</option>
                  <option value="edge" ?selected=${p.from === 'edge'}>The network edge</option>
                </select>
              </label>`
            : ''
        }
        <label>Duration (seconds)
          <input name="duration" type="number" min=${MIN_DURATION_S} max=${MAX_DURATION_S} step="1" .value=${String(this.params.durationS)} ?disabled=${this.running}
            aria-describedby="duration-hint" />
          <span class="hint" id="duration-hint">15 s fills one 15-second window, the shortest graded interval.</span>
        </label>
        </details>
      </form>
    `;
  }
}
