/** `callprobe serve` is launched the same way everywhere (server/common/launch.ts), and the flags do what they say. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../server/common/launch.js';
import { repoRoot } from '../kit/paths.js';

const envText = Object.entries(SERVE_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');

describe('serve launch', () => {
  it('npm start runs serve with the launch flags and environment', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start']).toContain(`${envText} node ${SERVE_NODE_FLAGS.join(' ')} dist/cli/callprobe.js serve`);
  });

  it("docs/operate.md's systemd unit for serve sets the same", () => {
    const page = readFileSync(join(repoRoot, 'docs', 'operate.md'), 'utf8');
    for (const [k, v] of Object.entries(SERVE_ENV)) expect(page).toContain(`Environment=${k}=${v}`);
    // The file npm link would install, as package.json's bin names it, in the checkout the page builds in.
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(page).toContain(`ExecStart=/usr/bin/env node ${SERVE_NODE_FLAGS.join(' ')} /opt/callprobe/${pkg.bin['callprobe'] ?? ''} serve`);
  });

  it('Node takes the flags: the new space starts at 16 MiB (1 MiB without them)', () => {
    const out = execFileSync(
      process.execPath,
      [
        ...SERVE_NODE_FLAGS,
        '-e',
        "process.stdout.write(String(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))",
      ],
      { env: { ...process.env, ...SERVE_ENV }, encoding: 'utf8' },
    );
    expect(Number(out)).toBe(16 * 2 ** 20);
  });
});
