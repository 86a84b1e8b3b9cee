/**
 * <cp-devices>: the "Check my microphone, speaker and camera" step. The microphone is listened
 * to for 5 s with a live level, the speaker plays a short tone and asks "Did you hear it?", the
 * camera shows a preview and what it delivered, and the echo test (./echo.ts, loaded when it
 * starts) plays back the user's voice as it came back through the test server, its cuts marked
 * on a timeline. Each result is said in the words of the report
 * (../../analysis/present/devices.ts), with the device's name shown here only: the report keeps
 * states and figures, never a name. Emits `cp-devices` with everything found so far.
 */
import { css, html, nothing, svg } from 'lit';
import { CpElement } from '../components/cp-element.js';
import type { CameraCheck, Devices, EchoCheck, MicrophoneCheck, SpeakerCheck } from '../../analysis/schema/devices-schema.js';
import { devicesLines, echoLine } from '../../analysis/present/devices.js';
import { EN, type Messages } from '../../analysis/present/catalogue.js';
import { CONSTANTS } from '../../protocol/defaults.js';
import { canChooseOutput, checkCamera, checkMicrophone, MIC_SECONDS, playTone, stopPreview } from './check.js';

type Busy = 'microphone' | 'speaker' | 'camera' | 'echo' | null;

/** The level meter's range, dBFS. */
const METER_MIN_DBFS = -80;

export class DevicesStep extends CpElement {
  static override properties = {
    microphone: { state: true },
    micLabel: { state: true },
    level: { state: true },
    speaker: { state: true },
    camera: { state: true },
    busy: { state: true },
    inputs: { state: true },
    outputs: { state: true },
    echo: { state: true },
    echoUrl: { state: true },
    messages: { attribute: false },
  };
  declare microphone: MicrophoneCheck | null;
  declare micLabel: string;
  /** The live level while the microphone is listened to, dBFS. */
  declare level: number;
  declare speaker: SpeakerCheck | null;
  declare camera: CameraCheck | null;
  declare busy: Busy;
  declare inputs: MediaDeviceInfo[];
  declare outputs: MediaDeviceInfo[];
  declare echo: EchoCheck | null;
  /** The echo test's recording, for the page's player only (an object URL; never sent). */
  declare echoUrl: string | null;
  /** The answer layer's words in the page's language (English until the page gives its own). */
  declare messages: Messages;

  static override styles = css`
    :host { display: block; margin: 1rem 0; }
    section { border: 1px solid #767676; border-radius: 4px; padding: 0.5rem 1rem; margin-bottom: 0.5rem; }
    meter { width: 100%; height: 1.2rem; }
    video { display: block; max-width: 320px; width: 100%; background: #000; margin: 0.25rem 0; }
    button { font: inherit; min-height: 44px; min-width: 44px; margin: 0.25rem 0.5rem 0.25rem 0; padding: 0.4rem 0.9rem; border-radius: 6px; border: 2px solid #0b5cad; background: #fff; color: #0b5cad; font-weight: 700; cursor: pointer; }
    button:disabled { border-color: #767676; color: #595959; cursor: default; }
    select { font: inherit; min-height: 44px; max-width: 100%; }
    svg.timeline { display: block; width: 100%; height: 1.5rem; margin: 0.25rem 0; }
    .timeline .sound { fill: #1a7f37; }
    .timeline .lost { fill: #b3261e; }
    .timeline .late { fill: #8a5a00; }
  `;

  constructor() {
    super();
    this.microphone = null;
    this.micLabel = '';
    this.level = METER_MIN_DBFS;
    this.speaker = null;
    this.camera = null;
    this.busy = null;
    this.inputs = [];
    this.outputs = [];
    this.echo = null;
    this.echoUrl = null;
    this.messages = EN;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    const video = this.renderRoot.querySelector('video');
    if (video !== null) stopPreview(video);
    if (this.echoUrl !== null) URL.revokeObjectURL(this.echoUrl);
  }

  private found(): Devices {
    return { unattended: false, microphone: this.microphone, speaker: this.speaker, camera: this.camera, ...(this.echo === null ? {} : { echo: this.echo }) };
  }

  private tell(): void {
    this.emit('cp-devices', this.found());
  }

  /** The inputs and outputs the browser lists (their names only once a permission was given). */
  private async listDevices(): Promise<void> {
    const all = await navigator.mediaDevices.enumerateDevices();
    this.inputs = all.filter((d) => d.kind === 'audioinput' && d.deviceId !== '');
    this.outputs = all.filter((d) => d.kind === 'audiooutput' && d.deviceId !== '');
  }

  private chosen(name: string): string | null {
    const v = this.renderRoot.querySelector<HTMLSelectElement>(`select[name=${name}]`)?.value ?? '';
    return v === '' ? null : v;
  }

  private async checkMicrophone(): Promise<void> {
    this.busy = 'microphone';
    try {
      const r = await checkMicrophone(this.chosen('input'), (dbfs) => {
        this.level = Number.isFinite(dbfs) ? Math.max(METER_MIN_DBFS, dbfs) : METER_MIN_DBFS;
      });
      this.microphone = r.check;
      this.micLabel = r.label;
      await this.listDevices();
    } finally {
      this.busy = null;
      this.level = METER_MIN_DBFS;
    }
    this.tell();
  }

  private async playTone(): Promise<void> {
    this.busy = 'speaker';
    try {
      const r = await playTone(this.chosen('output'));
      this.speaker = { ...r, heard: 'not-asked' };
    } finally {
      this.busy = null;
    }
    this.tell();
  }

  private heard(answer: 'yes' | 'no'): void {
    if (this.speaker === null) return;
    this.speaker = { ...this.speaker, heard: answer };
    this.tell();
  }

