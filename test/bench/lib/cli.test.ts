import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchCommandLine } from '../../../bench/lib/cli.js';

/** Runs the parser with process.exit turned into a throw, catching what it wrote. */
function parse(args: string[]): { code: number | null; out: string; err: string; opts: Record<string, unknown> | null } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out += String(s)).length > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err += String(s)).length > 0);
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Error(`exit ${String(code)}`);
  });
  try {
    const opts = benchCommandLine(
      'bench:example',
      'What the example measures.',
      [{ flags: '--runs <n>', description: 'runs per scenario' }],
      ['node', 'run.js', ...args],
    );
    return { code: null, out, err, opts };
  } catch (e) {
    const m = /^exit (\d+)$/.exec((e as Error).message);
    if (m === null) throw e;
    return { code: Number(m[1]), out, err, opts: null };
  }
}

describe('a bench command line', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('says what the bench runs and takes on --help, and runs nothing', () => {
    const r = parse(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: npm run bench:example -- [options]');
    expect(r.out).toContain('What the example measures.');
    expect(r.out).toMatch(/--runs <n>\s+runs per scenario/);
    expect(r.out).toMatch(/--write-docs\s+also write the tracked summary/);
  });

  it('refuses an option it does not know, and a stray argument, before anything starts', () => {
    const typo = parse(['--run', '3']);
    expect(typo.code).toBe(1);
    expect(typo.err).toContain("unknown option '--run'");
    const stray = parse(['3']);
    expect(stray.code).toBe(1);
    expect(stray.err).toContain('too many arguments');
  });

  it('gives the options it knows', () => {
    expect(parse(['--runs', '3', '--write-docs']).opts).toEqual({ runs: '3', writeDocs: true });
    expect(parse([]).opts).toEqual({});
  });
});
