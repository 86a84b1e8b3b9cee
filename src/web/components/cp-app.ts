/** <cp-app>, the page, and every component it shows. */
import { CpApp } from './app.js';

/** Registers <cp-app> (once the page's language is chosen: src/web/main.ts). */
export function defineApp(): void {
  CpApp.define('cp-app');
}

declare global {
  interface HTMLElementTagNameMap {
    'cp-app': CpApp;
  }
}
