/**
 * One error shape: every error class in the product extends TypedError<Reason> (or
 * ReasonedError) from src/protocol/typed-error.ts, constructed `(reason, message, ...)`. Only
 * TypedError itself extends Error; a new class that extends Error (or one of its built-in
 * subclasses) directly fails here. The benches and the e2e helpers may keep plain errors.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../kit/paths.js';

const DIRS = ['src', 'server', 'client', 'cli', 'host'];

/** `file: Class` of the classes allowed to extend Error directly. */
const ALLOWED = new Set(['src/protocol/typed-error.ts: TypedError']);

const BUILT_IN_ERRORS = 'Error|TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError|AggregateError';
const DIRECT = new RegExp(`\\bclass(?:\\s+(\\w+))?(?:\\s*<[^{]*?>)?\\s+extends\\s+(?:globalThis\\.)?(?:${BUILT_IN_ERRORS})\\s*\\{`, 'g');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(repoRoot, dir))) {
    const rel = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(join(repoRoot, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** `file: Class` for every class in `text` that extends a built-in error directly (comments skipped). */
export function directErrorClasses(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(DIRECT)].map((m) => `${file}: ${m[1] ?? '(anonymous)'}`);
}

describe('error classes', () => {
  it('finds a class that extends a built-in error directly (the checker itself)', () => {
    const text = [
      '/** class InComment extends Error {} */',
      'export class Plain extends Error {',
      'class Generic<T extends string> extends RangeError {',
      'const Anon = class extends TypeError {',
      'export class Good extends TypedError<"x"> {',
      'class AlsoGood extends ReasonedError<"y"> {',
    ].join('\n');
    expect(directErrorClasses('x.ts', text)).toEqual(['x.ts: Plain', 'x.ts: Generic', 'x.ts: (anonymous)']);
  });

  it('extend TypedError in src, server, client, cli and host: none extends Error directly', () => {
    const files = DIRS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const direct = files.flatMap((f) => directErrorClasses(f, readFileSync(join(repoRoot, f), 'utf8')));
    expect(direct.filter((c) => !ALLOWED.has(c))).toEqual([]);
    expect(direct).toContain('src/protocol/typed-error.ts: TypedError');
  });
});
