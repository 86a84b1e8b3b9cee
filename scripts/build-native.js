#!/usr/bin/env node
/**
 * Builds our two small Node-API addons with the system's C compiler and the headers that come
 * with Node (Debian's nodejs package puts them in /usr/include/node): the relay's UDP sockets
 * (server/turn/transport/native/udp.c -> dist/native/callprobe-udp.node) and the RTP leg's SRTP
 * cryptography (server/reflector/rtp/native/srtp.c, and the probe echo that runs through it, echo.c -> dist/native/callprobe-srtp.node), which
 * calls the OpenSSL Node links in and exports (its headers are Node's own, in include/node/openssl;
 * a Node built against the system's OpenSSL needs Debian's libssl-dev for them). Part of `npm run
 * build`; an addon newer than its sources and this script is left as it is. A C file or two each, Linux
 * only: a compiler call is all it takes (no node-gyp, no download).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const rtpNative = join(root, 'server', 'reflector', 'rtp', 'native');
const udpNative = join(root, 'server', 'turn', 'transport', 'native');
// The relay's fast path: the ABI both addons build against (a peer's C function the relay calls).
const fastPeer = join(udpNative, 'fast-peer.h');
const addons = [
  {
    sources: [join(udpNative, 'udp.c'), join(udpNative, 'sampler.c')],
    headers: [join(udpNative, 'udp-addon.h'), fastPeer],
    out: join(root, 'dist', 'native', 'callprobe-udp.node'),
  },
  {
    sources: [join(rtpNative, 'srtp.c'), join(rtpNative, 'echo.c')],
    headers: [join(rtpNative, 'srtp.h'), fastPeer],
    out: join(root, 'dist', 'native', 'callprobe-srtp.node'),
    openssl: true,
  },
];
const headers = join(dirname(dirname(process.execPath)), 'include', 'node');

const fail = (msg) => {
  process.stderr.write(`build-native: ${msg}\n`);
  process.exit(1);
};

if (!existsSync(join(headers, 'node_api.h')))
  fail(`Node's headers are not in ${headers} (Debian's nodejs package ships them in /usr/include/node; a Node from a tarball has them in its include/node)`);
const cc = process.env.CC || 'cc';
const script = statSync(fileURLToPath(import.meta.url)).mtimeMs;
for (const { sources, headers: own = [], out, openssl } of addons) {
  if (existsSync(out) && [...sources, ...own].every((f) => statSync(out).mtimeMs >= statSync(f).mtimeMs) && statSync(out).mtimeMs >= script) continue;
  if (openssl && !existsSync(join(headers, 'openssl', 'evp.h')) && !existsSync('/usr/include/openssl/evp.h'))
    fail(`OpenSSL's headers are in neither ${join(headers, 'openssl')} nor /usr/include/openssl: install Debian's libssl-dev (apt-get install libssl-dev)`);
  mkdirSync(dirname(out), { recursive: true });
  const args = ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-fvisibility=hidden', `-I${headers}`, '-o', out, ...sources];
  const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`the C compiler \`${cc}\` did not start (${r.error.message}): install Debian's gcc (apt-get install gcc)`);
  if (r.status !== 0) fail(`${cc} could not build ${sources.join(' and ')} (exit ${r.status})`);
}
