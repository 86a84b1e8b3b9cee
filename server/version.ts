import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The package root: two levels up from this file, both from server/ (sources) and dist/server/ (built). */
export function packageRoot(): string {
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
