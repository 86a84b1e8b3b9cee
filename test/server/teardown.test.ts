/** The one teardown path of `serve`: newest first, every step once, a failing step stops none of the others. */
import { describe, expect, it } from 'vitest';
import { Teardown, TeardownError } from '../../server/teardown.js';

describe('Teardown', () => {
  it('closes in the reverse order things were opened, each once', async () => {
    const closed: string[] = [];
    const t = new Teardown();
    for (const what of ['relay', 'store', 'purge', 'app']) t.add(what, async () => void closed.push(what));
    expect(t.open).toEqual(['relay', 'store', 'purge', 'app']);
    expect(await t.close()).toEqual([]);
    expect(closed).toEqual(['app', 'purge', 'store', 'relay']);
    expect(t.open).toEqual([]);
    expect(await t.close()).toEqual([]);
    expect(closed).toHaveLength(4);
  });

  it('goes on past a step that fails and returns the failures in order', async () => {
    const closed: string[] = [];
    const t = new Teardown();
    t.add('relay', () => void closed.push('relay'));
    t.add('store', () => {
      throw new Error('disk gone');
    });
    t.add('app', async () => {
      throw new Error('still busy');
    });
    const failures = await t.close();
    expect(failures.map((f) => [f.what, (f.error as Error).message])).toEqual([
      ['app', 'still busy'],
      ['store', 'disk gone'],
    ]);
    expect(closed).toEqual(['relay']);
    expect(new TeardownError(failures).message).toBe('closing app failed: still busy; closing store failed: disk gone');
  });
});
