/** Registers <cp-app>, the page, and every component it shows. */
import { CpApp } from './app.js';

export { CpApp };
CpApp.define('cp-app');

declare global {
  interface HTMLElementTagNameMap {
    'cp-app': CpApp;
  }
}
