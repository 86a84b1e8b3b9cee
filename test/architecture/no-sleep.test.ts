/**
 * Tests wait on a state, never on the clock (test/kit/README.md): the lint config rejects a
 * fixed sleep in test/ and e2e/ (importing node:timers/promises, Playwright's waitForTimeout, a
 * Promise resolved by a timer), and leaves the test kit's wait and pacing helpers, timers that
 * reject (deadlines) and page scripts' own timers alone.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../kit/paths.js';

const eslint = new ESLint({ cwd: repoRoot });

/** The rules `code` breaks as a file at `path` (from the repository root). */
async function hits(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${path}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `parse-error: ${m.message}`);
}

const SLEEPS: Record<string, string> = {
  'timers/promises': "import { setTimeout as sleep } from 'node:timers/promises';\nexport const f = async (): Promise<void> => {\n  await sleep(200);\n};\n",
  'timers/promises (namespace)': "import * as timers from 'timers/promises';\nexport const f = (): Promise<void> => timers.setTimeout(200);\n",
  waitForTimeout: "import type { Page } from '@playwright/test';\nexport const f = (page: Page): Promise<void> => page.waitForTimeout(200);\n",
  'new Promise(r => setTimeout(r, ms))': 'export const f = (): Promise<unknown> => new Promise((r) => setTimeout(r, 200));\n',
  'new Promise(r => setTimeout(() => r(), ms))':
    'export const f = (): Promise<void> =>\n  new Promise((resolve) => {\n    setTimeout(() => resolve(), 200);\n  });\n',
};

describe('no fixed sleep in tests (lint)', () => {
  for (const [form, code] of Object.entries(SLEEPS)) {
    it(`rejects ${form} in test/ and e2e/, not in test/kit/`, async () => {
      expect((await hits('test/server/sleep-fixture.ts', code)).filter((r) => r.startsWith('no-restricted'))).toHaveLength(1);
      expect((await hits('e2e/sleep-fixture.spec.ts', code)).filter((r) => r.startsWith('no-restricted'))).toHaveLength(1);
      expect(await hits('test/kit/sleep-fixture.ts', code)).toEqual([]);
    });
  }

  it('leaves a deadline (a timer that rejects) and a page script’s timers alone', async () => {
    const deadline =
      "export const f = (): Promise<never> =>\n  new Promise((_, reject) => {\n    setTimeout(() => reject(new Error('timeout')), 200);\n  });\n";
    const pageTimer = 'export const f = (hold: (ms: number) => void): void => {\n  setTimeout(() => hold(400), 1000);\n};\n';
    expect(await hits('test/server/sleep-fixture.ts', deadline)).toEqual([]);
    expect(await hits('e2e/sleep-fixture.spec.ts', pageTimer)).toEqual([]);
  });
});
