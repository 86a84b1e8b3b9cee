/** Registers <cp-result-card>. */
import { ResultCard } from './result-card.js';

export { ResultCard };
ResultCard.define('cp-result-card');

declare global {
  interface HTMLElementTagNameMap {
    'cp-result-card': ResultCard;
  }
}
