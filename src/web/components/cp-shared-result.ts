/** Registers <cp-shared-result> (loaded only on a shared result's page, /r/<code>). */
import { SharedResultView } from './shared-result.js';

export { SharedResultView };
SharedResultView.define('cp-shared-result');

declare global {
  interface HTMLElementTagNameMap {
    'cp-shared-result': SharedResultView;
  }
}
