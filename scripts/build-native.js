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
 *
 * A second build of both, with AddressSanitizer and UndefinedBehaviorSanitizer, goes to
 * dist/native-sanitized/ (never loaded by callprobe itself): the native fuzz runs on it in a process
 * of its own (test/server/native-fuzz.test.ts, bench/fuzz/native-main.ts). It needs gcc's sanitizer
 * runtimes (Debian's gcc brings them, libasan and libubsan); without them it is skipped with a line
 * saying so, and that test skips (fails in CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
const SHIPPED = ['-O2'];
const SANITIZED = ['-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer'];

/** Builds the addons into `dir` (under dist/) with `flags`; false when the compiler could not (`optional`), else it fails. */
function build(dir, flags, optional) {
  for (const { sources, headers: own = [], out: shipped, openssl } of addons) {
    const out = join(dirname(dirname(shipped)), dir, basename(shipped));
    if (existsSync(out) && [...sources, ...own].every((f) => statSync(out).mtimeMs >= statSync(f).mtimeMs) && statSync(out).mtimeMs >= script) continue;
    if (openssl && !existsSync(join(headers, 'openssl', 'evp.h')) && !existsSync('/usr/include/openssl/evp.h'))
      fail(`OpenSSL's headers are in neither ${join(headers, 'openssl')} nor /usr/include/openssl: install Debian's libssl-dev (apt-get install libssl-dev)`);
    mkdirSync(dirname(out), { recursive: true });
    const args = [...flags, '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-fvisibility=hidden', `-I${headers}`, '-o', out, ...sources];
    const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', optional ? 'pipe' : 'inherit'] });
    if (r.error) fail(`the C compiler \`${cc}\` did not start (${r.error.message}): install Debian's gcc (apt-get install gcc)`);
    if (r.status !== 0 && optional) return false;
    if (r.status !== 0) fail(`${cc} could not build ${sources.join(' and ')} (exit ${r.status})`);
  }
  return true;
}

build('native', SHIPPED, false);
if (!build('native-sanitized', SANITIZED, true))
  process.stderr.write(
    `build-native: ${cc} could not build the addons with -fsanitize=address,undefined (gcc's libasan and libubsan): the sanitized build for the native fuzz is skipped\n`,
  );
