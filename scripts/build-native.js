#!/usr/bin/env node
/**
 * Builds the relay's UDP socket addon (server/turn/transport/native/udp.c) into
 * dist/native/callprobe-udp.node with the system's C compiler and the Node-API headers that come
 * with Node (Debian's nodejs package puts them in /usr/include/node). Part of `npm run build`;
 * does nothing when the addon is newer than its source. One C file, Linux only: a compiler call
 * is all it takes (no node-gyp, no download).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(root, 'server', 'turn', 'transport', 'native', 'udp.c');
const out = join(root, 'dist', 'native', 'callprobe-udp.node');
const headers = join(dirname(dirname(process.execPath)), 'include', 'node');

const fail = (msg) => {
  process.stderr.write(`build-native: ${msg}\n`);
  process.exit(1);
};

if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs && statSync(out).mtimeMs >= statSync(fileURLToPath(import.meta.url)).mtimeMs)
  process.exit(0);
if (!existsSync(join(headers, 'node_api.h')))
  fail(`Node's headers are not in ${headers} (Debian's nodejs package ships them in /usr/include/node; a Node from a tarball has them in its include/node)`);
mkdirSync(dirname(out), { recursive: true });
const cc = process.env.CC || 'cc';
const args = ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-fvisibility=hidden', `-I${headers}`, '-o', out, source];
const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error) fail(`the C compiler \`${cc}\` did not start (${r.error.message}): install Debian's gcc (apt-get install gcc)`);
if (r.status !== 0) fail(`${cc} could not build ${source} (exit ${r.status})`);
