import { defineConfig, mergeConfig } from 'vite';
import base from './vite.config.js';

/**
 * The help desk console (/console) built on its own, after the page (`npm run build`): its own
 * copy of lit, so the test page's chunks and initial JS are exactly what they are without it.
 */
export default mergeConfig(
  base,
  defineConfig({
    build: { emptyOutDir: false, rollupOptions: { input: { console: 'console.html' } } },
  }),
);
