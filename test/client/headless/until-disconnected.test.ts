import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { HeadlessError, untilDisconnected } from '../../../client/headless/chromium.js';

/** A browser as untilDisconnected sees it: connected until told otherwise. */
class FakeBrowser extends EventEmitter {
  connected = true;
  isConnected(): boolean {
    return this.connected;
  }
  die(): void {
    this.connected = false;
    this.emit('disconnected');
  }
}

const never = new Promise<never>(() => undefined);

describe('a Playwright call while Chromium dies', () => {
  it('a call that never settles ends as browser-failed when the browser disconnects', async () => {
    const b = new FakeBrowser();
    const step = untilDisconnected(b, never);
    b.die();
    const err = await step.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeadlessError);
    expect((err as HeadlessError).reason).toBe('browser-failed');
  });

  it('a call made after the browser died ends at once', async () => {
    const b = new FakeBrowser();
    b.die();
    await expect(untilDisconnected(b, never)).rejects.toMatchObject({ reason: 'browser-failed' });
  });

  it('a call that settles gives its value or its error, and leaves no listener behind', async () => {
    const b = new FakeBrowser();
    await expect(untilDisconnected(b, Promise.resolve(7))).resolves.toBe(7);
    await expect(untilDisconnected(b, Promise.reject(new Error('target closed')))).rejects.toThrow('target closed');
    expect(b.listenerCount('disconnected')).toBe(0);
  });
});
