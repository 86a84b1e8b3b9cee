/** Registers <cp-live-panel>, loaded when a test starts; with the wording of the provisional answers' progress lines. */
import { LivePanel } from './live-panel.js';
import { provisionalProgress, provisionalView } from '../../analysis/present/provisional.js';

export { LivePanel, provisionalProgress, provisionalView };
LivePanel.define('cp-live-panel');

declare global {
  interface HTMLElementTagNameMap {
    'cp-live-panel': LivePanel;
  }
}
