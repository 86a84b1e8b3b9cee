/**
 * A bench interrupted by hand (SIGINT, SIGTERM) leaves nothing behind: its bottleneck's three
 * network namespaces are deleted and the processes inside them killed (bench/lib/interrupt.ts).
 * The bench is played by a child process on the built code, which makes a bottleneck and starts
 * a `sleep` in its server namespace, then is sent the signal.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needBuilt, needCommand, needRoot, skipReason } from '../../kit/requires.js';
import { waitFor } from '../../kit/wait.js';

const BUILT = resolve('dist/bench/lib/bottleneck.js');
const usable =
  skipReason('an interrupted bench', [
    needRoot(),
    needCommand('iproute2', 'ip', ['netns', 'list']),
    needCommand('iproute2', 'tc', ['-V']),
    needBuilt(BUILT),
  ]) === null;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
};
const namespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '');

describe.skipIf(!usable)('a bench interrupted by hand', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`on ${signal}: its namespaces are gone, the process inside killed, and it exits ${code}`, async () => {
      const bench = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { Bottleneck } from ${JSON.stringify(BUILT)};
           const b = Bottleneck.create('intr', { up: null, down: null });
           const p = b.spawn('server', 'sleep', ['60']);
           p.on('spawn', () => console.log(JSON.stringify({ ns: [b.client, b.router, b.server], pid: p.pid })));
           setInterval(() => undefined, 1000);`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      bench.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const made = await waitFor(() => (out.includes('\n') ? (JSON.parse(out) as { ns: string[]; pid: number }) : null), {
        timeoutMs: 20_000,
        what: 'the bottleneck made and the sleep started',
      });
      expect(namespaces()).toEqual(expect.arrayContaining(made.ns));
      expect(alive(made.pid)).toBe(true);
      const exited = once(bench, 'exit');
      bench.kill(signal);
      const [exitCode] = (await exited) as [number | null];
      expect(exitCode).toBe(code);
      expect(namespaces().filter((n) => made.ns.includes(n))).toEqual([]);
      await waitFor(() => !alive(made.pid), { timeoutMs: 5000, what: 'the sleep in the server namespace gone' });
    });
  }
});
