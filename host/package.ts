/**
 * Where the installed callprobe package is, and what it says of itself: both programs (`serve`
 * and the client) and the command line read their version and find the built page here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The package root: one or two levels up from this file, from host/ (sources) and dist/host/ (built). */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', join('..', '..')]) {
    const dir = join(here, up);
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'callprobe') return dir;
    } catch {
      continue;
    }
  }
  throw new Error(`cannot find callprobe's package.json above ${here}`);
}

export function callprobeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The built page (vite's output) that both programs serve. */
export function builtPageDir(): string {
  return join(packageRoot(), 'dist', 'web');
}

/** A native addon that `npm run build` made (scripts/build-native.js), by its file name. */
export function nativeAddonPath(file: string): string {
  return join(packageRoot(), 'dist', 'native', file);
}
