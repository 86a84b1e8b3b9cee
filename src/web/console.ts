/** The help desk console's own entry (console.html, /console): not loaded by the test page. */
import { ConsoleView } from './components/console.js';

ConsoleView.define('cp-console');

declare global {
  interface HTMLElementTagNameMap {
    'cp-console': ConsoleView;
  }
}
