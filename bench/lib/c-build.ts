/**
 * The benches' C floors (a bare forwarder, a bare echo) are a few lines of C built here with
 * Debian's cc into dist/ (ignored); never part of the product.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runProcess } from './process.js';

/**
 * Compiles `source` into `out` with cc -O2, linked with `libs` (e.g. `crypto`), as a program or,
 * with `nodeAddon`, as a Node-API addon with `define` set; a clear error
 * naming `bench` when there is no compiler, and each library's Debian package when the build fails.
 */
export async function buildC(
  source: string,
  out: string,
  bench: string,
  libs: { name: string; debian: string }[] = [],
  opts: { nodeAddon?: { define: string } } = {},
): Promise<string> {
  mkdirSync(dirname(out), { recursive: true });
  // A Node-API addon: a shared object, with the headers that come with Node (node_api.h, uv.h).
  const addon =
    opts.nodeAddon === undefined ? [] : ['-shared', '-fPIC', `-D${opts.nodeAddon.define}`, `-I${join(dirname(dirname(process.execPath)), 'include', 'node')}`];
  const r = await runProcess('cc', ['-O2', '-Wall', '-Werror', ...addon, '-o', out, source, ...libs.map((l) => `-l${l.name}`)], { timeoutMs: 60_000 });
  if (r.spawnError)
    throw new Error(`${bench} needs a C compiler for its C floor: \`cc\` did not start (${r.spawnError.message}); install Debian's gcc (apt-get install gcc)`);
  if (r.code !== 0) {
    const need = libs.length === 0 ? '' : ` (it needs ${libs.map((l) => `lib${l.name}: apt-get install ${l.debian}`).join(', ')})`;
    throw new Error(`cc could not build ${source}${need}:\n${r.output}`);
  }
  return out;
}