  private async checkCamera(): Promise<void> {
    const video = this.renderRoot.querySelector('video');
    if (video === null) return;
    this.busy = 'camera';
    try {
      this.camera = await checkCamera(null, video, true);
    } finally {
      this.busy = null;
    }
    this.tell();
  }

  private async runEcho(): Promise<void> {
    this.busy = 'echo';
    try {
      const { runEchoTest } = await import('./echo.js');
      const r = await runEchoTest(location.origin);
      if (this.echoUrl !== null) URL.revokeObjectURL(this.echoUrl);
      this.echo = r.check;
      this.echoUrl = r.recording === null ? null : URL.createObjectURL(r.recording);
    } finally {
      this.busy = null;
    }
    this.tell();
  }

  /** The echo test's seconds as a bar, sound in green, each cut where it fell (lost in red, late in brown). */
  private timeline(e: EchoCheck) {
    const m = this.messages;
    const spanMs = Math.max(e.seconds * 1000, ...e.cuts.map((c) => c.atMs + c.ms), 1);
    return html`<svg class="timeline" viewBox="0 0 ${spanMs} 10" preserveAspectRatio="none" role="img" aria-label=${m.t('devices.echo.timeline', { seconds: m.t('unit.s', { n: e.seconds }) })}>
      <rect class="sound" x="0" y="0" width=${spanMs} height="10"></rect>
      ${e.cuts.map((c) => svg`<rect class=${c.why} x=${c.atMs} y="0" width=${Math.max(c.ms, spanMs / 500)} height="10"></rect>`)}
    </svg>`;
  }

  private line(kind: 'microphone' | 'speaker' | 'camera'): string | null {
    const one: Devices = { unattended: false, microphone: null, speaker: null, camera: null, [kind]: this[kind] };
    return devicesLines(one, this.messages)[0] ?? null;
  }

  override render() {
    const m = this.messages;
    const mic = this.line('microphone');
    // Until the question is answered, the page says only that the tone played: the question is beside it.
    const speaker = this.speaker?.state === 'played' && this.speaker.heard === 'not-asked' ? m.t('devices.tonePlayed') : this.line('speaker');
    const camera = this.line('camera');
    const free = this.busy === null;
    return html`
      <h2>${m.t('devices.title')}</h2>
      <p>${m.t('devices.note')}</p>
      <section aria-labelledby="mic-title">
        <h3 id="mic-title">${m.t('devices.microphone')}</h3>
        ${
          this.inputs.length > 1
            ? html`<label>${m.t('devices.input')} <select name="input">${this.inputs.map((d) => html`<option value=${d.deviceId}>${d.label || m.t('devices.microphone')}</option>`)}</select></label>`
            : nothing
        }
        <button type="button" ?disabled=${!free} @click=${() => void this.checkMicrophone()}>${m.t('devices.checkMicrophone', { seconds: m.t('unit.s', { n: MIC_SECONDS }) })}</button>
        ${this.busy === 'microphone' ? html`<label>${m.t('devices.level')} <meter min=${METER_MIN_DBFS} max="0" low="-45" high="-3" optimum="-20" .value=${this.level}></meter></label>` : nothing}
        ${mic === null ? nothing : html`<p role="status" data-device="microphone" data-state=${this.microphone?.state ?? ''}>${this.micLabel === '' ? '' : `${this.micLabel}: `}${mic}</p>`}
      </section>
      <section aria-labelledby="speaker-title">
        <h3 id="speaker-title">${m.t('devices.speaker')}</h3>
        ${
          canChooseOutput() && this.outputs.length > 1
            ? html`<label>${m.t('devices.output')} <select name="output">${this.outputs.map((d) => html`<option value=${d.deviceId}>${d.label || m.t('devices.speaker')}</option>`)}</select></label>`
            : nothing
        }
        <button type="button" ?disabled=${!free} @click=${() => void this.playTone()}>${m.t('devices.playTone')}</button>
        ${
          this.speaker?.state === 'played'
            ? html`<p>${m.t('devices.heardQuestion')} <button type="button" @click=${() => this.heard('yes')}>${m.t('devices.yes')}</button><button type="button" @click=${() => this.heard('no')}>${m.t('devices.no')}</button></p>`
            : nothing
        }
        ${speaker === null ? nothing : html`<p role="status" data-device="speaker">${speaker}</p>`}
      </section>
      <section aria-labelledby="camera-title">
        <h3 id="camera-title">${m.t('devices.camera')}</h3>
        <button type="button" ?disabled=${!free} @click=${() => void this.checkCamera()}>${m.t('devices.checkCamera')}</button>
        <video aria-label=${m.t('devices.preview')} muted playsinline></video>
        ${camera === null ? nothing : html`<p role="status" data-device="camera" data-state=${this.camera?.state ?? ''}>${camera}</p>`}
      </section>
      <section aria-labelledby="echo-title">
        <h3 id="echo-title">${m.t('devices.echo.title')}</h3>
        <p>${m.t('devices.echo.note')}</p>
        <button type="button" ?disabled=${!free} @click=${() => void this.runEcho()}>${m.t('devices.echo.start', { seconds: m.t('unit.s', { n: CONSTANTS.echo.seconds }) })}</button>
        ${this.busy === 'echo' ? html`<p role="status">${m.t('devices.echo.speakNow')}</p>` : nothing}
        ${this.echo === null ? nothing : html`<p role="status" data-device="echo" data-state=${this.echo.state}>${echoLine(this.echo, m)}</p>`}
        ${this.echo === null || this.echo.framesSent === 0 ? nothing : this.timeline(this.echo)}
        ${this.echoUrl === null ? nothing : html`<audio controls src=${this.echoUrl} aria-label=${m.t('devices.echo.player')}></audio>`}
      </section>
    `;
  }
}
