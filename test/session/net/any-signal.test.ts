import { describe, expect, it } from 'vitest';
import { anySignal } from '../../../src/session/net/any-signal.js';

describe('anySignal', () => {
  for (const native of [true, false]) {
    describe(native ? 'with AbortSignal.any' : 'made by hand (older browsers)', () => {
      it('aborts when any input aborts, with that input’s reason', () => {
        const a = new AbortController();
        const b = new AbortController();
        const both = anySignal([a.signal, b.signal], native);
        expect(both.aborted).toBe(false);
        b.abort(new Error('second'));
        expect(both.aborted).toBe(true);
        expect((both.reason as Error).message).toBe('second');
        a.abort(new Error('first'));
        expect((both.reason as Error).message).toBe('second');
      });

      it('is aborted at once when an input already is', () => {
        const a = new AbortController();
        a.abort('gone');
        expect(anySignal([new AbortController().signal, a.signal], native).reason).toBe('gone');
      });
    });
  }
});
