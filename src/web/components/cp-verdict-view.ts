/** Registers <cp-verdict-view> (and the <cp-report-details> it shows). */
import { VerdictView } from './verdict-view.js';
import { answerView } from '../../analysis/present/answer.js';

export { VerdictView, answerView };
VerdictView.define('cp-verdict-view');

declare global {
  interface HTMLElementTagNameMap {
    'cp-verdict-view': VerdictView;
  }
}
