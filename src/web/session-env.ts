import type { SessionEnv } from '../session/run-session.js';
import { openAudio } from './audio.js';
import { Pacer } from './pacer/pacer.js';
import { loadSimplePeer } from './simple-peer-loader.js';
import { PageWatch } from './visibility.js';

/** The page's environment for a test session: the pacing worker, the audio source, the page watch. */
export function pageEnv(): SessionEnv {
  return {
    loadSimplePeer,
    createPacer: (o) => new Pacer(o),
    openAudio,
    createWatch: () => new PageWatch(),
    userAgent: navigator.userAgent,
  };
}
