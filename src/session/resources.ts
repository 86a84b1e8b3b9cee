import type { Links } from './connect.js';
import type { AudioHandle, EvidenceWatch, StatsSource } from './env.js';
import { errorLine } from './net/errors.js';

/**
 * What a test opened: the getStats poll, the page watch, the connections and the audio
 * source. Whatever ended the test, none of them outlives it (closeAll).
 */
export class TestResources {
  stats: StatsSource | null = null;
  watch: EvidenceWatch | null = null;
  links: Links | null = null;
  private statsStopped: Promise<void> | null = null;
  private audioStopped = false;

  constructor(private readonly audio: AudioHandle) {}

  /** Stops the getStats poll after its last poll, once. */
  stopStats(): Promise<void> {
    this.statsStopped ??= this.stats?.stop() ?? Promise.resolve();
    return this.statsStopped;
  }

  /** Stops and closes everything the test opened, once; returns what failed, in words. */
  closeAll(): string[] {
    const failed: string[] = [];
    const close = (what: string, f: () => void): void => {
      try {
        f();
      } catch (err) {
        failed.push(`${what} failed (${errorLine(err)})`);
      }
    };
    const [s, w, l] = [this.stats, this.watch, this.links];
    [this.stats, this.watch, this.links] = [null, null, null];
    if (s) close("stopping the browser's statistics", () => s.halt());
    if (w) close('stopping the page watch', () => w.stop());
    if (l) close('closing the connections', () => l.close());
    if (!this.audioStopped) close('stopping the audio source', () => this.audio.stop());
    this.audioStopped = true;
    return failed;
  }
}
