/** Registers <cp-live-panel>. */
import { LivePanel } from './live-panel.js';

export { LivePanel };
LivePanel.define('cp-live-panel');

declare global {
  interface HTMLElementTagNameMap {
    'cp-live-panel': LivePanel;
  }
}
