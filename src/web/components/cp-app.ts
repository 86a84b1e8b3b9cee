/** Registers <cp-app>, the page, and every component it shows. */
import { CpApp } from './app.js';

CpApp.define('cp-app');

declare global {
  interface HTMLElementTagNameMap {
    'cp-app': CpApp;
  }
}
