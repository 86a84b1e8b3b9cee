/**
 * Every relative link in the Markdown pages leads somewhere: the file exists and, when the link
 * names a heading (`page.md#anchor`), the page has that heading (GitHub's anchor rule: lower
 * case, punctuation dropped, spaces to hyphens).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../kit/paths.js';

const PAGES = [
  'README.md',
  'SECURITY.md',
  ...['docs', 'docs/benchmarks'].flatMap((dir) =>
    readdirSync(join(repoRoot, dir))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(dir, f)),
  ),
];

/** GitHub's anchor of a heading. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(page: string): Set<string> {
  const text = readFileSync(join(repoRoot, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] ?? '')));
}

function links(page: string): string[] {
  const text = readFileSync(join(repoRoot, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '').filter((t) => !/^[a-z]+:/.test(t));
}

describe('links between the Markdown pages', () => {
  it('follows the anchor rule', () => {
    expect(anchorOf('Outcomes: a test that could not finish')).toBe('outcomes-a-test-that-could-not-finish');
    expect(anchorOf('TURN over TLS on port 443, without root')).toBe('turn-over-tls-on-port-443-without-root');
    expect(anchorOf('Site reports')).toBe('site-reports');
  });

  it('lead to an existing page and heading', () => {
    const broken: string[] = [];
    let count = 0;
    for (const page of PAGES) {
      for (const link of links(page)) {
        count++;
        const [path = '', anchor] = link.split('#');
        const target = path === '' ? page : normalize(join(dirname(page), path));
        if (!existsSync(join(repoRoot, target))) broken.push(`${page}: ${link} (no ${target})`);
        else if (anchor !== undefined && target.endsWith('.md') && !anchors(target).has(anchor)) broken.push(`${page}: ${link} (no heading #${anchor})`);
      }
    }
    expect(count).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });
});
